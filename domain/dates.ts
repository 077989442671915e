/**
 * Calendar arithmetic on `CalendarDate` (`YYYY-MM-DD`, a day in Europe/Paris) and conversions to
 * and from instants. Luxon does the time-zone work, so daylight-saving changes are right; nothing
 * here reads the clock.
 */
import { DateTime } from 'luxon';
import { PARIS, type CalendarDate } from './types';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/*
 * A calendar day is a day, not an instant: adding days or years to it needs no time zone. So the
 * arithmetic below works on whole day numbers (days since 1970-01-01) through Date.UTC, which is
 * exact and fast; luxon is used only where a day meets a clock time in Paris.
 */

function partsOf(date: CalendarDate): [number, number, number] {
  const match = DATE_PATTERN.exec(date);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))
      return [year, month, day];
  }
  throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01: compare and count days as integers in hot loops. */
export function dayNumberOf(date: CalendarDate): number {
  const [year, month, day] = partsOf(date);
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

export function dateOfDayNumber(dayNumber: number): CalendarDate {
  if (!Number.isInteger(dayNumber)) throw new RangeError(`not a whole day number: ${dayNumber}`);
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

export function isCalendarDate(value: string): boolean {
  try {
    partsOf(value);
    return true;
  } catch {
    return false;
  }
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return dateOfDayNumber(dayNumberOf(date) + days);
}

/** Calendar months: 31 January + 1 month is 28 (or 29) February, as "de date à date" counting. */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const [year, month, day] = partsOf(date);
  const monthIndex = year * 12 + (month - 1) + months;
  const [targetYear, targetMonth] = [Math.floor(monthIndex / 12), (monthIndex % 12) + 1];
  const clampedDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  return dateOfDayNumber(Date.UTC(targetYear, targetMonth - 1, clampedDay) / MS_PER_DAY);
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
  const sundayIsZero = new Date(dayNumberOf(date) * MS_PER_DAY).getUTCDay();
  return sundayIsZero === 0 ? 7 : sundayIsZero;
}

/** The day in Paris at this instant. */
export function parisDateOf(instant: Date): CalendarDate {
  return DateTime.fromJSDate(instant, { zone: PARIS }).toFormat('yyyy-MM-dd');
}

/** The instant at `HH:mm` Paris time on that day. */
export function parisInstant(date: CalendarDate, time = '00:00'): Date {
  const [hour, minute] = time.split(':').map(Number);
  const [year, month, day] = partsOf(date);
  return DateTime.fromObject({ year, month, day }, { zone: PARIS })
    .set({ hour, minute, second: 0, millisecond: 0 })
    .toJSDate();
}

/** Minutes since midnight, Paris time, at this instant. */
export function parisMinuteOfDay(instant: Date): number {
  const local = DateTime.fromJSDate(instant, { zone: PARIS });
  return local.hour * 60 + local.minute;
}
