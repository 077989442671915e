import { registeredLetterForm, type RegisteredLetterSituation } from '../../domain/registered-mail';

const AT = new Date('2026-12-02T10:00:00+01:00');
const base: RegisteredLetterSituation = {
  debtorKind: 'consumer',
  at: AT,
  hasEmail: true,
  preferElectronic: true,
};

describe('R5 — the form of a mise en demeure (CPCE L100)', () => {
  test('a consumer without consent gets paper, even when electronic is preferred', () => {
    expect(registeredLetterForm(base)).toEqual({ form: 'lrar', reason: expect.stringContaining('L100') });
  });

  test('a consumer who consented before the notice may get an LRE', () => {
    const consented = { ...base, electronicConsentAt: new Date('2026-01-10T09:00:00Z') };
    expect(registeredLetterForm(consented).form).toBe('lre');
  });

  test('a consent given after the notice was decided does not count', () => {
    const later = { ...base, electronicConsentAt: new Date(AT.getTime() + 1000) };
    expect(registeredLetterForm(later).form).toBe('lrar');
  });

  test('an unreadable consent date counts as no consent', () => {
    expect(registeredLetterForm({ ...base, electronicConsentAt: new Date('nonsense') }).form).toBe('lrar');
  });

  test('a professional may get an LRE without a recorded consent', () => {
    expect(registeredLetterForm({ ...base, debtorKind: 'business' }).form).toBe('lre');
  });

  test.each([
    ['paper is configured', { preferElectronic: false }],
    ['there is no e-mail address', { hasEmail: false }],
  ])('paper whatever the debtor when %s', (_why, change) => {
    for (const debtorKind of ['business', 'consumer'] as const) {
      const consented = { ...base, debtorKind, electronicConsentAt: new Date('2026-01-10T09:00:00Z'), ...change };
      expect(registeredLetterForm(consented).form).toBe('lrar');
    }
  });
});
