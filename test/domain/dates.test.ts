import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import {
  addDays,
  addMonths,
  addYears,
  compareDates,
  dateOfDayNumber,
  dayNumberOf,
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

test.each(['2025-02-3x', '2025/02/03', ' 2025-02-03', '2025-02-03 ', '２０２５-02-03', '2025-0a-03', '1900-02-29'])(
  '%j (not digits, wrong separators, or 1900 not leap) is not a calendar date',
  (value) => {
    expect(isCalendarDate(value)).toBe(false);
  },
);

test('every string YYYY-MM-DD with month 00–13 and day 00–32, years 1999–2101, is a date exactly when luxon says so', () => {
  const disagreements: string[] = [];
  for (let year = 1999; year <= 2101; year += 1) {
    for (let month = 0; month <= 13; month += 1) {
      for (let day = 0; day <= 32; day += 1) {
        const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        if (isCalendarDate(text) !== DateTime.fromISO(text, { zone: 'UTC' }).isValid) disagreements.push(text);
      }
    }
  }
  expect(disagreements).toEqual([]);
});

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

/*
 * parisDateOf, parisMinuteOfDay and parisInstant memoise luxon's Paris offset (issue 14). They must
 * answer exactly what plain luxon answers. Asking luxon about every hour of a century takes a
 * minute in jest, so the bulk comparisons below use luxon's offset function as a list of the instants
 * where it changes (found with luxon: sampled daily, then bisected to the millisecond), and every
 * instant and wall time near a change — where a memo keyed a little wrong would show — plus a
 * random sample elsewhere are compared with luxon's own DateTime directly.
 */
const PARIS_TZ = 'Europe/Paris';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const parisZone = IANAZone.create(PARIS_TZ);
// A module binding: looking `Math` up as a global in jest's vm context, millions of times, is slow.
const { floor } = Math;

const luxonDateOf = (ms: number) => DateTime.fromJSDate(new Date(ms), { zone: PARIS_TZ }).toFormat('yyyy-MM-dd');
const luxonMinuteOfDay = (ms: number) => {
  const local = DateTime.fromJSDate(new Date(ms), { zone: PARIS_TZ });
  return local.hour * 60 + local.minute;
};
const luxonInstant = (date: string, time: string) => {
  const [hour, minute] = time.split(':').map(Number);
  const { year, month, day } = DateTime.fromISO(date, { zone: 'UTC' });
  return DateTime.fromObject({ year, month, day }, { zone: PARIS_TZ })
    .set({ hour, minute, second: 0, millisecond: 0 })
    .toJSDate()
    .getTime();
};

/** Luxon's Paris offset over [from, to): each piece starts at `at` (ms) with `offset` (minutes). */
function luxonOffsetPieces(from: number, to: number): { at: number; offset: number }[] {
  const pieces = [{ at: from, offset: parisZone.offset(from) }];
  for (let day = from; day < to; day += DAY_MS) {
    const next = Math.min(day + DAY_MS, to);
    if (parisZone.offset(next) === pieces[pieces.length - 1]!.offset) continue;
    let [before, after] = [day, next];
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2);
      if (parisZone.offset(middle) === pieces[pieces.length - 1]!.offset) before = middle;
      else after = middle;
    }
    pieces.push({ at: after, offset: parisZone.offset(after) });
  }
  return pieces;
}

const CENTURY_FROM = Date.UTC(1995, 0, 1);
const CENTURY_TO = Date.UTC(2101, 0, 1);
const pieces = luxonOffsetPieces(CENTURY_FROM - 2 * DAY_MS, CENTURY_TO + 2 * DAY_MS);
const changes = pieces.slice(1).map((piece) => piece.at);

function offsetAt(ms: number): number {
  let [low, high] = [0, pieces.length - 1];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (pieces[middle]!.at <= ms) low = middle;
    else high = middle - 1;
  }
  return pieces[low]!.offset;
}

test('luxon changes the Paris offset twice a year, always on a whole UTC hour (what the memo relies on)', () => {
  expect(changes.length).toBe(2 * (2100 - 1995 + 1));
  expect(changes.filter((at) => at % HOUR_MS !== 0)).toEqual([]);
  expect(new Set(pieces.map((piece) => piece.offset))).toEqual(new Set([60, 120]));
});

test('parisDateOf and parisMinuteOfDay agree with luxon at :00, :29 and :59 of every UTC hour, 1995–2100', () => {
  const disagreements: string[] = [];
  const dateOfDay = new Map<number, string>();
  const instant = new Date(0);
  let piece = 0;
  for (let hour = CENTURY_FROM; hour < CENTURY_TO; hour += HOUR_MS) {
    for (const minute of [0, 29, 59]) {
      const ms = hour + minute * 60_000;
      while (pieces[piece + 1] !== undefined && pieces[piece + 1]!.at <= ms) piece += 1;
      // Luxon's own arithmetic (tsToObj): the wall clock is the instant plus the offset, read as UTC.
      const wallClock = ms + pieces[piece]!.offset * 60_000;
      const day = floor(wallClock / DAY_MS);
      if (!dateOfDay.has(day)) dateOfDay.set(day, new Date(day * DAY_MS).toISOString().slice(0, 10));
      instant.setTime(ms);
      if (parisDateOf(instant) !== dateOfDay.get(day) || parisMinuteOfDay(instant) !== (wallClock % DAY_MS) / 60_000) {
        disagreements.push(`${instant.toISOString()}: ${parisDateOf(instant)} ${parisMinuteOfDay(instant)}`);
      }
    }
    if (disagreements.length > 10) break;
  }
  expect(disagreements).toEqual([]);
});

test('parisDateOf and parisMinuteOfDay equal luxon itself around each offset change: every hour ±12 h, every minute ±10 min', () => {
  const disagreements: string[] = [];
  for (const change of changes) {
    const instants = [
      ...Array.from({ length: 25 }, (_, hour) => [0, 29, 59].map((m) => change + (hour - 12) * HOUR_MS + m * 60_000)),
      Array.from({ length: 21 }, (_, minute) => change + (minute - 10) * 60_000),
    ].flat();
    for (const ms of instants) {
      const local = DateTime.fromJSDate(new Date(ms), { zone: PARIS_TZ });
      if (
        parisDateOf(new Date(ms)) !== local.toFormat('yyyy-MM-dd') ||
        parisMinuteOfDay(new Date(ms)) !== local.hour * 60 + local.minute
      ) {
        disagreements.push(new Date(ms).toISOString());
      }
    }
    if (disagreements.length > 10) break;
  }
  expect(disagreements).toEqual([]);
});

test('dateOfDayNumber, dayNumberOf and weekdayOf agree with Date on every day from 1900 to 2200, and years 1000–9999 too', () => {
  const disagreements: number[] = [];
  for (let day = Date.UTC(1900, 0, 1) / DAY_MS; day <= Date.UTC(2200, 0, 1) / DAY_MS; day += 1) {
    const date = new Date(day * DAY_MS);
    const text = date.toISOString().slice(0, 10);
    if (dateOfDayNumber(day) !== text || dayNumberOf(text) !== day || weekdayOf(text) !== (date.getUTCDay() || 7)) {
      disagreements.push(day);
    }
  }
  expect(disagreements).toEqual([]);
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(900, 0, 1) / DAY_MS, max: Date.UTC(10_100, 0, 1) / DAY_MS }), (day) => {
      const text = new Date(day * DAY_MS).toISOString().slice(0, 10);
      expect(dateOfDayNumber(day)).toBe(text);
      if (isCalendarDate(text))
        expect([dayNumberOf(text), weekdayOf(text)]).toEqual([day, new Date(day * DAY_MS).getUTCDay() || 7]);
    }),
    { numRuns: 5000 },
  );
  for (const year of [1000, 1600, 1700, 2000, 2100, 2400, 9999]) {
    for (const [month, day] of [
      [1, 1],
      [2, 28],
      [2, 29],
      [3, 1],
      [12, 31],
    ] as const) {
      const dayNumber = Date.UTC(year, month - 1, day) / DAY_MS;
      expect(dateOfDayNumber(dayNumber)).toBe(new Date(dayNumber * DAY_MS).toISOString().slice(0, 10));
    }
  }
});

const WALL_TIMES = ['00:00', '01:59', '02:00', '02:30', '02:59', '03:00', '09:00', '10:00', '23:59'];

test('parisInstant agrees with luxon at nine wall times of every day, 2000–2100, gaps and overlaps included', () => {
  const disagreements: string[] = [];
  const nearChange = new Set(changes.flatMap((at) => [-2, -1, 0, 1, 2].map((days) => floor(at / DAY_MS) + days)));
  const wallTimes = WALL_TIMES.map((time) => [time, (Number(time.slice(0, 2)) * 60 + Number(time.slice(3))) * 60_000]);
  for (let dayNumber = Date.UTC(2000, 0, 1) / DAY_MS; dayNumber < Date.UTC(2101, 0, 1) / DAY_MS; dayNumber += 1) {
    const date = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
    for (const [time, sinceMidnight] of wallTimes as [string, number][]) {
      const wallClock = dayNumber * DAY_MS + sinceMidnight;
      // The instants whose Paris wall clock reads that (Paris is UTC+1 or UTC+2): one, except in a
      // gap (none) or an overlap (two), which luxon resolves its own way.
      const [winter, summer] = [wallClock - 60 * 60_000, wallClock - 120 * 60_000];
      const [isWinter, isSummer] = [offsetAt(winter) === 60, offsetAt(summer) === 120];
      const expected =
        nearChange.has(dayNumber) || isWinter === isSummer ? luxonInstant(date, time) : isWinter ? winter : summer;
      if (parisInstant(date, time).getTime() !== expected) disagreements.push(`${date} ${time}`);
    }
    if (disagreements.length > 10) break;
  }
  expect(disagreements).toEqual([]);
});

test.each([
  ['2026-03-29', '02:30', '2026-03-29T01:30:00.000Z'],
  ['2026-03-29', '03:00', '2026-03-29T01:00:00.000Z'],
  ['2026-10-25', '02:30', '2026-10-25T00:30:00.000Z'],
  ['2026-10-25', '03:00', '2026-10-25T02:00:00.000Z'],
])(
  'parisInstant(%s, %s) is %s, as luxon says (a wall time skipped or repeated by the clock change)',
  (date, time, iso) => {
    expect(parisInstant(date, time).toISOString()).toBe(iso);
    expect(luxonInstant(date, time)).toBe(Date.parse(iso));
  },
);

test('property: anywhere from year 1000 to 9999, and for odd times, the answers are luxon’s', () => {
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
      expect(parisDateOf(new Date(ms))).toBe(luxonDateOf(ms));
      expect(parisMinuteOfDay(new Date(ms))).toBe(luxonMinuteOfDay(ms));
      const date = luxonDateOf(ms);
      const time = `${String(Math.floor(ms / 60_000) % 24).padStart(2, '0')}:${String(ms % 60).padStart(2, '0')}`;
      expect(parisInstant(date, time).getTime()).toBe(luxonInstant(date, time));
    }),
    { numRuns: 2000 },
  );
  for (const [date, time] of [
    ['1905-06-01', '10:00'],
    ['1911-03-11', '00:00'],
    ['1945-09-16', '02:30'],
    ['9999-12-31', '23:59'],
    ['1000-01-01', '00:00'],
    ['2026-06-01', '10'],
    ['2026-06-01', '00:00:30'],
    ['2026-06-01', '24:00'],
    ['2026-06-01', ' 9:05'],
    ['2026-06-01', '9:05'],
    ['2026-06-01', '09:60'],
  ] as const) {
    expect(parisInstant(date, time).getTime()).toBe(luxonInstant(date, time));
  }
  for (const ms of [Date.UTC(1905, 5, 1, 12), Date.UTC(1911, 2, 10, 23, 59), Date.UTC(9999, 11, 31, 23), -1e15]) {
    expect([parisDateOf(new Date(ms)), parisMinuteOfDay(new Date(ms))]).toEqual([
      luxonDateOf(ms),
      luxonMinuteOfDay(ms),
    ]);
  }
  expect(parisDateOf(new Date(NaN))).toBe(luxonDateOf(NaN));
  expect(parisMinuteOfDay(new Date(NaN))).toBeNaN();
  expect(() => parisInstant('2026-06-01', 'x:00')).toThrow();
});

test('a day already seen costs no further time-zone lookup from luxon (issue 14: that was 10–15% of a replay)', () => {
  const instant = new Date('2031-05-14T07:45:00Z');
  parisDateOf(instant);
  parisInstant('2031-05-14', '10:00');
  const offset = jest.spyOn(IANAZone.prototype, 'offset');
  try {
    for (let minute = 0; minute < 15; minute += 1) {
      parisDateOf(new Date(instant.getTime() + minute * 60_000));
      parisMinuteOfDay(new Date(instant.getTime() + minute * 60_000));
      parisInstant('2031-05-14', `10:${String(minute).padStart(2, '0')}`);
    }
    expect(offset).not.toHaveBeenCalled();
  } finally {
    offset.mockRestore();
  }
});
