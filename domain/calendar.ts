/**
 * French public holidays (jours fériés, Code du travail L3133-1), and the two extra days of
 * Alsace-Moselle (L3134-13). R4 keeps contacts off these days. Pure and deterministic: the lists
 * are computed from the year alone, so they can be cached for the life of the module.
 */
import { addDays, compareDates, isCalendarDate } from './dates';
import type { CalendarDate } from './types';

export interface PublicHoliday {
  date: CalendarDate;
  /** The French name, as it may appear in the journal ("reporté : Lundi de Pâques"). */
  name: string;
}

export interface HolidayOptions {
  /** Bas-Rhin, Haut-Rhin and Moselle keep two more holidays from their local law. */
  alsaceMoselle?: boolean;
}

// The Gregorian computus is only meaningful from 1583; CalendarDate has four-digit years.
const FIRST_GREGORIAN_YEAR = 1583;
const LAST_FOUR_DIGIT_YEAR = 9999;

function assertSupportedYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_GREGORIAN_YEAR || year > LAST_FOUR_DIGIT_YEAR) {
    throw new RangeError(`year must be an integer from ${FIRST_GREGORIAN_YEAR} to ${LAST_FOUR_DIGIT_YEAR}: ${year}`);
  }
}

function calendarDate(year: number, month: number, day: number): CalendarDate {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Easter Sunday of the Gregorian calendar (anonymous algorithm, as given by Meeus). */
export function easterSunday(year: number): CalendarDate {
  assertSupportedYear(year);
  const goldenNumber = year % 19;
  const century = Math.floor(year / 100);
  const yearOfCentury = year % 100;
  const skippedLeapCenturies = Math.floor(century / 4);
  const centuryRemainder = century % 4;
  const moonCorrection = Math.floor((century - Math.floor((century + 8) / 25) + 1) / 3);
  const paschalMoonOffset = (19 * goldenNumber + century - skippedLeapCenturies - moonCorrection + 15) % 30;
  const leapYearsInCentury = Math.floor(yearOfCentury / 4);
  const yearRemainder = yearOfCentury % 4;
  const sundayOffset = (32 + 2 * centuryRemainder + 2 * leapYearsInCentury - paschalMoonOffset - yearRemainder) % 7;
  const lateFullMoonShift = Math.floor((goldenNumber + 11 * paschalMoonOffset + 22 * sundayOffset) / 451);
  const encodedMonthDay = paschalMoonOffset + sundayOffset - 7 * lateFullMoonShift + 114;
  const month = Math.floor(encodedMonthDay / 31);
  const day = (encodedMonthDay % 31) + 1;
  return calendarDate(year, month, day);
}

function computeHolidays(year: number, alsaceMoselle: boolean): readonly PublicHoliday[] {
  const easter = easterSunday(year);
  const holidays: PublicHoliday[] = [
    { date: calendarDate(year, 1, 1), name: "Jour de l'an" },
    { date: addDays(easter, 1), name: 'Lundi de Pâques' },
    { date: calendarDate(year, 5, 1), name: 'Fête du Travail' },
    { date: calendarDate(year, 5, 8), name: 'Victoire 1945' },
    { date: addDays(easter, 39), name: 'Ascension' },
    // Still a jour férié in law even where it is worked as the "journée de solidarité".
    { date: addDays(easter, 50), name: 'Lundi de Pentecôte' },
    { date: calendarDate(year, 7, 14), name: 'Fête nationale' },
    { date: calendarDate(year, 8, 15), name: 'Assomption' },
    { date: calendarDate(year, 11, 1), name: 'Toussaint' },
    { date: calendarDate(year, 11, 11), name: 'Armistice 1918' },
    { date: calendarDate(year, 12, 25), name: 'Noël' },
  ];
  if (alsaceMoselle) {
    holidays.push({ date: addDays(easter, -2), name: 'Vendredi saint' });
    holidays.push({ date: calendarDate(year, 12, 26), name: 'Saint-Étienne' });
  }
  // Ascension can fall on 1 or 8 May (2008: 1 May): both entries stay, each is a holiday in law.
  // Array.prototype.sort is stable, so such a day keeps the order listed above.
  holidays.sort((a, b) => compareDates(a.date, b.date));
  return Object.freeze(holidays.map((holiday) => Object.freeze(holiday)));
}

const holidaysByYear = new Map<string, readonly PublicHoliday[]>();

function holidaysOf(year: number, options: HolidayOptions): readonly PublicHoliday[] {
  const alsaceMoselle = options.alsaceMoselle ?? false;
  const key = `${year}:${alsaceMoselle}`;
  let holidays = holidaysByYear.get(key);
  if (holidays === undefined) {
    holidays = computeHolidays(year, alsaceMoselle);
    holidaysByYear.set(key, holidays);
  }
  return holidays;
}

/** The public holidays of that year, sorted by date. */
export function frenchPublicHolidays(year: number, options: HolidayOptions = {}): PublicHoliday[] {
  // Copies, so that a caller editing the list cannot corrupt the cache.
  return holidaysOf(year, options).map((holiday) => ({ ...holiday }));
}

function yearOf(date: CalendarDate): number {
  if (!isCalendarDate(date)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  return Number(date.slice(0, 4));
}

/** The name of the holiday on that day (the first, if two coincide), or undefined on a working day. */
export function publicHolidayName(date: CalendarDate, options: HolidayOptions = {}): string | undefined {
  return holidaysOf(yearOf(date), options).find((holiday) => holiday.date === date)?.name;
}

export function isPublicHoliday(date: CalendarDate, options: HolidayOptions = {}): boolean {
  return publicHolidayName(date, options) !== undefined;
}

/**
 * Which calendar of public holidays applies to a debtor (R4): Moselle, Bas-Rhin and Haut-Rhin keep
 * Good Friday and 26 December from their local law. A flag, not an address, is what a case carries:
 * the workflow's history holds no personal data (R7).
 */
export const HOLIDAY_REGIONS = ['general', 'alsace_moselle'] as const;
export type HolidayRegion = (typeof HOLIDAY_REGIONS)[number];

const ALSACE_MOSELLE_DEPARTEMENTS = ['57', '67', '68'];

// A French postal code is five digits whose first two name the département (except Corsica's 20
// and the overseas 97/98, none of which matters here). The last one in the address is taken: a
// street number of five digits is rare, a postal code after the street is the French convention.
const POSTAL_CODE = /(?<![\d])(\d{5})(?![\d])/g;

/**
 * The region of a postal address written the French way ("2 rue du Dôme, 67000 Strasbourg"). An
 * address without a postal code, or none at all, gets the general calendar: the only cost of not
 * knowing is a message on Good Friday or 26 December, days the general law treats as working days.
 */
export function holidayRegionOfAddress(address: string | null | undefined): HolidayRegion {
  const codes = [...(address ?? '').matchAll(POSTAL_CODE)].map((match) => match[1]!);
  const postalCode = codes[codes.length - 1];
  return postalCode !== undefined && ALSACE_MOSELLE_DEPARTEMENTS.includes(postalCode.slice(0, 2))
    ? 'alsace_moselle'
    : 'general';
}
