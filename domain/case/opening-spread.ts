/**
 * The 10:00 rush (issue 14). Every step falls due at midnight and every message deferred by the
 * calendar (night, weekend, public holiday) waits for the next window opening, so thousands of
 * cases would wake at the same instant and queue behind each other, with the API's requests among
 * them. Each case instead goes at its own moment in the first OPENING_SPREAD_MINUTES of the window:
 * an offset that is a pure function of the case id, so it is the same at every replay and on every
 * worker, and spreads any portfolio evenly (no counter, no coordination between cases).
 *
 * Pure and deterministic (it runs inside workflow code): no clock, no node crypto.
 */
import {
  isContactAllowed,
  isWindowOpening,
  type ChannelRestrictions,
  type ContactRecord,
  type ContactRules,
} from '../contact-limits';
import type { Channel } from '../types';
import { RULES_VERSIONS, followsRules } from './rules-version';
import type { CaseState } from './types';

/**
 * 45 minutes: 10,000 cases drain at about 4 a second, well inside the first hour, and the
 * shortest default window (10:00–13:00) is never left. A configured window shorter than this gets a
 * smaller offset (see spreadAfterOpening), never a send outside it.
 */
export const OPENING_SPREAD_MINUTES = 45;

const SPREAD_SECONDS = OPENING_SPREAD_MINUTES * 60;

/** Deferral reasons that come from the calendar: the message waits for a window to open. */
const CALENDAR_REASONS = new Set(['weekend', 'public_holiday', 'outside_hours']);

/**
 * 32-bit FNV-1a of the UTF-16 code units, then the murmur3 finaliser: FNV-1a alone leaves ids that
 * differ only in their last character (c_1, c_2…) close together in the low bits the modulo keeps.
 */
export function caseHash(caseId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < caseId.length; i++) {
    hash ^= caseId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** This case's offset after a window opening, in whole seconds, in [0, OPENING_SPREAD_MINUTES × 60). */
export function openingOffsetSeconds(caseId: string): number {
  return caseHash(caseId) % SPREAD_SECONDS;
}

/**
 * Whether a deferral waits for a window opening (and so joins the rush): one of its reasons is the
 * calendar. A contact deferred only by a cap goes when the cap frees, an instant of its own.
 */
export function waitsForOpening(reasons: readonly string[]): boolean {
  return reasons.some((reason) => CALENDAR_REASONS.has(reason));
}

/**
 * The instant a contact deferred to `opening` goes: the opening plus this case's offset. The
 * instant must still be allowed (inside the window, under the caps); when a short window or a cap
 * refuses it, the offset is halved until it is allowed, down to the opening itself, which the
 * contact rules already allowed.
 */
export function spreadAfterOpening(
  caseId: string,
  opening: Date,
  channel: Channel,
  history: readonly ContactRecord[],
  restrictions: ChannelRestrictions,
  rules: ContactRules,
): Date {
  for (let seconds = openingOffsetSeconds(caseId); seconds > 0; seconds = Math.floor(seconds / 2)) {
    const candidate = new Date(opening.getTime() + seconds * 1000);
    if (isContactAllowed(channel, candidate, history, restrictions, rules).allowed) return candidate;
  }
  return opening;
}

/**
 * When a deferred contact is planned: for cases on the opening-spread rules, a contact that waits
 * for a window opening goes at the case's offset after it; older cases keep the slot the contact
 * rules gave, as their recorded histories do. So does a contact whose slot is not an opening (the
 * instant a cap frees, which is already this case's own, after a calendar wait): spreading it
 * again would add the offset a second time, and again at each cap in a chain.
 */
export function plannedAfterDeferral(
  state: Pick<CaseState, 'input' | 'rulesVersion'>,
  channel: Channel,
  slot: { at: Date; reasons: readonly string[] },
  history: readonly ContactRecord[],
  restrictions: ChannelRestrictions,
  rules: ContactRules,
): Date {
  if (!followsRules(state, RULES_VERSIONS.openingSpread) || !waitsForOpening(slot.reasons)) return slot.at;
  if (!isWindowOpening(channel, slot.at, rules)) return slot.at;
  return spreadAfterOpening(state.input.caseId, slot.at, channel, history, restrictions, rules);
}
