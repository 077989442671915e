/**
 * The Case as it stands the moment it is opened, computed by the same rules the case workflow runs
 * on its first workflow task (workflows/collection-case.ts): the initial state, the opening journal
 * entry (one revision), then one `advance` at the opening instant (one more revision if it decided
 * anything). `POST /cases` answers it without asking the workflow: the answer is known before the
 * workflow has run, and a live query of a workflow just started waits for its first task (seconds
 * under load, when the worker is busy).
 *
 * What it cannot know is what the first effects will bring back (a message the first task sends at
 * once is journaled and its result applied a moment later): the answer then shows the case at the
 * instant it was decided, as the workflow's Update answers do.
 */
import { caseSnapshot, type CaseSnapshot } from './view';
import { advance } from './progress';
import { initialCaseState } from './state';
import type { CaseInput } from './types';

export function openingView(input: CaseInput, workflowId: string): CaseSnapshot {
  const state = initialCaseState(input);
  // The workflow's `change` for the `case_opened` journal entry.
  state.revision += 1;
  if (advance(state, input.openedAt).length > 0) state.revision += 1;
  return caseSnapshot(state, input.openedAt, workflowId);
}
