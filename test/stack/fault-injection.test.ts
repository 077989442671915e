/**
 * The fault-injection run of `npm run bench:faults`, small: real processes (the stack's FerretDB,
 * worker and API under scripts/start.js, a time-skipping test server, a SendGrid stand-in), the
 * worker SIGKILLed mid-burst and FerretDB SIGKILLed while sends are recorded. Every due e-mail
 * must reach the stand-in exactly once, every case must still be there, the dead parts must be
 * back, and the API must answer 503 during the outage and recover by itself.
 */
import { rmSync } from 'node:fs';
import { formatTable, runFaultInjection } from '../../bench/fault-injection';
import { compileForStack } from './stack-harness';

let buildDir: string;

beforeAll(() => {
  buildDir = compileForStack();
}, 240_000);

afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

test('a worker and a database killed mid-burst: no e-mail twice, none lost, the stack recovers', async () => {
  const result = await runFaultInjection({ cases: 12, buildDir, log: () => undefined, settleTimeoutMs: 120_000 });
  process.stdout.write(`${formatTable(result)}\n`);
  expect(result.workerKilledAfterSends).toBeGreaterThan(0);
  expect(result.databaseKilledAfterSends).toBeDefined();
  expect({ duplicated: result.duplicatedKeys, lost: result.lostKeys }).toEqual({ duplicated: [], lost: [] });
  expect(result.delivered).toBe(result.due);
  expect(result.casesFoundAfter).toBe(result.casesOpened);
  // The workflows moved on after the crash (not only their e-mails): each case answers live, at the
  // stage of its first reminder, and its journal has the e-mail sent.
  expect(result.caseReadSources).toEqual({ saved: result.casesOpened });
  expect(result.stagesAfter).toEqual({ reminder_1: result.casesOpened });
  expect(result.journalOutcomes).toEqual({ sent: result.casesOpened });
  expect(result.workerRestarted).toBe(true);
  expect(result.databaseRestarted).toBe(true);
  expect(result.apiDuringOutage.unavailable).toBeGreaterThan(0);
  expect(result.apiDuringOutage.other).toEqual({});
  expect(result.apiRecoveryMs).toBeDefined();
  expect(result.apiRestarted).toBe(false);
}, 420_000);
