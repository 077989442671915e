/**
 * The test clock: where a time-skipping server's virtual clock starts, so that no test depends on
 * the hour, the weekday or the holiday on which the suite runs. Pure (the starting instant is an
 * argument); `createTimeSkippingEnv` reads the pin from AMIABLE_TEST_CLOCK and moves the server there.
 *
 * A pin is `HH:mm` (the next working day — Monday to Friday, not a French public holiday — at that
 * Paris time) or `<weekday>-HH:mm` (`monday-07:00`, `sunday-11:00`). A Monday-to-Friday pin skips
 * public holidays as well, so that "monday-07:00" is an ordinary Monday morning; a Saturday or Sunday
 * pin is about the weekend and takes the next one, holiday or not.
 */
import { DateTime } from 'luxon';
import { isPublicHoliday } from '../../domain/calendar';
import { PARIS } from '../../domain/types';

export const TEST_CLOCK_VARIABLE = 'AMIABLE_TEST_CLOCK';

/** Unset: an ordinary working-day morning, inside the R4 contact hours. */
export const DEFAULT_TEST_CLOCK = '10:30';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export interface ClockPin {
  /** ISO weekday (1 = Monday … 7 = Sunday), or undefined for "the next working day". */
  weekday?: number;
  hour: number;
  minute: number;
}

const PIN_PATTERN = /^(?:([a-z]+)-)?([01]\d|2[0-3]):([0-5]\d)$/;

export function parseClockPin(text: string): ClockPin {
  const match = PIN_PATTERN.exec(text.trim().toLowerCase());
  const day = match?.[1];
  const weekday = day === undefined ? undefined : WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]) + 1;
  if (!match || weekday === 0) {
    throw new RangeError(
      `${TEST_CLOCK_VARIABLE}=${JSON.stringify(text)}: expected HH:mm or <weekday>-HH:mm in Paris time, ` +
        `weekday one of ${WEEKDAYS.join(', ')} (e.g. monday-07:00, 21:00, sunday-11:00)`,
    );
  }
  return { ...(weekday !== undefined ? { weekday } : {}), hour: Number(match[2]), minute: Number(match[3]) };
}

function dayMatches(day: DateTime, pin: ClockPin): boolean {
  const date = day.toISODate()!;
  if (pin.weekday === undefined) return day.weekday <= 5 && !isPublicHoliday(date);
  if (day.weekday !== pin.weekday) return false;
  return pin.weekday >= 6 || !isPublicHoliday(date);
}

// Enough for any pin: a working day or a given weekday that is not a holiday comes within weeks.
const SEARCH_DAYS = 60;

/** The first instant strictly after `from` whose Paris wall-clock time and day match the pin. */
export function nextPinnedInstant(from: DateTime | number, pin: ClockPin | string): DateTime {
  const parsed = typeof pin === 'string' ? parseClockPin(pin) : pin;
  const start = typeof from === 'number' ? DateTime.fromMillis(from, { zone: PARIS }) : from.setZone(PARIS);
  for (let offset = 0; offset <= SEARCH_DAYS; offset += 1) {
    const day = start.startOf('day').plus({ days: offset });
    if (!dayMatches(day, parsed)) continue;
    const candidate = DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: parsed.hour, minute: parsed.minute },
      { zone: PARIS },
    );
    // On the spring-forward night 02:00–02:59 does not exist in Paris (luxon would move it an hour
    // on): such a day has no instant at that wall-clock time.
    if (candidate.hour !== parsed.hour || candidate.minute !== parsed.minute) continue;
    // On the fall-back night 02:00–02:59 happens twice and luxon gives the second: the first one
    // comes first.
    const earlier = candidate.minus({ hours: 1 });
    const occurrences =
      earlier.hour === parsed.hour && earlier.minute === parsed.minute ? [earlier, candidate] : [candidate];
    const found = occurrences.find((instant) => instant.toMillis() > start.toMillis());
    if (found) return found;
  }
  throw new RangeError(`no instant matches the test clock pin within ${SEARCH_DAYS} days`);
}

/** The pin in force for this process: AMIABLE_TEST_CLOCK, or the default when it is unset or empty. */
export function testClockPin(env: NodeJS.ProcessEnv = process.env): string {
  const value = env[TEST_CLOCK_VARIABLE]?.trim();
  return value ? value : DEFAULT_TEST_CLOCK;
}
