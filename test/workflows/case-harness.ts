/**
 * Runs the case workflow on a time-skipping server with activities that record what they were
 * asked and when (in the server's virtual time), so tests can assert the exact sequence and timing.
 */
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { CaseActivities, SendMessageResult } from '../../activities/contracts';
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

export const parisTime = (instant: string): string =>
  DateTime.fromISO(instant, { zone: 'Europe/Paris' }).toFormat('ccc yyyy-MM-dd HH:mm');

/**
 * Moves the server clock to 09:00 Paris on the first Monday of February of the coming year: a
 * known weekday in a month with no French public holiday, so expected dates do not depend on the
 * day the suite runs.
 */
export async function moveClockToAnchor(env: TestWorkflowEnvironment): Promise<DateTime> {
  const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' });
  let anchor = DateTime.fromObject({ year: now.year + 1, month: 2, day: 1, hour: 9 }, { zone: 'Europe/Paris' });
  while (anchor.weekday !== 1) anchor = anchor.plus({ days: 1 });
  await env.sleep(anchor.toMillis() - now.toMillis());
  return anchor;
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
