import { HOLIDAY_REGIONS, holidayRegionOfAddress, isPublicHoliday } from '../../domain/calendar';
import { contactRulesOf } from '../../domain/case/contact-rules';
import { RULES_VERSIONS } from '../../domain/case/rules-version';
import type { CaseInput } from '../../domain/case/types';
import { DEFAULT_CONTACT_RULES } from '../../domain/contact-limits';
import { SUPPORTED_CURRENCIES, currencyProblem, currencySchema } from '../../domain/currency';

const REGION = 'R4 Alsace-Moselle holidays from the debtor address';
const CURRENCY = 'Intake: active ISO 4217 codes the product states amounts in';

describe('the holiday region of a debtor address', () => {
  test.each([
    ['2 rue du Dôme, 67000 Strasbourg', 'alsace_moselle'],
    ['10 avenue de la République, 68100 Mulhouse', 'alsace_moselle'],
    ['Place d’Armes, 57000 Metz', 'alsace_moselle'],
    ['5 route de Colmar 68000 COLMAR', 'alsace_moselle'],
    ['BP 12, 57402 Sarrebourg Cedex', 'alsace_moselle'],
    ['1 rue de la Paix, 75001 Paris', 'general'],
    ['4 place Bellecour, 69002 Lyon', 'general'],
    ['12 rue Nationale, 56000 Vannes', 'general'],
    ['3 chemin des Vignes, 66000 Perpignan', 'general'],
  ])(`${REGION} — %s → %s`, (address, region) => {
    expect(holidayRegionOfAddress(address)).toBe(region);
  });

  test(`${REGION} — the postal code is the last five-digit number, not a street number or a longer number`, () => {
    expect(holidayRegionOfAddress('67000 rue Imaginaire, 75002 Paris')).toBe('general');
    expect(holidayRegionOfAddress('Lot 57, 75002 Paris')).toBe('general');
    expect(holidayRegionOfAddress('SIRET 67000123400018, 75002 Paris')).toBe('general');
    expect(holidayRegionOfAddress('75002 Paris, puis 67000 Strasbourg')).toBe('alsace_moselle');
  });

  test(`${REGION} — no address or no postal code: the general calendar`, () => {
    expect(holidayRegionOfAddress(undefined)).toBe('general');
    expect(holidayRegionOfAddress(null)).toBe('general');
    expect(holidayRegionOfAddress('')).toBe('general');
    expect(holidayRegionOfAddress('Strasbourg')).toBe('general');
    expect(HOLIDAY_REGIONS).toEqual(['general', 'alsace_moselle']);
  });
});

describe('the contact rules of one case', () => {
  const input = (holidayRegion?: CaseInput['holidayRegion']) =>
    ({ caseId: 'c1', ...(holidayRegion ? { holidayRegion } : {}) }) as CaseInput;

  test(`${REGION} — an Alsace-Moselle debtor gets Good Friday and 26 December on every channel`, () => {
    const rules = contactRulesOf(
      { input: input('alsace_moselle'), rulesVersion: RULES_VERSIONS.complianceReview },
      DEFAULT_CONTACT_RULES,
    );
    expect(rules.alsaceMoselle).toBe(true);
    expect(isPublicHoliday('2026-12-26', { alsaceMoselle: rules.alsaceMoselle })).toBe(true);
    expect(rules.windows).toEqual(DEFAULT_CONTACT_RULES.windows);
  });

  test(`${REGION} — the general calendar, and for cases opened before the field existed`, () => {
    for (const region of ['general', undefined] as const) {
      const rules = contactRulesOf(
        { input: input(region), rulesVersion: RULES_VERSIONS.complianceReview },
        DEFAULT_CONTACT_RULES,
      );
      expect(rules.alsaceMoselle).toBe(false);
    }
    // Configured rules that already say Alsace-Moselle keep saying it.
    expect(
      contactRulesOf({ input: input('general') }, { ...DEFAULT_CONTACT_RULES, alsaceMoselle: true }).alsaceMoselle,
    ).toBe(true);
  });

  test('R4 letters — letter hours apply from the compliance review on; older cases keep letters at any hour', () => {
    const current = contactRulesOf(
      { input: input(), rulesVersion: RULES_VERSIONS.complianceReview },
      DEFAULT_CONTACT_RULES,
    );
    expect(current.letters).toEqual(DEFAULT_CONTACT_RULES.letters);
    for (const rulesVersion of [RULES_VERSIONS.original, undefined]) {
      const older = contactRulesOf(
        { input: input('alsace_moselle'), ...(rulesVersion ? { rulesVersion } : {}) },
        DEFAULT_CONTACT_RULES,
      );
      expect(older.letters).toBeUndefined();
      expect(older.alsaceMoselle).toBe(true);
    }
  });
});

describe('currencies', () => {
  test(`${CURRENCY} — only the euro is collected`, () => {
    expect(SUPPORTED_CURRENCIES).toEqual(['EUR']);
    expect(currencyProblem('EUR')).toBeUndefined();
    expect(currencySchema.safeParse('EUR').success).toBe(true);
  });

  test.each([
    ['ZZZ', /ZZZ is not an active ISO 4217 currency code/],
    ['XYZ', /XYZ is not an active ISO 4217 currency code/],
    ['FRF', /FRF is not an active ISO 4217 currency code/],
    ['USD', /USD is not collected: amounts are stated only in EUR/],
    ['CHF', /CHF is not collected: amounts are stated only in EUR/],
    ['eur', /three capital letters/],
    ['EURO', /three capital letters/],
    ['', /three capital letters/],
  ])(`${CURRENCY} — %s is refused with its reason`, (code, reason) => {
    expect(currencyProblem(code)).toMatch(reason);
    const result = currencySchema.safeParse(code);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(reason);
  });
});
