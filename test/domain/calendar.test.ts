import { easterSunday, frenchPublicHolidays, isPublicHoliday, publicHolidayName } from '../../domain/calendar';
import { weekdayOf } from '../../domain/dates';

// Expected values are written out by hand from published calendars, never computed by the code
// under test.
const EXPECTED_BY_YEAR: {
  year: number;
  easter: string;
  easterMonday: string;
  ascension: string;
  pentecostMonday: string;
}[] = [
  {
    year: 2024,
    easter: '2024-03-31',
    easterMonday: '2024-04-01',
    ascension: '2024-05-09',
    pentecostMonday: '2024-05-20',
  },
  {
    year: 2025,
    easter: '2025-04-20',
    easterMonday: '2025-04-21',
    ascension: '2025-05-29',
    pentecostMonday: '2025-06-09',
  },
  {
    year: 2026,
    easter: '2026-04-05',
    easterMonday: '2026-04-06',
    ascension: '2026-05-14',
    pentecostMonday: '2026-05-25',
  },
  {
    year: 2027,
    easter: '2027-03-28',
    easterMonday: '2027-03-29',
    ascension: '2027-05-06',
    pentecostMonday: '2027-05-17',
  },
  {
    year: 2028,
    easter: '2028-04-16',
    easterMonday: '2028-04-17',
    ascension: '2028-05-25',
    pentecostMonday: '2028-06-05',
  },
  {
    year: 2029,
    easter: '2029-04-01',
    easterMonday: '2029-04-02',
    ascension: '2029-05-10',
    pentecostMonday: '2029-05-21',
  },
  {
    year: 2030,
    easter: '2030-04-21',
    easterMonday: '2030-04-22',
    ascension: '2030-05-30',
    pentecostMonday: '2030-06-10',
  },
];

describe('easterSunday', () => {
  test.each(EXPECTED_BY_YEAR)('Easter $year is $easter', ({ year, easter }) => {
    expect(easterSunday(year)).toBe(easter);
  });

  test.each([
    [1818, '1818-03-22'], // earliest possible date
    [1943, '1943-04-25'], // latest possible date
    [2000, '2000-04-23'], // century leap year
    [2008, '2008-03-23'],
    [2038, '2038-04-25'],
    [2100, '2100-03-28'], // century non-leap year
    [2285, '2285-03-22'],
  ])('Easter %i is %s (edges of the computus)', (year, easter) => {
    expect(easterSunday(year)).toBe(easter);
  });

  test('is always a Sunday between 22 March and 25 April', () => {
    for (let year = 1900; year <= 2200; year++) {
      const easter = easterSunday(year);
      expect(weekdayOf(easter)).toBe(7);
      expect(easter.slice(5) >= '03-22' && easter.slice(5) <= '04-25').toBe(true);
    }
  });

  test.each([1582, 10000, 2025.5, Number.NaN])('refuses year %p', (year) => {
    expect(() => easterSunday(year)).toThrow(RangeError);
  });
});

describe('frenchPublicHolidays', () => {
  test('2025: the 11 national holidays, in date order, with their French names', () => {
    expect(frenchPublicHolidays(2025)).toEqual([
      { date: '2025-01-01', name: "Jour de l'an" },
      { date: '2025-04-21', name: 'Lundi de Pâques' },
      { date: '2025-05-01', name: 'Fête du Travail' },
      { date: '2025-05-08', name: 'Victoire 1945' },
      { date: '2025-05-29', name: 'Ascension' },
      { date: '2025-06-09', name: 'Lundi de Pentecôte' },
      { date: '2025-07-14', name: 'Fête nationale' },
      { date: '2025-08-15', name: 'Assomption' },
      { date: '2025-11-01', name: 'Toussaint' },
      { date: '2025-11-11', name: 'Armistice 1918' },
      { date: '2025-12-25', name: 'Noël' },
    ]);
  });

  test.each(EXPECTED_BY_YEAR)(
    '$year: Lundi de Pâques $easterMonday, Ascension $ascension, Lundi de Pentecôte $pentecostMonday',
    ({ year, easterMonday, ascension, pentecostMonday }) => {
      const byName = new Map(frenchPublicHolidays(year).map((holiday) => [holiday.name, holiday.date]));
      expect(byName.get('Lundi de Pâques')).toBe(easterMonday);
      expect(byName.get('Ascension')).toBe(ascension);
      expect(byName.get('Lundi de Pentecôte')).toBe(pentecostMonday);
      expect(weekdayOf(easterMonday)).toBe(1);
      expect(weekdayOf(ascension)).toBe(4);
      expect(weekdayOf(pentecostMonday)).toBe(1);
    },
  );

  test.each(EXPECTED_BY_YEAR)('$year: fixed-date holidays, 11 in all, sorted', ({ year }) => {
    const holidays = frenchPublicHolidays(year);
    expect(holidays).toHaveLength(11);
    const dates = holidays.map((holiday) => holiday.date);
    expect(dates).toEqual([...dates].sort());
    for (const monthDay of ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25']) {
      expect(dates).toContain(`${year}-${monthDay}`);
    }
    expect(dates).not.toContain(`${year}-12-26`);
  });

  test.each(EXPECTED_BY_YEAR)('$year in Alsace-Moselle: also Vendredi saint and Saint-Étienne', ({ year, easter }) => {
    const national = frenchPublicHolidays(year);
    const local = frenchPublicHolidays(year, { alsaceMoselle: true });
    expect(local).toHaveLength(13);
    const goodFriday = local.find((holiday) => holiday.name === 'Vendredi saint')?.date;
    expect(goodFriday).toBeDefined();
    expect(weekdayOf(goodFriday ?? '')).toBe(5);
    expect((goodFriday ?? '') < easter).toBe(true);
    expect(local).toContainEqual({ date: `${year}-12-26`, name: 'Saint-Étienne' });
    expect(local.map((holiday) => holiday.date)).toEqual(local.map((holiday) => holiday.date).sort());
    for (const holiday of national) expect(local).toContainEqual(holiday);
  });

  test('Alsace-Moselle Good Friday dates', () => {
    const goodFriday = (year: number) =>
      frenchPublicHolidays(year, { alsaceMoselle: true }).find((holiday) => holiday.name === 'Vendredi saint')?.date;
    expect(goodFriday(2024)).toBe('2024-03-29');
    expect(goodFriday(2025)).toBe('2025-04-18');
    expect(goodFriday(2026)).toBe('2026-04-03');
  });

  test('2008: Ascension on 1 May keeps both holidays', () => {
    const firstOfMay = frenchPublicHolidays(2008).filter((holiday) => holiday.date === '2008-05-01');
    expect(firstOfMay.map((holiday) => holiday.name)).toEqual(['Fête du Travail', 'Ascension']);
  });

  test('editing a returned list does not change later answers', () => {
    const holidays = frenchPublicHolidays(2027);
    holidays.splice(0, holidays.length);
    expect(frenchPublicHolidays(2027)).toHaveLength(11);
    expect(isPublicHoliday('2027-01-01')).toBe(true);
  });
});

describe('isPublicHoliday', () => {
  test.each([
    ['2024-05-20', true], // Lundi de Pentecôte
    ['2025-07-14', true],
    ['2025-12-25', true],
    ['2026-04-06', true], // Lundi de Pâques
    ['2026-05-14', true], // Ascension
    ['2025-12-24', false],
    ['2025-12-26', false],
    ['2026-04-03', false], // Vendredi saint, outside Alsace-Moselle
    ['2026-04-05', false], // Easter Sunday itself is a Sunday, not a jour férié
    ['2030-06-09', false], // Pentecost Sunday
  ])('%s → %p', (date, expected) => {
    expect(isPublicHoliday(date)).toBe(expected);
  });

  test('Alsace-Moselle extras only with the option', () => {
    expect(isPublicHoliday('2026-04-03', { alsaceMoselle: true })).toBe(true);
    expect(isPublicHoliday('2025-12-26', { alsaceMoselle: true })).toBe(true);
    expect(isPublicHoliday('2025-12-26', { alsaceMoselle: false })).toBe(false);
  });

  test('names the holiday for the journal', () => {
    expect(publicHolidayName('2026-11-11')).toBe('Armistice 1918');
    expect(publicHolidayName('2026-11-12')).toBeUndefined();
  });

  test.each(['2025-13-01', '25-12-2025', '2025-02-30', ''])('refuses the malformed date %p', (date) => {
    expect(() => isPublicHoliday(date)).toThrow(RangeError);
  });
});
