import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { History } from '@temporalio/common/lib/proto-utils';

/**
 * Recorded workflow histories, one folder per workflow module, replayed by test/replay. They are
 * the safety net for changing workflow code while cases are running: a change that would not
 * replay an old history needs a patch.
 */
export const HISTORIES_DIR = path.join(__dirname, '..', 'replay', 'histories');

/**
 * Tests that drive a workflow through a path call this at the end. With AMIABLE_RECORD_HISTORIES=1
 * the history is (re)written; otherwise nothing happens. Re-record only for a new path, never to
 * make an old history fit changed code.
 */
export async function recordHistory(handle: WorkflowHandle, suite: string, name: string): Promise<void> {
  if (process.env.AMIABLE_RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  const dir = path.join(HISTORIES_DIR, suite);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}

export function loadHistories(suite: string): { workflowId: string; history: History }[] {
  const dir = path.join(HISTORIES_DIR, suite);
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      workflowId: `${suite}/${path.basename(file, '.json')}`,
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))),
    }));
}
