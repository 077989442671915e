/**
 * R4 "No harassment": repeated unwanted contacts are an offence (Code pénal 222-33-2-2). This module
 * decides when the debtor may be contacted on a channel: on contact days, inside the hour windows
 * (Europe/Paris), under the rolling caps, and never on a channel the debtor closed.
 *
 * Pure and deterministic (it runs inside workflow code): the instant to judge is always an argument.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { isPublicHoliday } from './calendar';
import { addDays, parisDateOf, parisInstant, parisMinuteOfDay, weekdayOf } from './dates';
import { PARIS, type CalendarDate, type Channel } from './types';

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/** `HH:mm` Paris time; `end` is exclusive, so 13:00 is outside a 10:00–13:00 window. */
export interface ContactWindow {
  readonly start: string;
  readonly end: string;
}

/** At most `max` contacts in any `days` consecutive days (Paris calendar days, same wall-clock time). */
export interface RollingCap {
  readonly max: number;
  readonly days: number;
}

export interface ContactRules {
  /**
   * ISO weekdays (1 = Monday … 7 = Sunday) on which email, SMS and calls may happen. Another day is
   * reported as `weekend`, the only non-contact weekday the defaults know.
   */
  readonly weekdays: readonly number[];
  readonly avoidPublicHolidays: boolean;
  /** The debtor lives in Bas-Rhin, Haut-Rhin or Moselle: Good Friday and 26 December are holidays too. */
  readonly alsaceMoselle: boolean;
  readonly windows: readonly ContactWindow[];
  /** Email, SMS and letters: what the system sends on its own. */
  readonly automatedCap: RollingCap;
  /** Call attempts by an agent, answered or not. */
  readonly callCap: RollingCap;
  /**
   * When letters are dated and handed to the postal or LRE provider (R4: "dated and posted on
   * working days"): office hours on working days, public holidays always excluded since a post
   * office is closed then whatever the contact rules say. Absent, letters go at any hour: the rule
   * of cases opened before the compliance review (issue 13), which replay with it.
   */
  readonly letters?: LetterHours;
}

/** The days (ISO weekdays) and hours (Paris) a letter may be dated and posted. */
export interface LetterHours {
  readonly weekdays: readonly number[];
  readonly windows: readonly ContactWindow[];
}

/** R4 defaults [default]: the hours and frequencies of domain.md. */
export const DEFAULT_CONTACT_RULES: ContactRules = deepFreeze({
  weekdays: [1, 2, 3, 4, 5],
  avoidPublicHolidays: true,
  alsaceMoselle: false,
  windows: [
    { start: '10:00', end: '13:00' },
    { start: '14:00', end: '20:00' },
  ],
  automatedCap: { max: 2, days: 7 },
  callCap: { max: 4, days: 30 },
  // [default] Monday–Friday, 09:00–17:00: a post office's or an LRE operator's working day.
  letters: { weekdays: [1, 2, 3, 4, 5], windows: [{ start: '09:00', end: '17:00' }] },
});

const START_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
// An end of 24:00 lets a window run to midnight, since the end is exclusive.
const END_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? Number.NaN) * 60 + (minutes ?? Number.NaN);
}

// A malformed time is reported by its regex; comparing it as well would only add noise.
function isWellFormed(window: ContactWindow): boolean {
  return START_TIME.test(window.start) && END_TIME.test(window.end);
}

const contactWindowSchema = z
  .object({
    start: z.string().regex(START_TIME, 'expected HH:mm from 00:00 to 23:59'),
    end: z.string().regex(END_TIME, 'expected HH:mm from 00:00 to 24:00'),
  })
  .refine((window) => !isWellFormed(window) || minutesOf(window.start) < minutesOf(window.end), {
    message: 'a window must start before it ends',
    path: ['end'],
  });

const rollingCapSchema = z.object({
  max: z.int().positive(),
  days: z.int().positive(),
});

const weekdaysSchema = z
  .array(z.int().min(1).max(7))
  .min(1, 'at least one contact day is needed')
  .refine((days) => new Set(days).size === days.length, 'a weekday is listed twice');

const windowsSchema = z
  .array(contactWindowSchema)
  .min(1, 'at least one contact window is needed')
  .superRefine((windows, ctx) => {
    const overlap = firstOverlap(windows);
    if (overlap) ctx.addIssue({ code: 'custom', message: `windows overlap: ${overlap}` });
  });

export const contactRulesSchema = z.object({
  weekdays: weekdaysSchema,
  avoidPublicHolidays: z.boolean(),
  alsaceMoselle: z.boolean(),
  windows: windowsSchema,
  automatedCap: rollingCapSchema,
  callCap: rollingCapSchema,
  letters: z
    .object({
      weekdays: weekdaysSchema.refine(
        (days) => days.every((day) => day <= 5),
        'letters are dated and posted on working days (1–5, Monday to Friday)',
      ),
      windows: windowsSchema,
    })
    .optional(),
}) satisfies z.ZodType<ContactRules>;

function firstOverlap(windows: readonly ContactWindow[]): string | undefined {
  const sorted = sortedByStart(windows);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (previous && current && minutesOf(current.start) < minutesOf(previous.end)) {
      return `${previous.start}–${previous.end} and ${current.start}–${current.end}`;
    }
  }
  return undefined;
}

export class InvalidContactRulesError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid contact rules:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'InvalidContactRulesError';
  }
}

/** Validates configured rules once, where they are loaded; the functions below trust their rules. */
export function parseContactRules(input: unknown): ContactRules {
  const result = contactRulesSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidContactRulesError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(rules)'}: ${issue.message}`),
    );
  }
  return deepFreeze(result.data);
}

// ---------------------------------------------------------------------------------------------
// Inputs and answers
// ---------------------------------------------------------------------------------------------

/** A contact actually made (or attempted, for calls): the history the caps count. */
export interface ContactRecord {
  at: Date;
  channel: Channel;
}

export interface ChannelRestrictions {
  /** Channels the debtor closed (SMS "STOP", email unsubscribe) or that do not work (bounce, wrong number). */
  optedOut: Channel[];
  /** The debtor asked for written contact only: no more calls. */
  writtenOnly: boolean;
}

export const NO_RESTRICTIONS: ChannelRestrictions = deepFreeze({ optedOut: [], writtenOnly: false });

export const DEFERRAL_REASONS = ['weekend', 'public_holiday', 'outside_hours', 'automated_cap', 'call_cap'] as const;
export type DeferralReason = (typeof DEFERRAL_REASONS)[number];

/** No time will fix these: the channel is closed until a person reopens it. */
export const BLOCK_REASONS = ['opted_out', 'written_only'] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

export type NextContact =
  | { kind: 'allowed'; at: Date; deferred: false }
  | { kind: 'allowed'; at: Date; deferred: true; reasons: DeferralReason[] }
  | { kind: 'blocked'; reason: BlockReason };

export type ContactCheck =
  | { allowed: true }
  /** A block reason comes alone: whether the time would suit does not matter then. */
  | { allowed: false; reasons: DeferralReason[] | [BlockReason] };

// ---------------------------------------------------------------------------------------------
// Channel semantics
// ---------------------------------------------------------------------------------------------

/** The days and hours a channel is used on; none for a letter under rules that predate `letters`. */
interface ChannelCalendar {
  readonly weekdays: readonly number[];
  readonly windows: readonly ContactWindow[];
  readonly avoidPublicHolidays: boolean;
  readonly alsaceMoselle: boolean;
}

/**
 * E-mail, SMS and calls reach the debtor at a time of day: the contact windows. A letter is
 * received whenever the post brings it, but it is dated and handed over on a working day in office
 * hours (R4), and its deadline counts from that day, so it has a calendar of its own.
 */
function calendarOf(channel: Channel, rules: ContactRules): ChannelCalendar | undefined {
  if (channel !== 'letter') return rules;
  if (!rules.letters) return undefined;
  return { ...rules.letters, avoidPublicHolidays: true, alsaceMoselle: rules.alsaceMoselle };
}

/**
 * Whether `at` is the first minute of one of the channel's windows (Paris time): the instant every
 * message deferred by the calendar to that window is planned at.
 */
export function isWindowOpening(channel: Channel, at: Date, rules: ContactRules): boolean {
  const calendar = calendarOf(channel, rules);
  if (!calendar) return false;
  const local = DateTime.fromJSDate(at, { zone: PARIS });
  if (local.second !== 0 || local.millisecond !== 0) return false;
  return calendar.windows.some((window) => window.start === local.toFormat('HH:mm'));
}

type CapKind = 'automated' | 'call';

function capKindOf(channel: Channel): CapKind {
  return channel === 'call' ? 'call' : 'automated';
}

function capOf(kind: CapKind, rules: ContactRules): { cap: RollingCap; reason: DeferralReason } {
  return kind === 'call'
    ? { cap: rules.callCap, reason: 'call_cap' }
    : { cap: rules.automatedCap, reason: 'automated_cap' };
}

function blockReasonFor(channel: Channel, restrictions: ChannelRestrictions): BlockReason | undefined {
  if (restrictions.optedOut.includes(channel)) return 'opted_out';
  if (restrictions.writtenOnly && channel === 'call') return 'written_only';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Calendar and hours
// ---------------------------------------------------------------------------------------------

function sortedByStart(windows: readonly ContactWindow[]): ContactWindow[] {
  return [...windows].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
}

function closedDayReasons(day: CalendarDate, rules: ChannelCalendar): DeferralReason[] {
  const reasons: DeferralReason[] = [];
  if (!rules.weekdays.includes(weekdayOf(day))) reasons.push('weekend');
  if (rules.avoidPublicHolidays && isPublicHoliday(day, { alsaceMoselle: rules.alsaceMoselle })) {
    reasons.push('public_holiday');
  }
  return reasons;
}

function isInsideWindow(at: Date, rules: ChannelCalendar): boolean {
  const minute = parisMinuteOfDay(at);
  return rules.windows.some((window) => minutesOf(window.start) <= minute && minute < minutesOf(window.end));
}

/** Why the calendar refuses this instant; a closed day is the whole story, its hour does not matter. */
function calendarReasonsAt(at: Date, rules: ChannelCalendar): DeferralReason[] {
  const closedDay = closedDayReasons(parisDateOf(at), rules);
  if (closedDay.length > 0) return closedDay;
  return isInsideWindow(at, rules) ? [] : ['outside_hours'];
}

// Valid rules have a contact day every week; a year of search only guards against rules that
// skipped validation and allow no day at all.
const MAX_DAYS_SEARCHED = 366;

/**
 * The first window opening at or after `from`, with the reasons of the days skipped on the way.
 * Each day's openings are built from its own Paris date, so a daylight-saving change in between
 * shifts nothing: 10:00 stays 10:00 on the wall clock.
 */
function nextWindowOpening(from: Date, rules: ChannelCalendar): { at: Date; skipped: DeferralReason[] } {
  const skipped: DeferralReason[] = [];
  const windows = sortedByStart(rules.windows);
  let day = parisDateOf(from);
  for (let searched = 0; searched <= MAX_DAYS_SEARCHED; searched++, day = addDays(day, 1)) {
    const closedDay = closedDayReasons(day, rules);
    if (closedDay.length > 0) {
      skipped.push(...closedDay);
      continue;
    }
    for (const window of windows) {
      const opening = parisInstant(day, window.start);
      // A night-time opening may not exist on the day clocks go forward (02:00 becomes 03:00): the
      // check skips it then. (A window starting strictly inside 02:00–03:00 opens an hour late on that
      // one night; no sane contact window starts then.)
      if (opening.getTime() >= from.getTime() && isInsideWindow(opening, rules)) return { at: opening, skipped };
    }
  }
  throw new Error(`contact rules allow no contact within ${MAX_DAYS_SEARCHED} days of ${from.toISOString()}`);
}

// ---------------------------------------------------------------------------------------------
// Rolling caps
// ---------------------------------------------------------------------------------------------

/**
 * A contact counts for `days` Paris calendar days from the moment it was made, to the same wall-clock
 * time: across a daylight-saving change "7 days" is 167 or 169 hours, as a person would count it.
 */
function leavesCapWindowAt(contact: ContactRecord, days: number): number {
  return DateTime.fromJSDate(contact.at, { zone: PARIS }).plus({ days }).toMillis();
}

/**
 * When the cap is reached at `at`, the instant enough counted contacts have left the window for one
 * more; undefined when there is room now.
 *
 * Only contacts made at or before `at` count: the history is what was actually done, so judging a
 * past instant (an audit of the journal, a replay) must see what had been done by then, and a later
 * contact must not retroactively make an earlier one a breach. A contact at `at` itself has been
 * made, so it counts: two contacts cannot share an instant to slip under the cap.
 */
function capFreesAt(
  channel: Channel,
  at: Date,
  history: readonly ContactRecord[],
  rules: ContactRules,
): { reason: DeferralReason; freesAt: Date } | undefined {
  const kind = capKindOf(channel);
  const { cap, reason } = capOf(kind, rules);
  const now = at.getTime();
  const exits = history
    .filter((contact) => capKindOf(contact.channel) === kind && contact.at.getTime() <= now)
    .map((contact) => leavesCapWindowAt(contact, cap.days))
    .filter((exit) => exit > now)
    .sort((a, b) => a - b);
  if (exits.length < cap.max) return undefined;
  // With n counted and room for max - 1 before one more, the (n - max + 1)-th exit makes room.
  const freesAt = exits[exits.length - cap.max];
  if (freesAt === undefined) throw new Error('unreachable: exits has at least cap.max entries');
  return { reason, freesAt: new Date(freesAt) };
}

// ---------------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------------

function assertValidInstant(instant: Date, what: string): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`${what} must be a valid Date`);
  }
}

function assertValidHistory(history: readonly ContactRecord[]): void {
  history.forEach((contact, index) => assertValidInstant(contact.at, `history[${index}].at`));
}

function inCanonicalOrder(reasons: Iterable<DeferralReason>): DeferralReason[] {
  const present = new Set(reasons);
  return DEFERRAL_REASONS.filter((reason) => present.has(reason));
}

interface Assessment {
  calendarReasons: DeferralReason[];
  cap: { reason: DeferralReason; freesAt: Date } | undefined;
}

function assess(channel: Channel, at: Date, history: readonly ContactRecord[], rules: ContactRules): Assessment {
  const calendar = calendarOf(channel, rules);
  return {
    calendarReasons: calendar ? calendarReasonsAt(at, calendar) : [],
    cap: capFreesAt(channel, at, history, rules),
  };
}

function reasonsOf(assessment: Assessment): DeferralReason[] {
  return inCanonicalOrder([...assessment.calendarReasons, ...(assessment.cap ? [assessment.cap.reason] : [])]);
}

export function isContactAllowed(
  channel: Channel,
  at: Date,
  history: readonly ContactRecord[],
  restrictions: ChannelRestrictions,
  rules: ContactRules = DEFAULT_CONTACT_RULES,
): ContactCheck {
  assertValidInstant(at, 'at');
  assertValidHistory(history);
  const blocked = blockReasonFor(channel, restrictions);
  if (blocked) return { allowed: false, reasons: [blocked] };
  const reasons = reasonsOf(assess(channel, at, history, rules));
  return reasons.length === 0 ? { allowed: true } : { allowed: false, reasons };
}

/**
 * The earliest instant at or after `notBefore` when this channel may be used, with every reason that
 * pushed it later, so the journal can say why a message went out when it did.
 *
 * Moving to the next window opening can bring the instant under a cap, and waiting for a cap can
 * land outside the windows, so both are re-checked until neither moves the instant.
 */
export function nextAllowedContact(
  channel: Channel,
  notBefore: Date,
  history: readonly ContactRecord[],
  restrictions: ChannelRestrictions,
  rules: ContactRules = DEFAULT_CONTACT_RULES,
): NextContact {
  assertValidInstant(notBefore, 'notBefore');
  assertValidHistory(history);
  const blocked = blockReasonFor(channel, restrictions);
  if (blocked) return { kind: 'blocked', reason: blocked };

  const reasons: DeferralReason[] = [];
  let candidate = new Date(notBefore.getTime());
  // Each cap wait ends on a distinct exit of a history contact, and a window move is followed by a
  // cap wait or the answer, so more steps than this means a bug, not a long search.
  const maxSteps = 2 * history.length + 4;
  for (let step = 0; step <= maxSteps; step++) {
    const assessment = assess(channel, candidate, history, rules);
    const reasonsHere = reasonsOf(assessment);
    if (reasonsHere.length === 0) {
      return reasons.length === 0
        ? { kind: 'allowed', at: candidate, deferred: false }
        : { kind: 'allowed', at: candidate, deferred: true, reasons: inCanonicalOrder(reasons) };
    }
    reasons.push(...reasonsHere);
    if (assessment.calendarReasons.length > 0) {
      // Calendar reasons come only from a channel that has a calendar.
      const opening = nextWindowOpening(candidate, calendarOf(channel, rules)!);
      reasons.push(...opening.skipped);
      candidate = opening.at;
    } else if (assessment.cap) {
      candidate = assessment.cap.freesAt;
    }
  }
  throw new Error(`nextAllowedContact did not settle after ${maxSteps} steps from ${notBefore.toISOString()}`);
}

// ---------------------------------------------------------------------------------------------

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
