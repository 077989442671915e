/**
 * `npm start`'s stack survives its parts (issue 12, item 3), with real processes: each part killed
 * with SIGKILL comes back, the API answers 503 while the database is down and recovers without a
 * restart, and SIGTERM or SIGINT to the top process — start.js, or npm running it — stops
 * everything and leaves no process behind.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { isPortOpen } from '../../scripts/local-stack/ports';
import { compileForStack, isAlive, request, startStack, waitFor, type RunningStack } from './stack-harness';

let buildDir: string;
const stacks: RunningStack[] = [];

beforeAll(() => {
  buildDir = compileForStack();
}, 240_000);

afterAll(async () => {
  for (const stack of stacks) await stack.cleanup();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

/** A collectable claim on any day: the invoice fell due a month before today (real clock). */
function caseBody() {
  const today = DateTime.now().setZone('Europe/Paris');
  return {
    reference: `STACK-${randomBytes(4).toString('hex')}`,
    creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
    debtor: { kind: 'business', name: 'Dupont SARL', email: 'compta@dupont.example' },
    claim: {
      nature: 'Maintenance, octobre',
      basis: 'Bon de commande BC-778 signé',
      invoices: [
        {
          number: 'F-118',
          issueDate: today.minus({ days: 60 }).toISODate()!,
          dueDate: today.minus({ days: 30 }).toISODate()!,
          amountCents: 185000,
        },
      ],
    },
  };
}

async function killAndAwaitRestart(stack: RunningStack, name: 'worker' | 'api' | 'ferretdb'): Promise<number> {
  const before = stack.state()!.services[name]!;
  process.kill(before, 'SIGKILL');
  await waitFor(
    () => {
      const now = stack.state()?.services[name];
      return now !== undefined && now !== before && isAlive(now);
    },
    30_000,
    `the supervisor to restart ${name}`,
  );
  expect(stack.output()).toContain(`${name} stopped unexpectedly: exited with SIGKILL`);
  expect(stack.output()).toMatch(new RegExp(`${name} restarted \\(pid \\d+\\)`));
  return before;
}

async function expectAllGone(stack: RunningStack, pids: number[], ports: number[]): Promise<void> {
  await waitFor(() => pids.every((pid) => !isAlive(pid)), 20_000, 'every part to stop');
  for (const port of ports) expect(await isPortOpen(port)).toBe(false);
  expect(stack.state()).toBeUndefined();
}

test('SIGKILL of the worker, the API and FerretDB: each is restarted; 503 while the database is down, then it recovers', async () => {
  // A restart delay long enough to watch the outage from outside, even on a slow machine: the
  // three requests below must all land before FerretDB is back (a 3 s delay let CI's intake through).
  const restartDelayMs = 15_000;
  const stack = await startStack({ buildDir, env: { AMIABLE_RESTART_DELAY_MS: String(restartDelayMs) } });
  stacks.push(stack);
  const manager = stack.keys.manager;
  const operations = stack.keys.operations;
  expect((await request(`${stack.apiUrl}/cases`, { key: manager })).status).toBe(200);

  await killAndAwaitRestart(stack, 'worker');

  await killAndAwaitRestart(stack, 'api');
  await waitFor(async () => (await request(`${stack.apiUrl}/health`)).status === 200, 30_000, 'the API to serve');

  const apiPid = stack.state()!.services.api!;
  const killedAt = Date.now();
  const ferretdbPid = stack.state()!.services.ferretdb!;
  process.kill(ferretdbPid, 'SIGKILL');
  // While FerretDB is down: an answer, 503 `unavailable`, not a hang — sent together so that none
  // waits on another's server-selection timeout. The agents' queue is read from the database
  // (`GET /cases` lists from Temporal's visibility, which an empty stack answers without it).
  const [duringOutage, intakeDuringOutage, health] = await Promise.all([
    request(`${stack.apiUrl}/call-tasks`, { key: manager }),
    request(`${stack.apiUrl}/cases`, { method: 'POST', key: operations, body: caseBody() }),
    request(`${stack.apiUrl}/health`),
  ]);
  expect(Date.now() - killedAt).toBeLessThan(restartDelayMs);
  expect(duringOutage.status).toBe(503);
  expect(duringOutage.body).toMatchObject({ error: { code: 'unavailable' } });
  expect(duringOutage.ms).toBeLessThan(5_000);
  expect(intakeDuringOutage.status).toBe(503);
  expect(intakeDuringOutage.ms).toBeLessThan(5_000);
  expect(health.status).toBe(503);
  expect(health.body).toMatchObject({ database: { status: 'down' } });

  await waitFor(
    async () => (await request(`${stack.apiUrl}/call-tasks`, { key: manager })).status === 200,
    60_000,
    'the API to serve from the database again',
  );
  const recoveredAfterMs = Date.now() - killedAt;
  expect(stack.state()!.services.ferretdb).not.toBe(ferretdbPid);
  // The same API process: it recovered by itself.
  expect(stack.state()!.services.api).toBe(apiPid);
  const opened = await request(`${stack.apiUrl}/cases`, { method: 'POST', key: operations, body: caseBody() });
  expect(opened.status).toBe(201);
  // Back within a few seconds of FerretDB's restart, without restarting the API.
  expect(recoveredAfterMs).toBeLessThan(restartDelayMs + 20_000);

  // SIGTERM to start.js: everything stops, in order, and nothing is left.
  const pids = Object.values(stack.state()!.services);
  process.kill(stack.top.pid!, 'SIGTERM');
  expect(await stack.exited).toEqual({ code: 0, signal: null });
  expect(stack.output()).toMatch(/stopping…[\s\S]*stopped\./);
  await expectAllGone(stack, pids, [Number(new URL(stack.apiUrl).port)]);
}, 240_000);

test.each(['SIGTERM', 'SIGINT'] as const)(
  '%s to the npm process running `npm start` stops everything, leaving no orphan',
  async (signal) => {
    const stack = await startStack({ buildDir, viaNpm: true });
    stacks.push(stack);
    const state = stack.state()!;
    const pids = [state.pid, ...Object.values(state.services)];
    expect(pids).toHaveLength(5);
    process.kill(stack.top.pid!, signal);
    await stack.exited;
    await expectAllGone(stack, pids, [Number(new URL(stack.apiUrl).port)]);
    expect(stack.output()).toContain('stopped.');
  },
  180_000,
);
