import { Context } from '@temporalio/activity';

/**
 * Heartbeats while `work` runs. A worker that dies mid-send is then noticed within the heartbeat
 * timeout (seconds) rather than the start-to-close timeout (minutes), and the retry — which finds
 * the claimed send and does not repeat it — comes as soon. Outside an activity (unit tests) it
 * only runs `work`.
 */
export async function withHeartbeat<T>(work: () => Promise<T>, everyMs = 3_000): Promise<T> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return work();
  }
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
