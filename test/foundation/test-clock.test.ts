import { DateTime } from 'luxon';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TEST_CLOCK, nextPinnedInstant, parseClockPin, testClockPin } from '../helpers/test-clock';

const paris = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'Europe/Paris' });
/** The pinned instant as Paris wall-clock time with its offset, e.g. `Mon 2026-03-30 07:00 +02:00`. */
const next = (from: string, pin: string): string =>
  nextPinnedInstant(paris(from), pin).toFormat('ccc yyyy-MM-dd HH:mm ZZ');

describe('parsing a pin', () => {
  test('HH:mm and <weekday>-HH:mm, case-insensitive', () => {
    expect(parseClockPin('21:00')).toEqual({ hour: 21, minute: 0 });
    expect(parseClockPin('monday-07:00')).toEqual({ weekday: 1, hour: 7, minute: 0 });
    expect(parseClockPin(' Sunday-11:30 ')).toEqual({ weekday: 7, hour: 11, minute: 30 });
  });

  test.each(['', '7:00', '24:00', '21:60', 'mon-07:00', 'someday-07:00', 'monday07:00', 'monday-'])(
    '%j is refused, naming the variable and the format',
    (text) => {
      expect(() => parseClockPin(text)).toThrow(/AMIABLE_TEST_CLOCK=.*expected HH:mm or <weekday>-HH:mm/);
    },
  );

  test('unset or empty is the default, an ordinary working-day morning', () => {
    expect(testClockPin({})).toBe(DEFAULT_TEST_CLOCK);
    expect(testClockPin({ AMIABLE_TEST_CLOCK: ' ' })).toBe(DEFAULT_TEST_CLOCK);
    expect(testClockPin({ AMIABLE_TEST_CLOCK: 'sunday-11:00' })).toBe('sunday-11:00');
    expect(DEFAULT_TEST_CLOCK).toBe('10:30');
  });

  test('the pins of npm run test:clocks are valid: early Monday, a late working day, a Sunday', () => {
    const script = readFileSync(path.join(__dirname, '..', '..', 'scripts', 'test-clocks.sh'), 'utf8');
    const pins = /^PINS=\(([^)]*)\)$/m.exec(script)?.[1]?.split(/\s+/) ?? [];
    expect(pins).toEqual(['monday-07:00', '21:00', 'sunday-11:00']);
    for (const pin of pins) expect(() => parseClockPin(pin)).not.toThrow();
  });
});

describe('the next instant matching a pin, in Paris time', () => {
  test('later the same day, or the next matching day; always strictly after the start', () => {
    // Thursday 3 December 2026.
    expect(next('2026-12-03T09:00', '10:30')).toBe('Thu 2026-12-03 10:30 +01:00');
    expect(next('2026-12-03T10:30', '10:30')).toBe('Fri 2026-12-04 10:30 +01:00');
    expect(next('2026-12-03T11:00', 'monday-07:00')).toBe('Mon 2026-12-07 07:00 +01:00');
    expect(next('2026-12-07T06:59', 'monday-07:00')).toBe('Mon 2026-12-07 07:00 +01:00');
    expect(next('2026-12-07T07:00', 'monday-07:00')).toBe('Mon 2026-12-14 07:00 +01:00');
  });

  test('a working-day pin skips the weekend', () => {
    expect(next('2026-12-04T21:30', '21:00')).toBe('Mon 2026-12-07 21:00 +01:00');
    expect(next('2026-12-05T08:00', '10:30')).toBe('Mon 2026-12-07 10:30 +01:00');
  });

  test('working-day and weekday pins skip public holidays: 25 December, 1 January, Easter Monday', () => {
    // Thursday 24 December 2026 after 21:00: Friday is Christmas, then the weekend.
    expect(next('2026-12-24T22:00', '21:00')).toBe('Mon 2026-12-28 21:00 +01:00');
    // 31 December 2026 is a Thursday: Friday 1 January is a holiday, then the weekend.
    expect(next('2026-12-31T12:00', '10:30')).toBe('Mon 2027-01-04 10:30 +01:00');
  });

  test('weekday pins skip a Monday that is a public holiday', () => {
    // Monday 28 March 2016 was Easter Monday; Monday 1 January 2029 is New Year's Day.
    expect(next('2016-03-27T12:00', 'monday-07:00')).toBe('Mon 2016-04-04 07:00 +02:00');
    expect(next('2028-12-31T12:00', 'monday-07:00')).toBe('Mon 2029-01-08 07:00 +01:00');
    // 25 December 2028 is a Monday.
    expect(next('2028-12-24T12:00', 'monday-07:00')).toBe('Mon 2029-01-08 07:00 +01:00');
  });

  test('a weekend pin is about the weekend: it keeps a Sunday that is a holiday', () => {
    // 1 January 2034 is a Sunday.
    expect(next('2033-12-31T12:00', 'sunday-11:00')).toBe('Sun 2034-01-01 11:00 +01:00');
    expect(next('2026-12-03T12:00', 'sunday-11:00')).toBe('Sun 2026-12-06 11:00 +01:00');
  });

  test('across the daylight-saving changes the wall-clock time holds, not the elapsed hours', () => {
    // Clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026.
    expect(next('2026-03-27T22:00', 'monday-07:00')).toBe('Mon 2026-03-30 07:00 +02:00');
    expect(next('2026-03-28T12:00', 'sunday-11:00')).toBe('Sun 2026-03-29 11:00 +02:00');
    expect(next('2026-10-23T22:00', '21:00')).toBe('Mon 2026-10-26 21:00 +01:00');
    expect(next('2026-10-24T12:00', 'sunday-11:00')).toBe('Sun 2026-10-25 11:00 +01:00');
    // 02:30 does not exist on 29 March 2026 in Paris: the next Sunday is taken.
    expect(next('2026-03-28T12:00', 'sunday-02:30')).toBe('Sun 2026-04-05 02:30 +02:00');
    // 02:30 happens twice on 25 October 2026: the first one.
    expect(next('2026-10-24T12:00', 'sunday-02:30')).toBe('Sun 2026-10-25 02:30 +02:00');
    // Between the two, the second one is next.
    const between = DateTime.fromISO('2026-10-25T02:45:00+02:00');
    expect(nextPinnedInstant(between, 'sunday-02:30').toFormat('yyyy-MM-dd HH:mm ZZ')).toBe('2026-10-25 02:30 +01:00');
  });

  test('the start may be given in milliseconds, as the test server reports it', () => {
    const from = paris('2026-12-03T11:12').toMillis();
    expect(nextPinnedInstant(from, 'sunday-11:00').toUTC().toISO()).toBe('2026-12-06T10:00:00.000Z');
  });
});
