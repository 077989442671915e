import { DEFAULT_RATE_TABLE, parseRateTable, type RateTable } from '../../domain/late-charges';
import { halfYearOf, legalInterest, legalRateOn, missingRates } from '../../domain/legal-interest';
import { computeStatement } from '../../domain/statement';

const table: RateTable = {
  ecbMainRefinancingRate: [{ from: '2025-06-11', percent: 2.15, source: 'ECB 5 June 2025' }],
  legalInterestRateProfessional: [
    { from: '2025-07-01', percent: 2.76, source: 'Arrêté du 19 juin 2025' },
    { from: '2026-01-01', percent: 2.62, source: 'Arrêté du 15 décembre 2025' },
  ],
  legalInterestRatePrivateCreditor: [{ from: '2026-01-01', percent: 6.67, source: 'Arrêté du 15 décembre 2025' }],
};

describe('the shipped rate table (config/rates.json)', () => {
  it('validates, and every value names its source', () => {
    const series = [
      ...DEFAULT_RATE_TABLE.ecbMainRefinancingRate,
      ...DEFAULT_RATE_TABLE.legalInterestRateProfessional,
      ...(DEFAULT_RATE_TABLE.legalInterestRatePrivateCreditor ?? []),
    ];
    expect(series.length).toBeGreaterThan(30);
    for (const point of series) expect(point.source).toMatch(/\S/);
  });

  it('holds the arrêté of 15 December 2025 for 2026 H1 and no invented value for 2026 H2', () => {
    expect(legalRateOn(DEFAULT_RATE_TABLE, 'other', '2026-03-10')?.percent).toBe(2.62);
    expect(legalRateOn(DEFAULT_RATE_TABLE, 'private_creditor', '2026-06-30')?.percent).toBe(6.67);
    expect(legalRateOn(DEFAULT_RATE_TABLE, 'other', '2026-07-01')).toBeUndefined();
  });
});

describe('rate lookup per half-year', () => {
  it.each([
    ['2025-06-30', undefined],
    ['2025-07-01', 2.76],
    ['2025-12-31', 2.76],
    ['2026-01-01', 2.62],
    ['2026-06-30', 2.62],
    ['2026-07-01', undefined], // the previous arrêté is stale, never a fallback
  ])('legal rate "autres cas" on %s is %s', (day, percent) => {
    expect(legalRateOn(table, 'other', day)?.percent).toBe(percent);
  });

  it('reads the private-creditor series separately, and a table without it has no such rate', () => {
    expect(legalRateOn(table, 'private_creditor', '2026-02-01')?.percent).toBe(6.67);
    expect(legalRateOn(table, 'private_creditor', '2025-09-01')).toBeUndefined();
    const { legalInterestRatePrivateCreditor: _omitted, ...older } = table;
    expect(legalRateOn(older, 'private_creditor', '2026-02-01')).toBeUndefined();
  });

  it.each([
    ['2026-01-01', '2026-01-01'],
    ['2026-06-30', '2026-01-01'],
    ['2026-07-01', '2026-07-01'],
    ['2026-12-31', '2026-07-01'],
  ])('%s is in the half-year starting %s', (day, start) => {
    expect(halfYearOf(day)).toBe(start);
  });

  it('names what is missing for the current half-year, and nothing when covered', () => {
    expect(missingRates(table, '2026-03-01')).toEqual([]);
    expect(missingRates(table, '2026-12-03')).toEqual([
      { series: 'legalInterestRateProfessional', halfYear: '2026-07-01' },
    ]);
    expect(missingRates({ ...table, ecbMainRefinancingRate: [] }, '2026-03-01')).toEqual([
      { series: 'ecbMainRefinancingRate', halfYear: '2026-01-01' },
    ]);
  });

  it('refuses a table whose value has an empty source or unsorted dates, naming the field', () => {
    expect(() =>
      parseRateTable({ ...table, legalInterestRateProfessional: [{ from: '2026-01-01', percent: 2.62, source: '' }] }),
    ).toThrow(/legalInterestRateProfessional\[0\]\.source|source/);
    expect(() =>
      parseRateTable({
        ...table,
        legalInterestRateProfessional: [
          { from: '2026-01-01', percent: 2.62 },
          { from: '2025-07-01', percent: 2.76 },
        ],
      }),
    ).toThrow(/must come after 2026-01-01/);
  });
});

describe('interest from a mise en demeure (Code civil 1231-6)', () => {
  it('accrues Actual/365 at each half-year’s rate across the 1 January boundary', () => {
    const result = legalInterest({
      principalCents: 1_000_000,
      principalPayments: [],
      from: '2025-12-01',
      through: '2026-01-31',
      rates: table,
      category: 'other',
    });
    // 31 days at 2.76 %: 10 000 € × 2.76 % × 31/365 = 23.44 €; 31 days at 2.62 %: 22.25 €.
    expect(result.segments).toEqual([
      {
        from: '2025-12-01',
        to: '2025-12-31',
        ratePercent: 2.76,
        principalCents: 1_000_000,
        interestCents: 2344,
        source: 'Arrêté du 19 juin 2025',
      },
      {
        from: '2026-01-01',
        to: '2026-01-31',
        ratePercent: 2.62,
        principalCents: 1_000_000,
        interestCents: 2225,
        source: 'Arrêté du 15 décembre 2025',
      },
    ]);
    expect(result.interestCents).toBe(2344 + 2225);
    expect(result.uncovered).toEqual([]);
  });

  it('claims nothing for a half-year without a published rate, and says which days', () => {
    const result = legalInterest({
      principalCents: 1_000_000,
      principalPayments: [],
      from: '2026-06-01',
      through: '2026-08-15',
      rates: table,
      category: 'other',
    });
    expect(result.segments.map((segment) => [segment.from, segment.to])).toEqual([['2026-06-01', '2026-06-30']]);
    expect(result.interestCents).toBe(Math.round((1_000_000 * 0.0262 * 30) / 365));
    expect(result.uncovered).toEqual([{ from: '2026-07-01', to: '2026-08-15', halfYear: '2026-07-01' }]);
  });

  it('runs on the principal left unpaid: a payment lowers the base from the next day', () => {
    const result = legalInterest({
      principalCents: 1_000_000,
      principalPayments: [{ paidAt: '2026-02-10', cents: 400_000 }],
      from: '2026-02-01',
      through: '2026-02-28',
      rates: table,
      category: 'other',
    });
    expect(result.segments.map((segment) => [segment.from, segment.to, segment.principalCents])).toEqual([
      ['2026-02-01', '2026-02-10', 1_000_000],
      ['2026-02-11', '2026-02-28', 600_000],
    ]);
  });

  it('stops when the principal is paid, and is nothing before it starts', () => {
    const paid = legalInterest({
      principalCents: 50_000,
      principalPayments: [{ paidAt: '2026-01-31', cents: 50_000 }],
      from: '2026-01-01',
      through: '2026-03-31',
      rates: table,
      category: 'other',
    });
    expect(paid.segments).toHaveLength(1);
    expect(paid.segments[0]!.to).toBe('2026-01-31');
    const notYet = legalInterest({
      principalCents: 50_000,
      principalPayments: [],
      from: '2026-02-02',
      through: '2026-02-01',
      rates: table,
      category: 'other',
    });
    expect(notYet).toEqual({ interestCents: 0, segments: [], uncovered: [] });
  });

  it('uses the private-creditor rate when the creditor is a private person', () => {
    const result = legalInterest({
      principalCents: 365_00,
      principalPayments: [],
      from: '2026-01-01',
      through: '2026-12-31',
      rates: table,
      category: 'private_creditor',
    });
    // 181 days of H1 at 6.67 % on 365 €: 12.07 €; H2 unpublished.
    expect(result.interestCents).toBe(1207);
    expect(result.uncovered).toEqual([{ from: '2026-07-01', to: '2026-12-31', halfYear: '2026-07-01' }]);
  });

  it('refuses a malformed date', () => {
    expect(() =>
      legalInterest({
        principalCents: 1,
        principalPayments: [],
        from: '2026-13-01',
        through: '2026-12-31',
        rates: table,
        category: 'other',
      }),
    ).toThrow(/from must be a calendar date/);
  });
});

describe('1231-6 interest in the statement (what messages, dossier and balance read)', () => {
  const base = {
    invoices: [{ number: 'F-1', issueDate: '2025-11-01', dueDate: '2025-11-30', amountCents: 1_000_000 }],
    payments: [],
    asOf: '2026-01-31',
    rates: table,
    legalInterestFrom: '2025-12-01',
  };

  it('a consumer owes legal interest from the first day, no indemnity, and the statement says which interest it is', () => {
    const statement = computeStatement({ ...base, debtorKind: 'consumer', lateCharges: 'waive' });
    expect(statement.totals.interestCents).toBe(2344 + 2225);
    expect(statement.totals.indemnityCents).toBe(0);
    expect(statement.totals.balanceCents).toBe(1_000_000 + 2344 + 2225);
    expect(statement).toMatchObject({ interestBasis: 'legal_interest', legalInterestFrom: '2025-12-01' });
    expect(statement.rateSegments![0]!.segments.map((segment) => segment.ratePercent)).toEqual([2.76, 2.62]);
  });

  it('between professionals the L441-10 penalties replace it', () => {
    const statement = computeStatement({ ...base, debtorKind: 'business', lateCharges: 'claim' });
    expect(statement.interestBasis).toBeUndefined();
    // ECB 2.15 + 10 = 12.15 % from the day after the due date.
    expect(statement.rateSegments![0]!.segments[0]).toMatchObject({ from: '2025-12-01', ratePercent: 12.15 });
    expect(statement.totals.indemnityCents).toBe(4000);
  });

  it('a business whose penalties the policy waives still owes legal interest after the mise en demeure', () => {
    const statement = computeStatement({ ...base, debtorKind: 'business', lateCharges: 'waive' });
    expect(statement.totals.interestCents).toBe(2344 + 2225);
    expect(statement.totals.indemnityCents).toBe(0);
  });

  it('nothing before the mise en demeure, nothing for an unpublished half-year', () => {
    const before = computeStatement({ ...base, debtorKind: 'consumer', lateCharges: 'waive', asOf: '2025-11-30' });
    expect(before.totals.interestCents).toBe(0);
    const later = computeStatement({
      ...base,
      debtorKind: 'consumer',
      lateCharges: 'waive',
      legalInterestFrom: '2026-06-01',
      asOf: '2026-08-31',
    });
    expect(later.rateSegments![0]!.segments.map((segment) => [segment.from, segment.to])).toEqual([
      ['2026-06-01', '2026-06-30'],
    ]);
  });

  it('a partial payment goes to the interest first (Code civil 1343-1), then the principal', () => {
    const statement = computeStatement({
      ...base,
      debtorKind: 'consumer',
      lateCharges: 'waive',
      payments: [{ reference: 'P1', paidAt: '2025-12-31', amountCents: 10_000 }],
    });
    const applied = statement.paymentsApplied[0]!.allocations[0]!;
    expect(applied.toChargesCents).toBe(2344);
    expect(applied.toPrincipalCents).toBe(10_000 - 2344);
  });
});
