/**
 * Bench only (npm run bench:bookkeeping): the floor a case workflow is compared with. It waits the
 * same timers and calls the same world-acting activities, in the order a real case did, and keeps
 * no state, journal or projection. Its own bundle: it is never registered by the product's worker.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';

export type BareStep = { kind: 'sleep'; ms: number } | { kind: 'activity'; name: string };

type AnyActivity = (input: unknown) => Promise<unknown>;

const acts = proxyActivities<Record<string, AnyActivity>>({ startToCloseTimeout: '2 minutes' });

export async function bareCase(steps: BareStep[]): Promise<number> {
  for (const step of steps) {
    if (step.kind === 'sleep') await sleep(step.ms);
    else await acts[step.name]!({});
  }
  return steps.length;
}
