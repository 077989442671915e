/**
 * Calendar arithmetic on `CalendarDate` (`YYYY-MM-DD`, a day in Europe/Paris) and conversions to
 * and from instants. Luxon does the time-zone work, so daylight-saving changes are right; nothing
 * here reads the clock.
 */
import { DateTime, IANAZone } from 'luxon';
import { PARIS, type CalendarDate } from './types';

const MS_PER_DAY = 86_400_000;
/*
 * Read once: the worker runs this in a vm context (the workflow sandbox; jest does too), where
 * each look-up of a global such as `Math` goes through the context's global object, many times
 * slower than a module binding — a tenth of these hot functions' time (issue 14).
 */
const { floor } = Math;
const { isNaN: isNotANumber, isInteger } = Number;

/*
 * A calendar day is a day, not an instant: adding days or years to it needs no time zone. So the
 * arithmetic below works on whole day numbers (days since 1970-01-01), by integer arithmetic, which is
 * exact and fast; luxon is used only where a day meets a clock time in Paris.
 */

function partsOf(date: CalendarDate): [number, number, number] {
  const parts = validPartsOf(date);
  if (parts) return parts;
  throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
}

/*
 * Read digit by digit rather than by regular expression and `new Date`: replaying a case compares
 * dates thousands of times, and this was a tenth of a replay's CPU (issue 14's profile).
 */
function validPartsOf(date: string): [number, number, number] | undefined {
  if (typeof date !== 'string' || date.length !== 10 || date[4] !== '-' || date[7] !== '-') return undefined;
  const year = digitsAt(date, 0, 4);
  const month = digitsAt(date, 5, 2);
  const day = digitsAt(date, 8, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return [year, month, day];
}

/** The number written by `length` ASCII digits from `start`, or -1 (out of every range) if one is not a digit. */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** Days since 1970-01-01: compare and count days as integers in hot loops. */
export function dayNumberOf(date: CalendarDate): number {
  const [year, month, day] = partsOf(date);
  return dayNumberOfParts(year, month, day);
}

/*
 * H. Hinnant's days_from_civil (proleptic Gregorian, like Date.UTC): no `Date`, a global, whose
 * look-up in the worker's vm context costs more than the arithmetic (issue 14). Valid for year ≥ 0.
 */
function dayNumberOfParts(year: number, month: number, day: number): number {
  const marchYear = month <= 2 ? year - 1 : year; // years run March to February: the leap day last
  const era = floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  return era * 146_097 + yearOfEra * 365 + floor(yearOfEra / 4) - floor(yearOfEra / 100) + dayOfYear - 719_468;
}

const FIRST_FOUR_DIGIT_DAY = Date.UTC(1000, 0, 1) / MS_PER_DAY;
const LAST_FOUR_DIGIT_DAY = Date.UTC(9999, 11, 31) / MS_PER_DAY;

export function dateOfDayNumber(dayNumber: number): CalendarDate {
  if (!isInteger(dayNumber)) throw new RangeError(`not a whole day number: ${dayNumber}`);
  if (dayNumber < FIRST_FOUR_DIGIT_DAY || dayNumber > LAST_FOUR_DIGIT_DAY) {
    return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
  }
  return civilDateOf(dayNumber);
}

/*
 * Integer arithmetic (H. Hinnant's civil_from_days, proleptic Gregorian like Date) instead of
 * `toISOString`, which took seven times as long; every addDays and parisDateOf ends here, and a
 * replay makes thousands of them (issue 14). Years 1000–9999 only, where both write 4 digits.
 */
function civilDateOf(dayNumber: number): CalendarDate {
  const shifted = dayNumber + 719_468; // days since 0000-03-01: leap days then end each cycle
  const era = floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = floor(
    (dayOfEra - floor(dayOfEra / 1460) + floor(dayOfEra / 36_524) - floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + floor(yearOfEra / 4) - floor(yearOfEra / 100));
  const monthFromMarch = floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

export function isCalendarDate(value: string): boolean {
  return validPartsOf(value) !== undefined;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return dateOfDayNumber(dayNumberOf(date) + days);
}

/** Calendar months: 31 January + 1 month is 28 (or 29) February, as "de date à date" counting. */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const [year, month, day] = partsOf(date);
  const monthIndex = year * 12 + (month - 1) + months;
  const [targetYear, targetMonth] = [floor(monthIndex / 12), (monthIndex % 12) + 1];
  const clampedDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  return dateOfDayNumber(dayNumberOfParts(targetYear, targetMonth, clampedDay));
}

/** Calendar years: 29 February + 1 year is 28 February. */
export function addYears(date: CalendarDate, years: number): CalendarDate {
  return addMonths(date, years * 12);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return dayNumberOf(to) - dayNumberOf(from);
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return Math.sign(dayNumberOf(a) - dayNumberOf(b));
}

export function minDate(...dates: CalendarDate[]): CalendarDate {
  return dates.reduce((a, b) => (compareDates(a, b) <= 0 ? a : b));
}

export function maxDate(...dates: CalendarDate[]): CalendarDate {
  return dates.reduce((a, b) => (compareDates(a, b) >= 0 ? a : b));
}

/** ISO weekday of that day: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: CalendarDate): number {
  // 1970-01-01 (day 0) was a Thursday.
  return ((((dayNumberOf(date) + 3) % 7) + 7) % 7) + 1;
}

/*
 * Paris time, memoised. Issue 14's profile of a replay found luxon's zone work here — an Intl
 * `formatToParts` on every `fromJSDate(…, { zone })` — at 10–15% of the CPU. Luxon stays the only
 * source of the offset (no daylight-saving rule is written here): it is asked about the first and
 * last millisecond of a UTC day, once per day, and when both agree the offset is reused for every
 * instant of that day. Paris has never changed its offset twice within a day, so an offset the
 * same at both ends of a day held all day. On a changeover day the same is done per
 * UTC hour (Paris changes on whole UTC hours). Each memo entry is a number and a pure function of
 * its key, so whichever case fills it, every case — and every replay — reads the same value
 * (reviewed in test/worker/preloaded-modules.test.ts). Both are bounded: cleared past MEMO_LIMIT
 * entries, over a century of days, far beyond what a worker's cases touch. Whatever the memo cannot
 * answer (an offset not a whole number of minutes, odd inputs, years that luxon prints otherwise)
 * takes the plain luxon code, so every answer is luxon's.
 */
const PARIS_ZONE = IANAZone.create(PARIS);
const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;
const MEMO_LIMIT = 50_000;
/** Instants whose Paris day has four-digit years, which luxon's `yyyy` prints like ISO dates. */
const FAST_FROM = Date.UTC(1000, 0, 2);
const FAST_UNTIL = Date.UTC(9999, 11, 30);

/** Paris's offset in minutes over [from, from + span), or NaN when luxon gives two (or a fraction). */
function steadyParisOffset(from: number, span: number): number {
  const atStart = PARIS_ZONE.offset(from);
  return atStart === PARIS_ZONE.offset(from + span - 1) && isInteger(atStart) ? atStart : NaN;
}

/** UTC day number (ms / 24 h, floored) → Paris's offset throughout that day, or NaN. */
const parisOffsetByUtcDay = new Map<number, number>();

function parisOffsetDuringUtcDay(day: number): number {
  return memoisedOffset(parisOffsetByUtcDay, day, MS_PER_DAY);
}

/** UTC hour number → Paris's offset throughout that hour, or NaN; asked only on a changeover day. */
const parisOffsetByUtcHour = new Map<number, number>();

function parisOffsetDuringUtcHour(hour: number): number {
  return memoisedOffset(parisOffsetByUtcHour, hour, MS_PER_HOUR);
}

/** Paris's steady offset over span number `index` (of `span` ms), from the memo or luxon. */
function memoisedOffset(memo: Map<number, number>, index: number, span: number): number {
  let offset = memo.get(index);
  if (offset === undefined) {
    offset = steadyParisOffset(index * span, span);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(index, offset);
  }
  return offset;
}

/** Milliseconds of Paris wall time (as if UTC) at this instant, or NaN to leave it to luxon. */
function parisWallClockMs(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : NaN;
  if (!(ms >= FAST_FROM && ms < FAST_UNTIL)) return NaN;
  const offset = parisOffsetDuringUtcDay(floor(ms / MS_PER_DAY));
  return ms + (isNotANumber(offset) ? parisOffsetDuringUtcHour(floor(ms / MS_PER_HOUR)) : offset) * MS_PER_MINUTE;
}

/*
 * Luxon turns a wall time into an instant by guess and correction (its `fixOffset`): first
 * midnight, from a guess that is Paris's offset now, then the time, from midnight's offset. Paris's
 * offset has always been between 0 and +2 h, so every instant luxon reads in doing so lies between
 * 2 h before the day's midnight-as-UTC and the end of that UTC day: within the UTC day before the
 * date and the date's own. When both keep one offset u, each read gives u, so luxon's answer for
 * any time that day is the wall time minus u. Other days (a changeover day and the day after) are
 * left to luxon and its handling of gaps and overlaps.
 */
function parisOffsetAroundDate(dayNumber: number): number {
  const offset = parisOffsetDuringUtcDay(dayNumber);
  return parisOffsetDuringUtcDay(dayNumber - 1) === offset ? offset : NaN;
}

/** The day in Paris at this instant. */
export function parisDateOf(instant: Date): CalendarDate {
  const wallClock = parisWallClockMs(instant);
  if (isNotANumber(wallClock)) return DateTime.fromJSDate(instant, { zone: PARIS }).toFormat('yyyy-MM-dd');
  return dateOfDayNumber(floor(wallClock / MS_PER_DAY));
}

/** The instant at `HH:mm` Paris time on that day. */
export function parisInstant(date: CalendarDate, time = '00:00'): Date {
  // `HH:mm` read digit by digit: `split` and `Number` cost more than the rest (issue 14).
  if (time.length === 5 && time[2] === ':') {
    const [hour, minute] = [digitsAt(time, 0, 2), digitsAt(time, 3, 2)];
    const [year, month, day] = partsOf(date);
    if (hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59) {
      const dayNumber = dayNumberOfParts(year, month, day);
      const offset = parisOffsetAroundDate(dayNumber);
      if (!isNotANumber(offset)) {
        return new Date(dayNumber * MS_PER_DAY + (hour * 60 + minute - offset) * MS_PER_MINUTE);
      }
    }
  }
  const [hour, minute] = time.split(':').map(Number);
  const [year, month, day] = partsOf(date);
  return DateTime.fromObject({ year, month, day }, { zone: PARIS })
    .set({ hour, minute, second: 0, millisecond: 0 })
    .toJSDate();
}

/** Minutes since midnight, Paris time, at this instant. */
export function parisMinuteOfDay(instant: Date): number {
  const wallClock = parisWallClockMs(instant);
  if (isNotANumber(wallClock)) {
    const local = DateTime.fromJSDate(instant, { zone: PARIS });
    return local.hour * 60 + local.minute;
  }
  return floor((wallClock - floor(wallClock / MS_PER_DAY) * MS_PER_DAY) / MS_PER_MINUTE);
}
