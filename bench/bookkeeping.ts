/**
 * What a case's bookkeeping costs in workflow tasks (issue 14): a standard case (default policy,
 * no reply) runs from opening to handoff on a time-skipping server, then a bare workflow that only
 * waits the same timers and calls the same world-acting activities, taken from the case's own
 * history. Prints the workflow tasks, activities and local activities of both and the ratio.
 *
 *   npm run bench:bookkeeping
 *
 * Target: ratio ≤ 1.3 (it was 1.8 before the projection and journal became local activities).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { History } from '@temporalio/common/lib/proto-utils';
import { DateTime } from 'luxon';
import type { CaseActivities } from '../activities/contracts';
import { easterSunday } from '../domain/calendar';
import { DEFAULT_RATE_TABLE } from '../domain/late-charges';
import type { CaseInput } from '../domain/case/types';
import { caseWorkflowId } from '../workflows/case-definitions';
import { registerSearchAttributes } from '../worker/register-search-attributes';
import { provisionTool } from '../scripts/local-stack/provision';
import type { BareStep } from './bookkeeping/bare-workflow';

const EventType = temporal.api.enums.v1.EventType;

/** The activities that act on the world (a debtor, an agent, a commissaire de justice, a manager). */
const WORLD_ACTING = new Set([
  'sendMessage',
  'createCallTask',
  'closeCallTask',
  'handOffCase',
  'raiseManagerAlert',
  'reopenUnknownSend',
]);

interface Counts {
  workflowTasks: number;
  activities: Map<string, number>;
  localActivities: Map<string, number>;
  timersFired: number;
  events: number;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

type Duration = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;

function durationMs(duration: Duration): number {
  const seconds = duration?.seconds;
  const whole = typeof seconds === 'object' && seconds !== null ? seconds.toNumber() : Number(seconds ?? 0);
  return whole * 1000 + Math.floor((duration?.nanos ?? 0) / 1e6);
}

/** The local activity's type, from the marker core records for it (JSON payload). */
function localActivityType(event: temporal.api.history.v1.IHistoryEvent): string {
  const data = event.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  if (!data) return 'local activity';
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string };
    return parsed.activity_type ?? 'local activity';
  } catch {
    return 'local activity';
  }
}

function countOf(history: History): Counts {
  const counts: Counts = {
    workflowTasks: 0,
    activities: new Map(),
    localActivities: new Map(),
    timersFired: 0,
    events: history.events?.length ?? 0,
  };
  for (const event of history.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) counts.workflowTasks += 1;
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      bump(counts.activities, event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
    if (
      event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
      event.markerRecordedEventAttributes?.markerName === 'core_local_activity'
    )
      bump(counts.localActivities, localActivityType(event));
    if (event.eventType === EventType.EVENT_TYPE_TIMER_FIRED) counts.timersFired += 1;
  }
  return counts;
}

/** The bare workflow's script: the case's fired timers and world-acting activities, in order. */
function bareStepsOf(history: History): BareStep[] {
  const started = new Map<string, number>();
  const steps: BareStep[] = [];
  for (const event of history.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_TIMER_STARTED) {
      const attributes = event.timerStartedEventAttributes!;
      started.set(attributes.timerId!, durationMs(attributes.startToFireTimeout as Duration));
    }
    if (event.eventType === EventType.EVENT_TYPE_TIMER_FIRED) {
      steps.push({ kind: 'sleep', ms: started.get(event.timerFiredEventAttributes!.timerId!)! });
    }
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && name && WORLD_ACTING.has(name)) {
      steps.push({ kind: 'activity', name });
    }
  }
  return steps;
}

/** A Monday 09:00 Paris in February of a coming year, clear of Easter (as test/workflows anchor). */
function anchorAfter(year: number): DateTime {
  for (let candidate = year + 1; ; candidate += 1) {
    let anchor = DateTime.fromObject({ year: candidate, month: 2, day: 1, hour: 9 }, { zone: 'Europe/Paris' });
    while (anchor.weekday !== 1) anchor = anchor.plus({ days: 1 });
    const easterMonday = DateTime.fromISO(easterSunday(candidate), { zone: 'Europe/Paris' }).plus({ days: 1 });
    if (easterMonday.diff(anchor.startOf('day'), 'days').days > 70) return anchor;
  }
}

function standardCase(anchor: DateTime): CaseInput {
  return {
    caseId: 'c_bench_bookkeeping',
    reference: 'BENCH-0001',
    creditorId: 'acme',
    debtorKind: 'business',
    policyId: 'standard',
    currency: 'EUR',
    invoices: [
      {
        number: 'F-BENCH-1',
        issueDate: anchor.minus({ days: 33 }).toISODate()!,
        dueDate: anchor.minus({ days: 3 }).toISODate()!,
        amountCents: 185000,
      },
    ],
    openedAt: anchor.toUTC().toISO()!,
  };
}

const caseActivities: CaseActivities = {
  sendMessage: async () => ({ status: 'simulated', summary: 'simulé' }),
  createCallTask: async () => undefined,
  closeCallTask: async () => undefined,
  recordJournal: async () => undefined,
  saveCaseProjection: async () => undefined,
  handOffCase: async () => ({ summary: 'dossier transmis (simulé)' }),
  raiseManagerAlert: async () => undefined,
  reopenUnknownSend: async () => undefined,
  currentRates: async () => DEFAULT_RATE_TABLE,
};

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

function describeCounts(label: string, counts: Counts): string {
  const list = (map: Map<string, number>) => [...map].map(([name, n]) => `${name} ×${n}`).join(', ') || 'none';
  const total = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
  return [
    `${label}`,
    `  workflow tasks completed ${counts.workflowTasks}   history events ${counts.events}   timers fired ${counts.timersFired}`,
    `  activities ${total(counts.activities)}: ${list(counts.activities)}`,
    `  local activities ${total(counts.localActivities)}: ${list(counts.localActivities)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: provisionTool('test-server') } },
  });
  try {
    await registerSearchAttributes(env.connection, 'default');
    const [caseBundle, bareBundle] = await Promise.all([
      bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quiet }),
      bundleWorkflowCode({ workflowsPath: require.resolve('./bookkeeping/bare-workflow'), logger: quiet }),
    ]);
    const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' });
    const anchor = anchorAfter(now.year);
    await env.sleep(anchor.toMillis() - now.toMillis());

    const input = standardCase(anchor);
    const caseWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench-case',
      workflowBundle: caseBundle,
      activities: caseActivities,
    });
    const caseHistory = await caseWorker.runUntil(async () => {
      const handle = await env.client.workflow.start('collectionCase', {
        args: [input],
        workflowId: caseWorkflowId(input.caseId),
        taskQueue: 'bench-case',
      });
      const result = (await handle.result()) as { status: string };
      if (result.status !== 'handed_off') throw new Error(`the standard case ended ${result.status}, not handed_off`);
      return handle.fetchHistory();
    });

    const steps = bareStepsOf(caseHistory);
    const bareActivities = Object.fromEntries([...WORLD_ACTING].map((name) => [name, async () => undefined]));
    const bareWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench-bare',
      workflowBundle: bareBundle,
      activities: bareActivities,
    });
    const bareHistory = await bareWorker.runUntil(async () => {
      const handle = await env.client.workflow.start('bareCase', {
        args: [steps],
        workflowId: 'bench-bare-case',
        taskQueue: 'bench-bare',
      });
      await handle.result();
      return handle.fetchHistory();
    });

    const real = countOf(caseHistory);
    const bare = countOf(bareHistory);
    console.log('bookkeeping: a standard case (default policy, no reply) from opening to handoff');
    console.log(describeCounts('case workflow', real));
    console.log(describeCounts('bare workflow (same timers, same world-acting activities)', bare));
    const ratio = real.workflowTasks / bare.workflowTasks;
    console.log(
      `ratio of workflow tasks: ${real.workflowTasks} / ${bare.workflowTasks} = ${ratio.toFixed(2)}× (target ≤ 1.3×)`,
    );
  } finally {
    await env.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
