/**
 * Runs the case workflow on a time-skipping server with activities that record what they were
 * asked and when (in the server's virtual time), so tests can assert the exact sequence and timing.
 */
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { CaseActivities, SendMessageResult } from '../../activities/contracts';
import { easterSunday } from '../../domain/calendar';
import { openingOffsetSeconds } from '../../domain/case/opening-spread';
import { planWorkflowIdOf } from '../../domain/case/state';
import { DEFAULT_RATE_TABLE } from '../../domain/late-charges';
import type { CaseInput } from '../../domain/case/types';
import { caseWorkflowId, getCaseQuery } from '../../workflows/case-definitions';
import { collectionCase } from '../../workflows/collection-case';
import { registerSearchAttributes } from '../../worker/register-search-attributes';
import { bundleWorkflows, createTimeSkippingEnv } from '../helpers/temporal';

export interface ActivityCall {
  name: keyof CaseActivities;
  at: string;
  input: Record<string, unknown>;
}

export type SendBehaviour = (input: Parameters<CaseActivities['sendMessage']>[0]) => SendMessageResult;

export function recordingActivities(send: SendBehaviour = () => ({ status: 'simulated', summary: 'simulated' })) {
  const calls: ActivityCall[] = [];
  const record = (name: keyof CaseActivities, input: unknown) => {
    const at = new Date(Context.current().info.currentAttemptScheduledTimestampMs).toISOString();
    calls.push({ name, at, input: input as Record<string, unknown> });
  };
  const activities: CaseActivities = {
    async sendMessage(input) {
      record('sendMessage', input);
      return send(input);
    },
    async createCallTask(input) {
      record('createCallTask', input);
    },
    async closeCallTask(input) {
      record('closeCallTask', input);
    },
    async recordJournal(entries) {
      record('recordJournal', { entries });
    },
    async saveCaseProjection(view) {
      record('saveCaseProjection', view);
    },
    async handOffCase(input) {
      record('handOffCase', input);
      return { summary: 'dossier transmis (simulé)' };
    },
    async raiseManagerAlert(input) {
      record('raiseManagerAlert', input);
    },
    async reopenUnknownSend(input) {
      record('reopenUnknownSend', input);
    },
    // Not recorded: it reads, it tells no one anything. Replace it to give a case another table.
    async currentRates() {
      return DEFAULT_RATE_TABLE;
    },
  };
  return { activities, calls };
}

/** The calls that reach the debtor or an agent, as `name stage/channel @ Paris time`. */
export function outwardCalls(calls: ActivityCall[]): string[] {
  return calls
    .filter((call) => ['sendMessage', 'createCallTask', 'handOffCase'].includes(call.name))
    .map((call) => {
      const what =
        call.name === 'sendMessage'
          ? `${call.input.stage}/${call.input.channel}`
          : call.name === 'createCallTask'
            ? `${call.input.reason} due ${parisTime(call.input.dueAt as string)}`
            : 'handoff';
      return `${call.name} ${what} @ ${parisTime(call.at)}`;
    });
}

export function journalTypes(calls: ActivityCall[]): string[] {
  return calls
    .filter((call) => call.name === 'recordJournal')
    .flatMap((call) => (call.input.entries as { type: string }[]).map((entry) => entry.type));
}

/**
 * A window opening (`HH:mm`) plus this case's offset (domain/case/opening-spread.ts), as the
 * minute a message deferred to that opening goes: each case has its own.
 */
export function afterOpening(caseId: string, opening: string): string {
  const [hour, minute] = opening.split(':').map(Number);
  const total = hour! * 60 + minute! + Math.floor(openingOffsetSeconds(caseId) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

export const parisTime = (instant: string): string =>
  DateTime.fromISO(instant, { zone: 'Europe/Paris' }).toFormat('ccc yyyy-MM-dd HH:mm');

/**
 * Moves the server clock to 09:00 Paris on the first Monday of February of a coming year: a known
 * weekday in a month with no French public holiday, so expected dates do not depend on the day the
 * suite runs. The year is the first after the server's one whose Easter Monday comes more than ten
 * weeks after that Monday: the standard policy's steps (mise en demeure about A+56, handoff A+68)
 * then never meet it, whatever year earlier tests of the file moved the clock to (a letter due on
 * Easter Monday 2056 went a day later).
 */
export async function moveClockToAnchor(env: TestWorkflowEnvironment): Promise<DateTime> {
  const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' });
  const anchor = anchorAfter(now.year);
  await env.sleep(anchor.toMillis() - now.toMillis());
  return anchor;
}

/** The first Monday of February after `year` that has no public holiday within ten weeks. */
export function anchorAfter(year: number): DateTime {
  for (let candidate = year + 1; ; candidate += 1) {
    let anchor = DateTime.fromObject({ year: candidate, month: 2, day: 1, hour: 9 }, { zone: 'Europe/Paris' });
    while (anchor.weekday !== 1) anchor = anchor.plus({ days: 1 });
    const easterMonday = DateTime.fromISO(easterSunday(candidate), { zone: 'Europe/Paris' }).plus({ days: 1 });
    if (easterMonday.diff(anchor.startOf('day'), 'days').days > 70) return anchor;
  }
}

export function caseInput(anchor: DateTime, overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    caseId: 'c_test',
    reference: 'INV-2025-0042',
    creditorId: 'acme',
    debtorKind: 'business',
    policyId: 'standard',
    currency: 'EUR',
    invoices: [
      {
        number: 'F-2025-118',
        issueDate: anchor.minus({ days: 33 }).toISODate()!,
        dueDate: anchor.minus({ days: 3 }).toISODate()!,
        amountCents: 185000,
      },
    ],
    openedAt: anchor.toUTC().toISO()!,
    ...overrides,
  };
}

export async function startCaseWorker(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  activities: CaseActivities,
  taskQueue: string,
): Promise<Worker> {
  await registerSearchAttributes(env.connection, 'default');
  return Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
}

export async function startCase(env: TestWorkflowEnvironment, input: CaseInput, taskQueue: string) {
  return env.client.workflow.start(collectionCase, {
    args: [input],
    workflowId: caseWorkflowId(input.caseId),
    taskQueue,
  });
}

export { getCaseQuery };

/**
 * One workflow bundle per file, one time-skipping server per test: after a plan's workflow ends
 * beside its case, the Java test server sometimes stops skipping time for the workflows that come
 * next (the real server does not), so no test inherits another's server.
 */
export function setUpServerPerTest(
  use: (env: TestWorkflowEnvironment, bundle: WorkflowBundleWithSourceMap) => void,
): void {
  let bundle: WorkflowBundleWithSourceMap;
  let started: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    bundle = await bundleWorkflows(require.resolve('../../workflows'));
  });
  beforeEach(async () => {
    started = await createTimeSkippingEnv();
    use(started, bundle);
  });
  afterEach(async () => {
    await started?.teardown();
  });
}

/**
 * One time-skipping server and one workflow bundle per test file (skipped time is global to a
 * server, so files running in parallel must not share one); `use` receives them before the tests.
 */
export function setUpCaseWorkflowFile(
  use: (env: TestWorkflowEnvironment, bundle: WorkflowBundleWithSourceMap) => void,
): void {
  let started: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    const [env, bundle] = await Promise.all([
      createTimeSkippingEnv(),
      bundleWorkflows(require.resolve('../../workflows')),
    ]);
    started = env;
    use(env, bundle);
  });
  afterAll(async () => {
    await started?.teardown();
  });
}

export interface CaseWorkflowFile {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
}

/** `setUpCaseWorkflowFile` for a file that drives its case by hand: the server and bundle, set before the tests. */
export function caseWorkflowFile(): CaseWorkflowFile {
  const file = {} as CaseWorkflowFile;
  setUpCaseWorkflowFile((env, bundle) => Object.assign(file, { env, bundle }));
  return file;
}

/**
 * The start of a test that runs one case by hand: the clock at a fresh anchor (a Monday 09:00
 * Paris), recording activities, and a worker on the case's own task queue.
 */
export async function caseOnItsOwnQueue(file: CaseWorkflowFile, taskQueue: string) {
  const { env, bundle } = file;
  const anchor = await moveClockToAnchor(env);
  const { activities, calls } = recordingActivities();
  const worker = await startCaseWorker(env, bundle, activities, taskQueue);
  return { env, anchor, activities, calls, worker };
}

export type CaseHandle = WorkflowHandle<typeof collectionCase>;

export interface CaseRun {
  handle: CaseHandle;
  calls: ActivityCall[];
  /** A+days at HH:mm Paris, formatted like outwardCalls. */
  at: (days: number, time?: string) => string;
  /** A+days at this case's own minute after a window opening (`afterOpening`), formatted like outwardCalls. */
  sent: (days: number, opening: string) => string;
  /** The calendar date of A+days, for paidAt, promisedDate, dueDate. */
  day: (days: number) => string;
  /** An instant A+days at HH:mm Paris, for until, callbackAt. */
  instant: (days: number, time?: string) => string;
  /** Lets virtual time run until A+days at HH:mm Paris: the workflow wakes on the way. */
  sleepUntil: (days: number, time?: string) => Promise<void>;
}

/**
 * Moves the clock to a fresh anchor (a Monday 09:00 Paris), opens the case on its own task queue
 * and runs the body. Afterwards the case and its plans are ended if still running.
 */
export async function runCaseOn<T>(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  caseId: string,
  body: (run: CaseRun) => Promise<T>,
  options: { adapt?: (activities: CaseActivities) => void; input?: Partial<CaseInput> } = {},
): Promise<T> {
  const anchor = await moveClockToAnchor(env);
  const { activities, calls } = recordingActivities();
  options.adapt?.(activities);
  const worker = await startCaseWorker(env, bundle, activities, caseId);
  const wall = (days: number, time = '00:00'): DateTime => {
    const [hour, minute] = time.split(':').map(Number);
    return anchor.plus({ days }).set({ hour, minute });
  };
  return worker.runUntil(async () => {
    const handle = await startCase(env, caseInput(anchor, { caseId, ...options.input }), caseId);
    try {
      return await body({
        handle,
        calls,
        at: (days, time) => wall(days, time).toFormat('ccc yyyy-MM-dd HH:mm'),
        sent: (days, opening) => wall(days, afterOpening(caseId, opening)).toFormat('ccc yyyy-MM-dd HH:mm'),
        day: (days) => wall(days).toISODate()!,
        instant: (days, time) => wall(days, time).toUTC().toISO()!,
        sleepUntil: async (days, time) => {
          await env.sleep(Math.max(1, wall(days, time).toMillis() - (await env.currentTimeMs())));
        },
      });
    } finally {
      // A workflow left open would wake later with no worker to run it, and a workflow task nobody
      // picks up stops the server from skipping time: the next test's clock move would hang. Plans
      // outlive their case by design (parent close policy ABANDON), so they are ended too.
      await endIfRunning(env, handle.workflowId);
      // A child the case asked for just before it ended may appear a moment later.
      for (let round = 0; round < 3; round += 1) {
        for (const n of [1, 2, 3, 4, 5]) await endIfRunning(env, planWorkflowIdOf(caseId, n));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
}

/** The update was refused by its validator with this ApplicationFailure type. */
export async function expectRefused(
  update: Promise<unknown>,
  type: 'invalid_transition' | 'unprocessable',
): Promise<void> {
  const error = await update.then(
    () => new Error('the update was accepted'),
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(type);
}

async function endIfRunning(env: TestWorkflowEnvironment, workflowId: string): Promise<void> {
  const handle = env.client.workflow.getHandle(workflowId);
  const status = await handle.describe().then(
    (description) => description.status.name,
    () => 'NOT_FOUND',
  );
  if (status === 'RUNNING') await handle.terminate('end of test').catch(() => undefined);
}

/** Waits (in real time) for a workflow the case starts as its child, which it does just after the Update. */
export async function started(env: TestWorkflowEnvironment, workflowId: string) {
  const handle = env.client.workflow.getHandle(workflowId);
  for (let tries = 0; ; tries += 1) {
    try {
      await handle.describe();
      return handle;
    } catch (error) {
      if (tries > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
