/**
 * The contact rules one case follows: the configured rules (R4), with the debtor's public-holiday
 * calendar and, for cases of the compliance review on, letters dated and posted on working days in
 * office hours. Every contact-window decision of a case (e-mail, SMS, calls, letters) goes through
 * this, so no channel can miss the debtor's calendar.
 */
import type { ContactRules } from '../contact-limits';
import { RULES_VERSIONS, followsRules } from './rules-version';
import type { CaseState } from './types';

export function contactRulesOf(state: Pick<CaseState, 'input' | 'rulesVersion'>, rules: ContactRules): ContactRules {
  const alsaceMoselle = rules.alsaceMoselle || state.input.holidayRegion === 'alsace_moselle';
  // Cases that started before kept letters at any hour: their recorded histories send them so.
  if (!followsRules(state, RULES_VERSIONS.complianceReview)) {
    const { letters: _letters, ...withoutLetters } = rules;
    return { ...withoutLetters, alsaceMoselle };
  }
  return { ...rules, alsaceMoselle };
}
