import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { recordHistory } from '../helpers/histories';
import { bundleWorkflows, createTimeSkippingEnv } from '../helpers/temporal';
import { nextPinnedInstant, testClockPin } from '../helpers/test-clock';
import { noteSignal, notesQuery, replyUpdate, waitForReply } from '../fixtures/wait-for-reply';

const DAY_MS = 24 * 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflows(require.resolve('../fixtures/wait-for-reply')),
  ]);
});

afterAll(async () => {
  await env?.teardown();
});

test('the server starts at the test clock: the next instant matching AMIABLE_TEST_CLOCK, in Paris', async () => {
  const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' });
  // Real seconds have passed on the server since the move (bundling runs beside it): a margin.
  const pinned = nextPinnedInstant(now.minus({ minutes: 5 }), testClockPin());
  expect(now.toMillis() - pinned.toMillis()).toBeGreaterThanOrEqual(0);
  expect(now.toMillis() - pinned.toMillis()).toBeLessThan(5 * 60_000);
});

async function withWorker<T>(taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
  return worker.runUntil(fn());
}

test('a 30-day durable wait elapses in virtual time, in seconds of wall time', async () => {
  const wallStart = Date.now();
  const virtualStart = await env.currentTimeMs();
  const result = await withWorker('thirty-days', async () => {
    const handle = await env.client.workflow.start(waitForReply, {
      args: [30],
      workflowId: 'wait-30-days',
      taskQueue: 'thirty-days',
    });
    const finished = await handle.result();
    await recordHistory(handle, 'fixtures', 'thirty-day-timeout');
    return finished;
  });
  expect(result.outcome).toBe('timed_out');
  expect(result.finishedAt - virtualStart).toBeGreaterThanOrEqual(30 * DAY_MS);
  expect(result.finishedAt - virtualStart).toBeLessThan(31 * DAY_MS);
  // Without time skipping this test would take a month; the bound only proves skipping happened.
  expect(Date.now() - wallStart).toBeLessThan(60_000);
});

test('a signal and an update arriving mid-wait are handled, and a rejected update leaves no trace', async () => {
  await withWorker('mid-wait', async () => {
    const virtualStart = await env.currentTimeMs();
    const handle = await env.client.workflow.start(waitForReply, {
      args: [30],
      workflowId: 'wait-mid-wait',
      taskQueue: 'mid-wait',
    });
    await env.sleep('10 days');
    await handle.signal(noteSignal, 'debtor called back');
    expect(await handle.query(notesQuery)).toEqual(['debtor called back']);

    await expect(handle.executeUpdate(replyUpdate, { args: ['   '] })).rejects.toThrow(WorkflowUpdateFailedError);
    const accepted = await handle.executeUpdate(replyUpdate, { args: ['Je paierai vendredi'] });
    expect(accepted.acceptedAt - virtualStart).toBeGreaterThanOrEqual(10 * DAY_MS);
    expect(accepted.acceptedAt - virtualStart).toBeLessThan(11 * DAY_MS);

    const result = await handle.result();
    await recordHistory(handle, 'fixtures', 'signal-and-update-mid-wait');
    expect(result).toMatchObject({ outcome: 'replied', reply: 'Je paierai vendredi', notes: ['debtor called back'] });

    // The validator ran before anything was written: history holds one accepted update only.
    const history = await handle.fetchHistory();
    const updateEvents = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(updateEvents).toHaveLength(1);
  });
});
