import fc from 'fast-check';
import { addDays, daysBetween } from '../../domain/dates';
import {
  DEFAULT_RATE_TABLE,
  LateChargeAccrual,
  LateChargeRules,
  computeLateCharges,
  parseRateTable,
  penaltyCentsFor,
  penaltyRatePercent,
  rateTableSchema,
  type RateTable,
} from '../../domain/late-charges';

const RUNS = { numRuns: 300 };

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

/**
 * A fixture, not the shipped DEFAULT_RATE_TABLE: keeping the defaults current must never change a
 * test. The ECB changes of 23 April and 11 June 2025 fall inside a half-year on purpose.
 */
const RATES: RateTable = {
  ecbMainRefinancingRate: [
    { from: '2016-03-16', percent: 0 }, // → 10 % from then on until the next change
    { from: '2024-12-18', percent: 3.15 }, // stands on 1 Jan 2025 → 13.15 % for 2025 H1
    { from: '2025-04-23', percent: 2.4 },
    { from: '2025-06-11', percent: 2.15 }, // stands on 1 Jul 2025 → 12.15 % for 2025 H2
  ],
  legalInterestRateProfessional: [
    { from: '2025-01-01', percent: 3.71 },
    { from: '2025-07-01', percent: 2.76 },
    { from: '2026-01-01', percent: 2.62 },
  ],
};

const business = { debtorKind: 'business' as const, rates: RATES };

describe('penaltyRatePercent', () => {
  it('L441-10 — first half-year: the ECB rate as it stood on 1 January + 10 points', () => {
    expect(penaltyRatePercent('2025-01-01', RATES)).toBe(13.15);
    // Later ECB changes (23 April, 11 June) wait for the next half-year.
    expect(penaltyRatePercent('2025-05-01', RATES)).toBe(13.15);
    expect(penaltyRatePercent('2025-06-30', RATES)).toBe(13.15);
  });

  it('L441-10 — second half-year: the ECB rate as it stood on 1 July + 10 points', () => {
    expect(penaltyRatePercent('2025-07-01', RATES)).toBe(12.15);
    expect(penaltyRatePercent('2025-12-31', RATES)).toBe(12.15);
    expect(penaltyRatePercent('2024-12-31', RATES)).toBe(10);
  });

  it('L441-10 — a contractual rate replaces ECB + 10, higher or lower', () => {
    expect(penaltyRatePercent('2025-08-01', RATES, 15)).toBe(15);
    expect(penaltyRatePercent('2025-08-01', RATES, 9)).toBe(9); // above the floor of 3 × 2.76 = 8.28
  });

  it('L441-10 — never below 3× the legal interest rate', () => {
    // 3 × 2.76 = 8.28 (exactly: no 8.280000000000001), 3 × 3.71 = 11.13.
    expect(penaltyRatePercent('2025-08-01', RATES, 5)).toBe(8.28);
    expect(penaltyRatePercent('2025-08-01', RATES, 0)).toBe(8.28);
    expect(penaltyRatePercent('2025-03-01', RATES, 5)).toBe(11.13);
    expect(penaltyRatePercent('2026-02-01', RATES, 5)).toBe(7.86);
  });

  it('L441-10 — refuses to compute the floor from a half-year whose legal rate is not configured', () => {
    // The legal rate is fixed per half-year; 2026 H2 is missing from the fixture: no stale floor.
    expect(() => penaltyRatePercent('2026-07-15', RATES, 5)).toThrow(/2026-07-01/);
  });

  it('refuses a day before any configured ECB rate rather than guess', () => {
    expect(() => penaltyRatePercent('2015-06-01', RATES)).toThrow(/ECB/);
  });

  it('refuses a contractual rate that is not a percentage', () => {
    expect(() => penaltyRatePercent('2025-08-01', RATES, -1)).toThrow(/contractRatePercent/);
    expect(() => penaltyRatePercent('2025-08-01', RATES, 101)).toThrow(/contractRatePercent/);
  });
});

describe('rateTableSchema', () => {
  const valid = { from: '2025-01-01', percent: 3 };

  it('accepts the fixture and the shipped defaults', () => {
    expect(rateTableSchema.safeParse(RATES).success).toBe(true);
    expect(rateTableSchema.safeParse(DEFAULT_RATE_TABLE).success).toBe(true);
  });

  it.each([
    ['unsorted dates', [valid, { from: '2024-07-01', percent: 2 }]],
    ['a duplicate date', [valid, { from: '2025-01-01', percent: 2 }]],
    ['a percent above 100', [{ from: '2025-01-01', percent: 100.5 }]],
    ['a negative percent', [{ from: '2025-01-01', percent: -0.5 }]],
    ['more than 4 decimals', [{ from: '2025-01-01', percent: 2.123456 }]],
    ['an invalid date', [{ from: '2025-02-30', percent: 2 }]],
  ])('rejects %s', (_label, series) => {
    expect(rateTableSchema.safeParse({ ...RATES, ecbMainRefinancingRate: series }).success).toBe(false);
    expect(rateTableSchema.safeParse({ ...RATES, legalInterestRateProfessional: series }).success).toBe(false);
    expect(() => parseRateTable({ ...RATES, ecbMainRefinancingRate: series })).toThrow(RangeError);
  });
});

describe('penaltyCentsFor', () => {
  it('computes principal × rate × days / 365', () => {
    // 185000 × 12.15 % × 31 / 365 = 185000 × 1215 × 31 / 3 650 000 = 1909.048 → 1909
    expect(penaltyCentsFor(185000, 12.15, 31)).toBe(1909);
  });

  it('rounds once, half-up', () => {
    // 1825 × 10 % × 1 / 365 = 0.5 → 1; 1824 → 0.4997 → 0; 5475 → 1.5 → 2
    expect(penaltyCentsFor(1825, 10, 1)).toBe(1);
    expect(penaltyCentsFor(1824, 10, 1)).toBe(0);
    expect(penaltyCentsFor(5475, 10, 1)).toBe(2);
  });

  it('counts actual days over 365, a leap year included', () => {
    // 36500 × 10 % × 366 / 365 = 3660
    expect(penaltyCentsFor(36500, 10, 366)).toBe(3660);
  });

  it('stays exact where floats would not', () => {
    // 9 000 000 000 000 000 × 10 % × 7 / 365 = 17 260 273 972 602.74 → 17 260 273 972 603
    expect(penaltyCentsFor(9_000_000_000_000_000, 10, 7)).toBe(17_260_273_972_603);
  });
});

describe('computeLateCharges', () => {
  const invoice = { ...business, dueDate: '2025-10-31', principalCents: 185000 };

  it('Code de commerce L441-10 — penalties run from the day after the due date without reminder', () => {
    const onDueDate = computeLateCharges({ ...invoice, principalPayments: [], asOf: '2025-10-31' });
    expect(onDueDate.penaltyCents).toBe(0);
    expect(onDueDate.segments).toEqual([]);

    // The day after, with no reminder ever sent: 185000 × 12.15 % × 1 / 365 = 61.58 → 62
    const dayAfter = computeLateCharges({ ...invoice, principalPayments: [], asOf: '2025-11-01' });
    expect(dayAfter.penaltyCents).toBe(62);
    expect(dayAfter.segments).toEqual([
      { from: '2025-11-01', to: '2025-11-01', ratePercent: 12.15, principalCents: 185000, penaltyCents: 62 },
    ]);
  });

  it('worked example: 31 days unpaid at 12.15 %', () => {
    // 1 Nov → 1 Dec inclusive = 31 days: 185000 × 12.15 % × 31 / 365 = 1909.05 → 1909
    const charges = computeLateCharges({ ...invoice, principalPayments: [], asOf: '2025-12-01' });
    expect(charges.penaltyCents).toBe(1909);
    expect(charges.indemnityCents).toBe(4000);
  });

  it('L441-10 — the rate changes on 1 July in the middle of an accrual', () => {
    // Due 15 June 2025, as of 31 July:
    //   16 → 30 June, 15 days at 13.15 %: 185000 × 1315 × 15 / 3 650 000 = 999.76 → 1000
    //   1 → 31 July, 31 days at 12.15 %:  185000 × 1215 × 31 / 3 650 000 = 1909.05 → 1909
    const charges = computeLateCharges({
      ...invoice,
      dueDate: '2025-06-15',
      principalPayments: [],
      asOf: '2025-07-31',
    });
    expect(charges.segments).toEqual([
      { from: '2025-06-16', to: '2025-06-30', ratePercent: 13.15, principalCents: 185000, penaltyCents: 1000 },
      { from: '2025-07-01', to: '2025-07-31', ratePercent: 12.15, principalCents: 185000, penaltyCents: 1909 },
    ]);
    expect(charges.penaltyCents).toBe(2909);
  });

  it('a partial payment in the middle of an accrual lowers the principal from the next day', () => {
    // 1 → 20 Nov (the payment day still owes its day), 20 days on 185000: 1231.64 → 1232
    // 21 Nov → 10 Dec, 20 days on 100000: 100000 × 1215 × 20 / 3 650 000 = 665.75 → 666
    const charges = computeLateCharges({
      ...invoice,
      principalPayments: [{ paidAt: '2025-11-20', cents: 85000 }],
      asOf: '2025-12-10',
    });
    expect(charges.segments).toEqual([
      { from: '2025-11-01', to: '2025-11-20', ratePercent: 12.15, principalCents: 185000, penaltyCents: 1232 },
      { from: '2025-11-21', to: '2025-12-10', ratePercent: 12.15, principalCents: 100000, penaltyCents: 666 },
    ]);
    expect(charges.penaltyCents).toBe(1898);
    expect(charges.outstandingPrincipalCents).toBe(100000);
  });

  it('stops accruing once the principal is paid', () => {
    const charges = computeLateCharges({
      ...invoice,
      principalPayments: [{ paidAt: '2025-11-20', cents: 185000 }],
      asOf: '2026-06-30',
    });
    expect(charges.penaltyCents).toBe(1232); // 20 days, as above, and nothing after
  });

  it('L441-10 — a contractual rate below the floor accrues at 3× the legal interest rate', () => {
    // 3 × 2.76 = 8.28 %; 100000 × 828 × 30 / 3 650 000 = 680.55 → 681 (at 5 % it would be 411)
    const charges = computeLateCharges({
      ...invoice,
      principalCents: 100000,
      contractRatePercent: 5,
      principalPayments: [],
      asOf: '2025-11-30',
    });
    expect(charges.penaltyCents).toBe(681);
    expect(charges.segments[0]?.ratePercent).toBe(8.28);
  });

  it('D441-5 — €40 per late invoice', () => {
    const paidOneDayLate = computeLateCharges({
      ...invoice,
      principalPayments: [{ paidAt: '2025-11-01', cents: 185000 }],
      asOf: '2025-12-31',
    });
    expect(paidOneDayLate.indemnityCents).toBe(4000);
    expect(paidOneDayLate.penaltyCents).toBe(62);

    // Once per invoice, however long it stays unpaid.
    const unpaidForAYear = computeLateCharges({ ...invoice, principalPayments: [], asOf: '2026-10-31' });
    expect(unpaidForAYear.indemnityCents).toBe(4000);
  });

  it('D441-5 — no indemnity when the invoice is paid by its due date, even in several parts', () => {
    const charges = computeLateCharges({
      ...invoice,
      principalPayments: [
        { paidAt: '2025-10-01', cents: 85000 },
        { paidAt: '2025-10-31', cents: 100000 },
      ],
      asOf: '2025-12-31',
    });
    expect(charges).toMatchObject({ penaltyCents: 0, indemnityCents: 0, segments: [] });
  });

  it('D441-5 — a partial payment by the due date still leaves the invoice late', () => {
    const charges = computeLateCharges({
      ...invoice,
      principalPayments: [{ paidAt: '2025-10-15', cents: 185000 - 1 }],
      asOf: '2025-11-01',
    });
    expect(charges.indemnityCents).toBe(4000);
  });

  it('L441-10 / D441-5 — never for a consumer', () => {
    const charges = computeLateCharges({
      ...invoice,
      debtorKind: 'consumer',
      contractRatePercent: 15,
      principalPayments: [],
      asOf: '2026-10-31',
    });
    expect(charges).toEqual({ penaltyCents: 0, indemnityCents: 0, segments: [], outstandingPrincipalCents: 185000 });
  });

  it('nothing when the creditor waives the charges', () => {
    const charges = computeLateCharges({ ...invoice, waived: true, principalPayments: [], asOf: '2026-10-31' });
    expect(charges).toMatchObject({ penaltyCents: 0, indemnityCents: 0, segments: [] });
  });

  it('ignores payments made after the as-of day', () => {
    const charges = computeLateCharges({
      ...invoice,
      principalPayments: [{ paidAt: '2025-12-02', cents: 185000 }],
      asOf: '2025-12-01',
    });
    expect(charges.penaltyCents).toBe(1909);
    expect(charges.outstandingPrincipalCents).toBe(185000);
  });

  it('refuses a principal payment larger than the principal outstanding', () => {
    expect(() =>
      computeLateCharges({
        ...invoice,
        principalPayments: [{ paidAt: '2025-11-05', cents: 185001 }],
        asOf: '2025-12-01',
      }),
    ).toThrow(RangeError);
  });
});

describe('LateChargeAccrual', () => {
  it('rounds once per segment: accruing day by day gives the same as accruing in one go', () => {
    const accrual = new LateChargeAccrual('2025-10-31', 185000, new LateChargeRules(business));
    for (let day = '2025-11-01'; day <= '2025-12-01'; day = addDays(day, 1)) accrual.accrueThrough(day);
    // Still one 31-day segment: 1909, not 31 × round(61.58) = 31 × 62 = 1922.
    expect(accrual.penaltyCents).toBe(1909);
    expect(accrual.segments).toHaveLength(1);
  });
});

describe('properties', () => {
  const scenarioArb = fc.record({
    principalCents: fc.integer({ min: 1, max: 10_000_000 }),
    dueOffset: fc.integer({ min: 0, max: 365 }),
    lateDays: fc.integer({ min: 0, max: 500 }),
    contractRatePercent: fc.option(fc.integer({ min: 0, max: 2500 }), { nil: undefined }),
  });
  const toInput = (scenario: ValueOf<typeof scenarioArb>) => {
    const dueDate = addDays('2025-01-01', scenario.dueOffset);
    return {
      ...business,
      principalCents: scenario.principalCents,
      dueDate,
      contractRatePercent: scenario.contractRatePercent === undefined ? undefined : scenario.contractRatePercent / 100,
      principalPayments: [],
      asOf: addDays(dueDate, scenario.lateDays),
    };
  };
  // Stays within the fixture's configured legal rates (to 2026-06-30).
  const withinFixture = (scenario: ValueOf<typeof scenarioArb>) => scenario.dueOffset + scenario.lateDays < 545;

  it('L441-10 / D441-5 — never for a consumer, whatever the input (property)', () => {
    fc.assert(
      fc.property(scenarioArb.filter(withinFixture), (scenario) => {
        const charges = computeLateCharges({ ...toInput(scenario), debtorKind: 'consumer' });
        expect(charges.penaltyCents).toBe(0);
        expect(charges.indemnityCents).toBe(0);
      }),
      RUNS,
    );
  });

  it('a business owes the indemnity exactly when the due date passed unpaid, and penalties never shrink with time (property)', () => {
    fc.assert(
      fc.property(scenarioArb.filter(withinFixture), (scenario) => {
        const input = toInput(scenario);
        const charges = computeLateCharges(input);
        expect(charges.indemnityCents).toBe(scenario.lateDays > 0 ? 4000 : 0);
        if (scenario.lateDays > 0) {
          const dayBefore = computeLateCharges({ ...input, asOf: addDays(input.asOf, -1) });
          expect(charges.penaltyCents).toBeGreaterThanOrEqual(dayBefore.penaltyCents);
        }
        const segmentDays = charges.segments.reduce(
          (total, segment) => total + daysBetween(segment.from, segment.to) + 1,
          0,
        );
        expect(segmentDays).toBe(scenario.lateDays);
      }),
      RUNS,
    );
  });
});
