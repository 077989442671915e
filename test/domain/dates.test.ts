import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  addDays,
  addMonths,
  addYears,
  compareDates,
  daysBetween,
  isCalendarDate,
  parisDateOf,
  parisInstant,
  parisMinuteOfDay,
  weekdayOf,
} from '../../domain/dates';

const anyDay = fc.integer({ min: 0, max: 40_000 }).map((n) => addDays('1990-01-01', n));

test.each([
  ['2024-01-31', 1, '2024-02-29'],
  ['2025-01-31', 1, '2025-02-28'],
  ['2025-03-31', -1, '2025-02-28'],
  ['2025-12-15', 1, '2026-01-15'],
  ['2025-01-15', -13, '2023-12-15'],
])('addMonths(%s, %i) is %s: de date à date, clamped to the month end', (date, months, expected) => {
  expect(addMonths(date, months)).toBe(expected);
});

test('29 February plus a year is 28 February; plus four years is 29 February', () => {
  expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
  expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
});

test.each(['2025-02-29', '2025-13-01', '2025-00-10', '25-01-01', '2025-1-1', '', '0999-12-31'])(
  '%j is not a calendar date',
  (value) => {
    expect(isCalendarDate(value)).toBe(false);
    expect(() => addDays(value, 1)).toThrow(RangeError);
  },
);

test('weekdays: 2026-11-23 is a Monday, 2026-11-29 a Sunday', () => {
  expect(weekdayOf('2026-11-23')).toBe(1);
  expect(weekdayOf('2026-11-29')).toBe(7);
});

test('instants in Paris follow daylight saving: 10:00 is 09:00Z in winter and 08:00Z in summer', () => {
  expect(parisInstant('2026-01-15', '10:00').toISOString()).toBe('2026-01-15T09:00:00.000Z');
  expect(parisInstant('2026-07-15', '10:00').toISOString()).toBe('2026-07-15T08:00:00.000Z');
  expect(parisDateOf(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
  expect(parisMinuteOfDay(new Date('2026-10-25T09:00:00Z'))).toBe(10 * 60);
});

test('property: the integer day arithmetic agrees with luxon on every day from 1990 to 2099', () => {
  fc.assert(
    fc.property(
      anyDay,
      fc.integer({ min: -800, max: 800 }),
      fc.integer({ min: -300, max: 300 }),
      (day, days, months) => {
        const luxonDay = DateTime.fromISO(day, { zone: 'UTC' });
        expect(addDays(day, days)).toBe(luxonDay.plus({ days }).toISODate());
        expect(addMonths(day, months)).toBe(luxonDay.plus({ months }).toISODate());
        expect(weekdayOf(day)).toBe(luxonDay.weekday);
      },
    ),
    { numRuns: 500 },
  );
});

test('property: daysBetween inverts addDays, and compareDates orders like it', () => {
  fc.assert(
    fc.property(anyDay, fc.integer({ min: -5000, max: 5000 }), (day, days) => {
      const later = addDays(day, days);
      expect(daysBetween(day, later)).toBe(days);
      expect(compareDates(later, day)).toBe(Math.sign(days));
    }),
    { numRuns: 500 },
  );
});
