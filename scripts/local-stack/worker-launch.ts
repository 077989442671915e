import os from 'node:os';
import { loadWorkerSizingEnv } from '../../config';
import { workerNodeArgs, workerSizing, type WorkerSizing } from '../../worker/sizing';

/**
 * How `npm start` launches the worker: node's heap limit is a flag of the process, so it is chosen
 * here, from the same budget the worker sizes its cache and concurrency from (worker/sizing.ts).
 */
export function workerLaunch(
  script: string,
  env: Record<string, string | undefined>,
  totalMemoryBytes: number = os.totalmem(),
): { args: string[]; sizing: WorkerSizing } {
  const sizing = workerSizing({ totalMemoryBytes, ...loadWorkerSizingEnv(env) });
  return { args: [...workerNodeArgs(sizing), script], sizing };
}
