/**
 * Fault injection on the real local stack (issue 12, "Done when"): scripts/start.js supervising
 * FerretDB, the worker and the API as separate processes, against a Temporal time-skipping test
 * server process and a local SendGrid stand-in (send, and the Email Activity lookup the worker uses
 * to settle a send a crash left unknown). It opens N cases whose first e-mail is due, kills the
 * worker with SIGKILL in the middle of the burst of sends, kills FerretDB with SIGKILL while sends
 * are still being recorded, and prints: messages due / delivered / duplicates / lost, the API's
 * answers during the outage, its recovery time, and whether the dead parts were restarted.
 *
 *   npm run bench:faults [cases]      # default 60, at most 300
 *
 * Time: e-mails only leave in the contact window (domain/contact-limits.ts), so the test server's
 * clock is moved, before any case opens, to 10:05 Paris time on the next working day; from there it
 * runs at real pace. Nothing depends on the hour the script runs. Loopback only, bounded in count
 * and time (it gives up after a few minutes and says so). Exit code 1 when a message was sent twice
 * or never, or when a part did not come back.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { NO_RESTRICTIONS, nextAllowedContact } from '../domain/contact-limits';
import { provisionTool } from '../scripts/local-stack/provision';
import {
  isAlive,
  request,
  sleep,
  startStack,
  waitUntil,
  type RunningStack,
} from '../scripts/local-stack/stack-process';
import { benchCaseBody } from './case-body';

export interface FaultInjectionResult {
  due: number;
  delivered: number;
  duplicates: number;
  lost: number;
  lostKeys: string[];
  duplicatedKeys: string[];
  casesOpened: number;
  casesFoundAfter: number;
  /** Reads of an opened case that did not answer 200, by status. */
  caseReadFailures: Record<string, number>;
  /** Reads that answered 200, by `X-Case-State`: `live` (the workflow answered) or `stored`. */
  caseReadSources: Record<string, number>;
  /** The stage each case shows afterwards (`reminder_1` once its first e-mail left). */
  stagesAfter: Record<string, number>;
  /** The last journal status of each case's first e-mail (`sent`, `failed`, …): the evidence's account. */
  journalOutcomes: Record<string, number>;
  workerKilledAfterSends: number;
  workerRestarted: boolean;
  databaseKilledAfterSends: number | undefined;
  databaseRestarted: boolean;
  apiDuringOutage: { answers: number; unavailable: number; withRetryAfter: number; other: Record<string, number> };
  apiRecoveryMs: number | undefined;
  apiRestarted: boolean;
  settledAfterMs: number;
  /** From the end of the quiet moment until every case read back live, at its stage, journaled. */
  recordsCaughtUpAfterMs: number;
  timedOut: boolean;
}

export interface FaultInjectionOptions {
  cases: number;
  /** Where the compiled product is (its scripts/start.js runs the stack). */
  buildDir: string;
  log?: (line: string) => void;
  /** How long to wait for every due e-mail before calling the rest lost. */
  settleTimeoutMs?: number;
}

interface StandInSend {
  key: string;
  messageId: string;
}

/** SendGrid's Mail Send (202 + X-Message-Id) and Email Activity (`GET /v3/messages?query=…`). */
function startSendGridStandIn(onSend: (count: number) => void) {
  const sends: StandInSend[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (req.method === 'POST' && url.pathname === '/v3/mail/send') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { custom_args?: Record<string, string> };
        const send = { key: body.custom_args?.idempotencyKey ?? '?', messageId: randomBytes(12).toString('hex') };
        sends.push(send);
        onSend(sends.length);
        // Held a moment, as a real provider is: a worker killed now dies with calls in flight.
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(202, { 'x-message-id': send.messageId }).end();
        }, 150);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/v3/messages') {
        const key = /unique_args\['idempotencyKey'\]="((?:[^"\\]|\\.)*)"/.exec(
          url.searchParams.get('query') ?? '',
        )?.[1];
        const unescaped = key?.replace(/\\(.)/g, '$1');
        const found = sends.filter((send) => send.key === unescaped);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ messages: found.map((send) => ({ msg_id: `${send.messageId}.filter0001.1.0` })) }));
        return;
      }
      res.writeHead(404).end();
    });
  });
  return {
    sends,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** 10:05 Paris on the next working day after `now` at which an e-mail is allowed at once. */
export function nextMorningInWindow(now: Date): Date {
  for (let days = 1; days <= 14; days++) {
    const candidate = DateTime.fromJSDate(now, { zone: 'Europe/Paris' })
      .plus({ days })
      .set({ hour: 10, minute: 5, second: 0, millisecond: 0 })
      .toJSDate();
    const next = nextAllowedContact('email', candidate, [], NO_RESTRICTIONS);
    if (next.kind === 'allowed' && !next.deferred) return candidate;
  }
  throw new Error('no working day in the next two weeks');
}

/**
 * A collectable business claim whose first reminder is the step due when it opens: due five days
 * before the test server's day (the standard policy's reminder 1 comes at 3 days, reminder 2 at 10),
 * which is never ahead of the API's real clock (the server is at most four days ahead).
 */
function caseBody(run: string, index: number, serverDay: DateTime) {
  return benchCaseBody({
    creditor: { id: 'acme', name: 'ACME SAS' },
    reference: `FAULT-${run}-${index}`,
    index,
    dueDate: serverDay.minus({ days: 5 }),
  });
}

/** Runs `work` over `items`, at most `concurrency` at a time, as a client would. */
async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const errorCodeOf = (body: unknown): string | undefined => (body as { error?: { code?: string } })?.error?.code;

export async function runFaultInjection({
  cases,
  buildDir,
  log = (line) => console.error(line),
  settleTimeoutMs = 180_000,
}: FaultInjectionOptions): Promise<FaultInjectionResult> {
  let stack: RunningStack | undefined;
  let temporal: TestWorkflowEnvironment | undefined;

  let workerKillAt = Math.max(1, Math.floor(cases / 3));
  let workerKilledAfterSends = 0;
  let killedWorkerPid: number | undefined;
  let databaseKillAt = Math.max(workerKillAt + 1, Math.floor((2 * cases) / 3));
  let databaseKilledAfterSends: number | undefined;
  let killedDatabasePid: number | undefined;
  let databaseKilledAt = 0;
  const sendgrid = startSendGridStandIn((count) => {
    if (!stack) return;
    // Killed from the stand-in's own handler: the worker dies while this call (and others) are in flight.
    if (count === workerKillAt && killedWorkerPid === undefined) {
      killedWorkerPid = stack.state()?.services.worker;
      workerKilledAfterSends = count;
      if (killedWorkerPid) process.kill(killedWorkerPid, 'SIGKILL');
      log(`[faults] worker ${killedWorkerPid} killed (SIGKILL) at send ${count}`);
    } else if (count === databaseKillAt && killedDatabasePid === undefined && killedWorkerPid !== undefined) {
      killedDatabasePid = stack.state()?.services.ferretdb;
      databaseKilledAfterSends = count;
      databaseKilledAt = Date.now();
      if (killedDatabasePid) process.kill(killedDatabasePid, 'SIGKILL');
      log(`[faults] FerretDB ${killedDatabasePid} killed (SIGKILL) at send ${count}`);
    }
  });

  try {
    const sendgridUrl = await sendgrid.listen();
    log('[faults] starting the Temporal time-skipping test server…');
    temporal = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: provisionTool('test-server') } },
    });
    const morning = nextMorningInWindow(new Date(await temporal.currentTimeMs()));
    await temporal.sleep(morning.getTime() - (await temporal.currentTimeMs()));
    const serverNow = DateTime.fromMillis(await temporal.currentTimeMs(), { zone: 'Europe/Paris' });
    log(`[faults] test server clock moved to ${serverNow.toFormat('cccc dd/MM/yyyy HH:mm')} (Paris)`);

    log('[faults] starting the stack (scripts/start.js: FerretDB, worker, API)…');
    stack = await startStack({
      buildDir,
      temporalAddress: temporal.address,
      env: {
        // Long enough for the outage to be seen from outside, short enough to keep the run brief.
        AMIABLE_RESTART_DELAY_MS: '5000',
        // The time-skipping server sends a workflow's tasks and queries to the worker that ran it
        // last and, unlike the Temporal server, never to the shared queue once that worker is dead:
        // the cases the killed worker held would freeze (their e-mails leave, by activity retries,
        // but the workflow never moves on). Without the worker's cache there are no sticky queues.
        TEMPORAL_MAX_CACHED_WORKFLOWS: '0',
        SENDGRID_API_KEY: 'SG.fault-injection',
        SENDGRID_FROM_EMAIL: 'relances@acme.example',
        SENDGRID_BASE_URL: sendgridUrl,
        SENDGRID_EMAIL_ACTIVITY: 'true',
        SENDGRID_ACTIVITY_SETTLE_SECONDS: '2',
      },
    });
    const { apiUrl, keys } = stack;
    const initialApiPid = stack.state()?.services.api;

    // The API seen from outside during the database outage, which may come while cases still open.
    const outage = { answers: 0, unavailable: 0, withRetryAfter: 0, other: {} as Record<string, number> };
    let apiRecoveryMs: number | undefined;
    const probe = (async () => {
      if (!(await waitUntil(() => databaseKilledAt > 0, settleTimeoutMs))) return;
      while (Date.now() - databaseKilledAt < 60_000) {
        // A read served by the database alone: `GET /cases` lists from Temporal's visibility, which
        // the time-skipping server this bench runs does not implement.
        const answer = await request(`${apiUrl}/call-tasks?limit=1`, { key: keys.manager });
        if (answer.status === 200) {
          apiRecoveryMs = Date.now() - databaseKilledAt;
          return;
        }
        outage.answers += 1;
        if (answer.status === 503 && errorCodeOf(answer.body) === 'unavailable') {
          outage.unavailable += 1;
          if (answer.headers?.get('retry-after')) outage.withRetryAfter += 1;
        } else {
          outage.other[String(answer.status)] = (outage.other[String(answer.status)] ?? 0) + 1;
        }
        await sleep(200);
      }
    })();

    // Opened before the first send goes out (they wait for the worker's workflow tasks), at most
    // eight at a time, as a client would.
    const run = randomBytes(3).toString('hex');
    const ids: string[] = [];
    await inParallel(
      Array.from({ length: cases }, (_, index) => index),
      8,
      async (index) => {
        for (let attempt = 0; ; attempt++) {
          const opened = await request(`${apiUrl}/cases`, {
            method: 'POST',
            key: keys.operations,
            body: caseBody(run, index, serverNow),
          });
          if (opened.status === 201 || opened.status === 200) {
            ids.push((opened.body as { id: string }).id);
            return;
          }
          if (attempt >= 30) throw new Error(`POST /cases answered ${opened.status}: ${JSON.stringify(opened.body)}`);
          await sleep(500);
        }
      },
    );
    const due = new Set(ids.map((id) => `${id}:reminder_1:email`));
    log(`[faults] ${ids.length} cases opened; their first e-mail is due now`);
    // Should the burst end before the planned kills (small runs), kill at what was reached.
    workerKillAt = Math.min(workerKillAt, ids.length);
    databaseKillAt = Math.min(databaseKillAt, ids.length);

    const started = Date.now();
    const delivered = () => new Set(sendgrid.sends.map((send) => send.key).filter((key) => due.has(key)));
    const allDelivered = await waitUntil(() => delivered().size >= due.size, settleTimeoutMs);
    if (databaseKilledAt === 0 && killedWorkerPid !== undefined) {
      // The burst ended before the planned point: the database dies during an API action instead.
      databaseKilledAfterSends = sendgrid.sends.length;
      killedDatabasePid = stack.state()?.services.ferretdb;
      databaseKilledAt = Date.now();
      if (killedDatabasePid) process.kill(killedDatabasePid, 'SIGKILL');
      log(`[faults] FerretDB ${killedDatabasePid} killed (SIGKILL) after the burst`);
    }
    await probe;
    // A quiet moment: a late duplicate (a retry that did not know) would arrive now.
    await sleep(8_000);
    const settledAfterMs = Date.now() - started;

    const counts = new Map<string, number>();
    for (const send of sendgrid.sends) counts.set(send.key, (counts.get(send.key) ?? 0) + 1);
    const duplicatedKeys = [...counts].filter(([, count]) => count > 1).map(([key]) => key);
    const deliveredKeys = delivered();
    const lostKeys = [...due].filter((key) => !deliveredKeys.has(key));

    // Every case read back, as its own page and its journal: the database lost nothing.
    let casesFoundAfter = 0;
    const caseReadFailures: Record<string, number> = {};
    const caseReadSources: Record<string, number> = {};
    const stagesAfter: Record<string, number> = {};
    const journalOutcomes: Record<string, number> = {};
    const count = (tally: Record<string, number>, key: string) => (tally[key] = (tally[key] ?? 0) + 1);
    // A send whose provider call succeeded while the database was down is journaled by the
    // activity's retry (backoff 10 s, 20 s, …): the record catches up, it is not lost. Each case is
    // read until its journal and its stage show the e-mail, or the settle time is out.
    const recordsStarted = Date.now();
    await inParallel(ids, 8, async (id) => {
      const readCase = async () => {
        const found = await request(`${apiUrl}/cases/${encodeURIComponent(id)}`, { key: keys.operations });
        const journal = await request(`${apiUrl}/cases/${encodeURIComponent(id)}/journal`, { key: keys.operations });
        const entries = (
          (journal.body as { entries?: { stage?: string; channel?: string; status?: string }[] })?.entries ?? []
        ).filter((entry) => entry.stage === 'reminder_1' && entry.channel === 'email' && entry.status);
        const outcome = journal.status === 200 ? (entries.at(-1)?.status ?? 'none') : `read ${journal.status}`;
        return { found, outcome };
      };
      let read = await readCase();
      const caughtUp = () =>
        read.found.status === 200 &&
        read.found.headers?.get('x-case-state') === 'saved' &&
        (read.found.body as { stage?: string }).stage === 'reminder_1' &&
        read.outcome === 'sent';
      while (!caughtUp() && Date.now() - recordsStarted < settleTimeoutMs) {
        await sleep(2_000);
        read = await readCase();
      }
      const { found, outcome } = read;
      if (found.status === 200) {
        casesFoundAfter += 1;
        count(caseReadSources, found.headers?.get('x-case-state') ?? 'unsaid');
        count(stagesAfter, (found.body as { stage?: string }).stage ?? '?');
      } else {
        if (Object.keys(caseReadFailures).length === 0)
          log(`[faults] GET /cases/${id}: ${found.status} ${JSON.stringify(found.body)}`);
        count(caseReadFailures, String(found.status));
      }
      count(journalOutcomes, outcome);
    });
    const recordsCaughtUpAfterMs = Date.now() - recordsStarted;
    const state = stack.state();
    return {
      due: due.size,
      delivered: deliveredKeys.size,
      duplicates: [...counts].reduce((sum, [key, n]) => sum + (due.has(key) ? n - 1 : 0), 0),
      lost: lostKeys.length,
      lostKeys,
      duplicatedKeys,
      casesOpened: ids.length,
      casesFoundAfter,
      caseReadFailures,
      caseReadSources,
      stagesAfter,
      journalOutcomes,
      workerKilledAfterSends,
      workerRestarted:
        killedWorkerPid !== undefined && state?.services.worker !== killedWorkerPid && isAlive(state?.services.worker),
      databaseKilledAfterSends,
      databaseRestarted:
        killedDatabasePid !== undefined &&
        state?.services.ferretdb !== killedDatabasePid &&
        isAlive(state?.services.ferretdb),
      apiDuringOutage: outage,
      apiRecoveryMs,
      apiRestarted: state?.services.api !== initialApiPid,
      settledAfterMs,
      recordsCaughtUpAfterMs,
      timedOut: !allDelivered,
    };
  } catch (error) {
    log(`[faults] stack output (last lines):\n${stack?.output().slice(-3000) ?? '(not started)'}`);
    throw error;
  } finally {
    await stack?.stop();
    await sendgrid.close();
    await temporal?.teardown();
  }
}

/** True when nothing was sent twice or never and every dead part came back. */
export function passed(result: FaultInjectionResult): boolean {
  return (
    result.duplicates === 0 &&
    result.lost === 0 &&
    result.casesFoundAfter === result.casesOpened &&
    result.workerRestarted &&
    result.databaseRestarted &&
    result.apiRecoveryMs !== undefined &&
    !result.apiRestarted
  );
}

export function formatTable(result: FaultInjectionResult): string {
  const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);
  const other = Object.entries(result.apiDuringOutage.other)
    .map(([status, count]) => `${count}×${status === '0' ? 'no answer' : status}`)
    .join(', ');
  const rows: [string, string][] = [
    ['messages due', String(result.due)],
    ['delivered to the stand-in (distinct)', String(result.delivered)],
    ['duplicates', String(result.duplicates)],
    ['lost (never delivered)', String(result.lost)],
    [
      'cases opened / read back afterwards',
      `${result.casesOpened} / ${result.casesFoundAfter}${Object.keys(result.caseReadFailures).length ? ` (failed reads: ${JSON.stringify(result.caseReadFailures)})` : ''}`,
    ],
    ['case reads answered by (X-Case-State)', JSON.stringify(result.caseReadSources)],
    ['stage of the cases afterwards', JSON.stringify(result.stagesAfter)],
    ['journal: first e-mail, last status', JSON.stringify(result.journalOutcomes)],
    ['worker SIGKILLed at send #', String(result.workerKilledAfterSends)],
    ['worker restarted by the stack', result.workerRestarted ? 'yes' : 'NO'],
    [
      'FerretDB SIGKILLed at send #',
      result.databaseKilledAfterSends === undefined ? 'not killed' : String(result.databaseKilledAfterSends),
    ],
    ['FerretDB restarted by the stack', result.databaseRestarted ? 'yes' : 'NO'],
    [
      'API answers during the outage',
      `${result.apiDuringOutage.answers} (503 unavailable: ${result.apiDuringOutage.unavailable}, with Retry-After: ${result.apiDuringOutage.withRetryAfter}${other ? `; other: ${other}` : ''})`,
    ],
    ['API recovered after the DB kill in', seconds(result.apiRecoveryMs)],
    ['API process restarted', result.apiRestarted ? 'yes (it should not need to)' : 'no (recovered by itself)'],
    ['all sends settled after', `${seconds(result.settledAfterMs)}${result.timedOut ? ' (TIMED OUT)' : ''}`],
    ['every case record caught up after', seconds(result.recordsCaughtUpAfterMs)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

async function main(): Promise<void> {
  const cases = Math.max(3, Math.min(300, Number(process.argv[2] ?? 60)));
  const result = await runFaultInjection({ cases, buildDir: path.resolve(__dirname, '..') });
  console.log(formatTable(result));
  if (result.lostKeys.length) console.log(`lost: ${result.lostKeys.slice(0, 20).join(', ')}`);
  if (result.duplicatedKeys.length) console.log(`duplicated: ${result.duplicatedKeys.slice(0, 20).join(', ')}`);
  const ok = passed(result);
  console.log(ok ? 'PASS' : 'FAIL');
  process.exit(ok ? 0 : 1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
