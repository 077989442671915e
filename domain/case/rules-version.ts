/**
 * Which rules a running case follows. A case's decisions are replayed from its Temporal history, so
 * a rule that changes what a case does (another message, a timer, a closed case) may only apply to
 * cases whose workflow recorded the change (a Temporal patch, `workflows/collection-case.ts`).
 * Cases opened, or continued as new, after the change follow the current rules; cases already
 * running keep the rules they started with until they continue as new.
 *
 * Wording, amounts printed in a message and anything else that only shapes an activity's input
 * needs no version: replay does not compare them.
 */
import type { CaseState } from './types';

export const RULES_VERSIONS = {
  /** Everything up to issue 12. */
  original: 1,
  /**
   * Issue 13, the compliance review: prescription per invoice and mid-case, a mise en demeure only
   * when its deadline falls before the bar, the amount demanded is the amount pursued, letters on
   * working days, re-decided installment reminders, journaled call tasks.
   */
  complianceReview: 2,
  /**
   * Issue 14, scale: a message deferred to a window opening goes at an offset of its own after it
   * (domain/case/opening-spread.ts), so cases do not all wake at 10:00.
   */
  openingSpread: 3,
} as const;

export const CURRENT_RULES_VERSION = RULES_VERSIONS.openingSpread;

/** Whether the case follows the rules of `version` (or later ones). */
export function followsRules(state: Pick<CaseState, 'rulesVersion'>, version: number): boolean {
  return (state.rulesVersion ?? RULES_VERSIONS.original) >= version;
}
