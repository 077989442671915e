import { rmSync } from 'node:fs';
import type { TestRunState } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const run = (globalThis as TestRunState).amiableTestRun;
  if (!run) return;
  await run.supervisor.stopAll();
  rmSync(run.dataDir, { recursive: true, force: true });
}
