import fc from 'fast-check';
import { addDays } from '../../domain/dates';
import type { RateTable } from '../../domain/late-charges';
import type { Payment } from '../../domain/money';
import { computeStatement, type Statement, type StatementInput } from '../../domain/statement';
import type { Invoice } from '../../domain/types';

const RUNS = { numRuns: 300 };

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** A fixture, not DEFAULT_RATE_TABLE: keeping the defaults current must never change a test. */
const RATES: RateTable = {
  ecbMainRefinancingRate: [
    { from: '2016-03-16', percent: 0 },
    { from: '2023-09-20', percent: 4.5 }, // 2024 H1 → 14.5 %
    { from: '2024-06-12', percent: 4.25 }, // 2024 H2 → 14.25 %
    { from: '2024-12-18', percent: 3.15 }, // 2025 H1 → 13.15 %
    { from: '2025-06-11', percent: 2.15 }, // 2025 H2 and later → 12.15 %
  ],
  legalInterestRateProfessional: [
    { from: '2024-01-01', percent: 5.07 },
    { from: '2024-07-01', percent: 4.92 },
    { from: '2025-01-01', percent: 3.71 },
    { from: '2025-07-01', percent: 2.76 },
    { from: '2026-01-01', percent: 2.62 },
  ],
};

function invoice(number: string, dueDate: string, amountCents: number): Invoice {
  return { number, issueDate: addDays(dueDate, -30), dueDate, amountCents };
}

function payment(reference: string, paidAt: string, amountCents: number): Payment {
  return { reference, paidAt, amountCents };
}

const F118 = invoice('F-2025-118', '2025-10-31', 185000);

function statementOf(overrides: Partial<StatementInput>): Statement {
  return computeStatement({
    invoices: [F118],
    payments: [],
    debtorKind: 'business',
    asOf: '2025-12-01',
    lateCharges: 'claim',
    rates: RATES,
    ...overrides,
  });
}

describe('computeStatement — worked examples', () => {
  it('one unpaid invoice: principal, 31 days of penalties and the indemnity', () => {
    // 1 Nov → 1 Dec = 31 days: 185000 × 12.15 % × 31 / 365 = 1909.05 → 1909; + 4000 indemnity
    const statement = statementOf({ currency: 'EUR' });
    expect(statement).toEqual({
      asOf: '2025-12-01',
      currency: 'EUR',
      invoices: [
        {
          number: 'F-2025-118',
          dueDate: '2025-10-31',
          principalCents: 185000,
          paidToPrincipalCents: 0,
          outstandingPrincipalCents: 185000,
          penaltyCents: 1909,
          indemnityCents: 4000,
          paidToPenaltyCents: 0,
          paidToIndemnityCents: 0,
          paidToChargesCents: 0,
          penaltyDueCents: 1909,
          indemnityDueCents: 4000,
          waivedCents: 0,
          balanceCents: 190909,
        },
      ],
      totals: {
        principalCents: 185000,
        interestCents: 1909,
        indemnityCents: 4000,
        outstandingPrincipalCents: 185000,
        penaltyDueCents: 1909,
        indemnityDueCents: 4000,
        waivedCents: 0,
        paidCents: 0,
        balanceCents: 190909,
        overpaidCents: 0,
      },
      paymentsApplied: [],
      penaltyRatePercent: 12.15,
      penaltyRateBasis: 'ecb_plus_10',
      rateSegments: [
        {
          invoiceNumber: 'F-2025-118',
          segments: [
            { from: '2025-11-01', to: '2025-12-01', ratePercent: 12.15, principalCents: 185000, penaltyCents: 1909 },
          ],
        },
      ],
    });
  });

  it('Code civil 1343-1 — a partial payment goes to the penalties accrued to its day, then principal', () => {
    // 1 → 20 Nov on 185000: 185000 × 1215 × 20 / 3 650 000 = 1231.64 → 1232
    // 85000 paid on 20 Nov: 1232 to the penalties, 83768 to principal → 101232 outstanding
    // 21 Nov → 10 Dec on 101232: 101232 × 1215 × 20 / 3 650 000 = 673.96 → 674
    // balance = 101232 + 674 + 4000 = 105906 (the indemnity bears no interest: paid last, 1342-10)
    const statement = statementOf({ payments: [payment('VIR-1', '2025-11-20', 85000)], asOf: '2025-12-10' });
    expect(statement.invoices[0]).toMatchObject({
      paidToPrincipalCents: 83768,
      outstandingPrincipalCents: 101232,
      penaltyCents: 1906,
      indemnityCents: 4000,
      paidToPenaltyCents: 1232,
      paidToIndemnityCents: 0,
      paidToChargesCents: 1232,
      penaltyDueCents: 674,
      indemnityDueCents: 4000,
      balanceCents: 105906,
    });
    expect(statement.paymentsApplied).toEqual([
      {
        reference: 'VIR-1',
        paidAt: '2025-11-20',
        amountCents: 85000,
        allocations: [{ invoiceNumber: 'F-2025-118', toPrincipalCents: 83768, toChargesCents: 1232 }],
        unallocatedCents: 0,
      },
    ]);
    expect(statement.rateSegments?.[0]?.segments.map((segment) => segment.penaltyCents)).toEqual([1232, 674]);
  });

  it('waived_when_principal_paid — a partial payment goes to principal first and lowers the penalties from the next day', () => {
    // 85000 paid on 20 Nov, all to principal → 100000 outstanding
    // 21 Nov → 10 Dec on 100000: 100000 × 1215 × 20 / 3 650 000 = 665.75 → 666
    // balance = 100000 + 1232 + 666 + 4000 = 105898: nothing is waived while principal is owed
    const statement = statementOf({
      payments: [payment('VIR-1', '2025-11-20', 85000)],
      asOf: '2025-12-10',
      accessories: 'waived_when_principal_paid',
    });
    expect(statement.invoices[0]).toMatchObject({
      paidToPrincipalCents: 85000,
      outstandingPrincipalCents: 100000,
      penaltyCents: 1898,
      paidToChargesCents: 0,
      waivedCents: 0,
      balanceCents: 105898,
    });
  });

  it('a rate change on 1 July and a partial payment in the same accrual', () => {
    // Due 15 June 2025, 100000 paid on 10 July, as of 31 July:
    //   16 → 30 Jun, 15 days at 13.15 % on 185000: 185000 × 1315 × 15 / 3 650 000 = 999.76 → 1000
    //   1 → 10 Jul, 10 days at 12.15 % on 185000:  185000 × 1215 × 10 / 3 650 000 = 615.82 → 616
    //   the payment: 1616 to the penalties, 98384 to principal → 86616 outstanding
    //   11 → 31 Jul, 21 days at 12.15 % on 86616:   86616 × 1215 × 21 / 3 650 000 = 605.48 → 605
    // penalties 2221, 605 due; balance = 86616 + 605 + 4000 = 91221
    const statement = statementOf({
      invoices: [invoice('F-1', '2025-06-15', 185000)],
      payments: [payment('VIR-1', '2025-07-10', 100000)],
      asOf: '2025-07-31',
    });
    expect(statement.rateSegments?.[0]?.segments).toEqual([
      { from: '2025-06-16', to: '2025-06-30', ratePercent: 13.15, principalCents: 185000, penaltyCents: 1000 },
      { from: '2025-07-01', to: '2025-07-10', ratePercent: 12.15, principalCents: 185000, penaltyCents: 616 },
      { from: '2025-07-11', to: '2025-07-31', ratePercent: 12.15, principalCents: 86616, penaltyCents: 605 },
    ]);
    expect(statement.totals).toEqual({
      principalCents: 185000,
      interestCents: 2221,
      indemnityCents: 4000,
      outstandingPrincipalCents: 86616,
      penaltyDueCents: 605,
      indemnityDueCents: 4000,
      waivedCents: 0,
      paidCents: 100000,
      balanceCents: 91221,
      overpaidCents: 0,
    });
  });

  it('Code civil 1342-10 — oldest due first, each invoice penalties then principal; indemnities after every principal', () => {
    // B due 30 Sep, A due 31 Oct; 60000 paid on 15 Oct.
    //   B: 1 → 15 Oct, 15 days on 50000: 50000 × 1215 × 15 / 3 650 000 = 249.66 → 250; + 4000 indemnity
    //   60000 → B penalties 250, B principal 50000, A principal 9750; B's indemnity (no interest) waits
    //   A is due on 31 Oct = as-of day: not late yet.
    const statement = statementOf({
      invoices: [invoice('A', '2025-10-31', 100000), invoice('B', '2025-09-30', 50000)],
      payments: [payment('VIR-1', '2025-10-15', 60000)],
      asOf: '2025-10-31',
    });
    expect(statement.paymentsApplied[0]?.allocations).toEqual([
      { invoiceNumber: 'B', toPrincipalCents: 50000, toChargesCents: 250 },
      { invoiceNumber: 'A', toPrincipalCents: 9750, toChargesCents: 0 },
    ]);
    expect(statement.invoices.map((line) => [line.number, line.indemnityDueCents, line.balanceCents])).toEqual([
      ['B', 4000, 4000],
      ['A', 0, 90250],
    ]);
    expect(statement.totals).toMatchObject({
      principalCents: 150000,
      interestCents: 250,
      indemnityCents: 4000,
      outstandingPrincipalCents: 90250,
      penaltyDueCents: 0,
      indemnityDueCents: 4000,
      paidCents: 60000,
      balanceCents: 94250,
      overpaidCents: 0,
    });
  });

  it('a payment larger than the principal: under the law the accessories left stay due', () => {
    // On 20 Nov: penalties 1232, indemnity 4000; 190000 pays 1232 + 185000 + 3768 of the indemnity → 232 left,
    // and nothing accrues any more once the principal is paid.
    const statement = statementOf({ payments: [payment('VIR-1', '2025-11-20', 190000)], asOf: '2025-12-10' });
    expect(statement.invoices[0]).toMatchObject({
      outstandingPrincipalCents: 0,
      penaltyCents: 1232,
      paidToPenaltyCents: 1232,
      paidToIndemnityCents: 3768,
      indemnityDueCents: 232,
      balanceCents: 232,
    });
  });

  it('waived_when_principal_paid — once the principal is paid, the accessories left are waived', () => {
    // 186000 on 20 Nov: 185000 principal, then 1000 of the penalties; 232 + 4000 given up.
    const statement = statementOf({
      payments: [payment('VIR-1', '2025-11-20', 186000)],
      asOf: '2025-12-10',
      accessories: 'waived_when_principal_paid',
    });
    expect(statement.invoices[0]).toMatchObject({
      outstandingPrincipalCents: 0,
      paidToPenaltyCents: 1000,
      paidToIndemnityCents: 0,
      penaltyDueCents: 0,
      indemnityDueCents: 0,
      waivedCents: 4232,
      balanceCents: 0,
    });
    expect(statement.totals).toMatchObject({ balanceCents: 0, overpaidCents: 0, waivedCents: 4232 });
    expect(statement.penaltyRatePercent).toBeUndefined();
  });

  it('a payment beyond everything owed is recorded as overpaid, never lost', () => {
    const statement = statementOf({ payments: [payment('VIR-1', '2025-10-20', 200000)] });
    expect(statement.totals).toEqual({
      principalCents: 185000,
      interestCents: 0,
      indemnityCents: 0,
      outstandingPrincipalCents: 0,
      penaltyDueCents: 0,
      indemnityDueCents: 0,
      waivedCents: 0,
      paidCents: 200000,
      balanceCents: 0,
      overpaidCents: 15000,
    });
    expect(statement.paymentsApplied[0]?.unallocatedCents).toBe(15000);
  });

  it('D441-5 — €40 per late invoice', () => {
    const statement = statementOf({
      invoices: [
        invoice('F-1', '2025-10-31', 1000),
        invoice('F-2', '2025-11-15', 1000),
        invoice('F-3', '2025-12-15', 1000),
      ],
      asOf: '2025-12-01',
    });
    // F-1 and F-2 are past due, F-3 is not yet due.
    expect(statement.invoices.map((line) => line.indemnityCents)).toEqual([4000, 4000, 0]);
    expect(statement.totals.indemnityCents).toBe(8000);
  });

  it('L441-10 — a contractual rate is never applied below 3× the legal interest rate', () => {
    // 3 × 2.76 = 8.28 %: 100000 × 828 × 30 / 3 650 000 = 680.55 → 681
    const statement = statementOf({
      invoices: [invoice('F-1', '2025-10-31', 100000)],
      contractRatePercent: 5,
      asOf: '2025-11-30',
    });
    expect(statement.totals.interestCents).toBe(681);
    expect(statement.rateSegments?.[0]?.segments[0]?.ratePercent).toBe(8.28);
  });

  it('L441-10 / D441-5 — never for a consumer: balance = principal − payments', () => {
    const statement = statementOf({
      debtorKind: 'consumer',
      contractRatePercent: 20,
      payments: [payment('VIR-1', '2025-11-20', 85000)],
      asOf: '2026-10-31',
    });
    expect(statement.totals).toEqual({
      principalCents: 185000,
      interestCents: 0,
      indemnityCents: 0,
      outstandingPrincipalCents: 100000,
      penaltyDueCents: 0,
      indemnityDueCents: 0,
      waivedCents: 0,
      paidCents: 85000,
      balanceCents: 100000,
      overpaidCents: 0,
    });
    expect(statement.invoices[0]).toMatchObject({ penaltyCents: 0, indemnityCents: 0 });
    expect(statement).not.toHaveProperty('rateSegments');
  });

  it('a waiver leaves a business debtor with principal − payments', () => {
    const statement = statementOf({ lateCharges: 'waive', payments: [payment('VIR-1', '2025-11-20', 85000)] });
    expect(statement.totals).toMatchObject({ interestCents: 0, indemnityCents: 0, balanceCents: 100000 });
    expect(statement).not.toHaveProperty('rateSegments');
  });

  it('a dispute resolved with an adjusted amount replaces the principal', () => {
    // 150000 × 1215 × 31 / 3 650 000 = 1547.88 → 1548; balance = 150000 + 1548 + 4000 = 155548
    const adjusted = statementOf({ principalAdjustments: [{ invoiceNumber: 'F-2025-118', newAmountCents: 150000 }] });
    expect(adjusted.invoices[0]).toMatchObject({ principalCents: 150000, penaltyCents: 1548, balanceCents: 155548 });

    const cancelled = statementOf({ principalAdjustments: [{ invoiceNumber: 'F-2025-118', newAmountCents: 0 }] });
    expect(cancelled.totals).toMatchObject({ principalCents: 0, interestCents: 0, indemnityCents: 0, balanceCents: 0 });
  });

  it('refuses an adjustment of an unknown or twice-adjusted invoice', () => {
    expect(() => statementOf({ principalAdjustments: [{ invoiceNumber: 'F-404', newAmountCents: 1 }] })).toThrow(
      /F-404/,
    );
    const twice = [
      { invoiceNumber: 'F-2025-118', newAmountCents: 1 },
      { invoiceNumber: 'F-2025-118', newAmountCents: 2 },
    ];
    expect(() => statementOf({ principalAdjustments: twice })).toThrow(/twice/);
  });

  it('does not count a payment made after the as-of day', () => {
    const statement = statementOf({ payments: [payment('VIR-1', '2025-12-02', 185000)] });
    expect(statement.totals).toMatchObject({ paidCents: 0, balanceCents: 190909 });
    expect(statement.paymentsApplied).toEqual([]);
  });

  it('counts a payment reference once, and refuses one recorded with two amounts', () => {
    const once = statementOf({
      payments: [payment('VIR-1', '2025-11-20', 85000), payment('VIR-1', '2025-11-20', 85000)],
    });
    expect(once.totals.paidCents).toBe(85000);
    expect(() =>
      statementOf({ payments: [payment('VIR-1', '2025-11-20', 85000), payment('VIR-1', '2025-11-20', 90000)] }),
    ).toThrow(/VIR-1/);
  });

  it('refuses invalid input rather than compute a wrong balance', () => {
    expect(() => statementOf({ invoices: [invoice('F-1', '2025-10-31', 0)] })).toThrow(/amountCents/);
    expect(() => statementOf({ invoices: [invoice('F-1', '2025-10-31', 10.5)] })).toThrow(/amountCents/);
    expect(() => statementOf({ invoices: [F118, F118] })).toThrow(/repeated/);
    expect(() => statementOf({ payments: [payment('VIR-1', '2025-11-20', -5)] })).toThrow(/amountCents/);
    expect(() => statementOf({ asOf: '2025-13-01' })).toThrow(/asOf/);
    expect(() => statementOf({ currency: 'euro' })).toThrow(/currency/);
  });
});

describe('CPCE L111-8 — no collection fee in any balance', () => {
  it('CPCE L111-8 — no collection fee in any balance: the statement has exactly these fields', () => {
    const statement = statementOf({
      currency: 'EUR',
      invoices: [F118, invoice('F-2', '2025-11-15', 1000)],
      payments: [payment('VIR-1', '2025-11-20', 85000)],
    });
    // A new money field (e.g. "frais de recouvrement") must fail here and be argued against R3.
    expect(Object.keys(statement).sort()).toEqual(
      [
        'asOf',
        'currency',
        'invoices',
        'paymentsApplied',
        'penaltyRateBasis',
        'penaltyRatePercent',
        'rateSegments',
        'totals',
      ].sort(),
    );
    expect(Object.keys(statement.totals).sort()).toEqual(
      [
        'balanceCents',
        'indemnityCents',
        'indemnityDueCents',
        'interestCents',
        'outstandingPrincipalCents',
        'overpaidCents',
        'paidCents',
        'penaltyDueCents',
        'principalCents',
        'waivedCents',
      ].sort(),
    );
    for (const line of statement.invoices) {
      expect(Object.keys(line).sort()).toEqual(
        [
          'balanceCents',
          'dueDate',
          'indemnityCents',
          'number',
          'indemnityDueCents',
          'outstandingPrincipalCents',
          'paidToChargesCents',
          'paidToIndemnityCents',
          'paidToPenaltyCents',
          'paidToPrincipalCents',
          'penaltyCents',
          'penaltyDueCents',
          'principalCents',
          'waivedCents',
        ].sort(),
      );
      // The balance is made of principal, penalties and the indemnity only.
      expect(line.balanceCents).toBe(
        line.outstandingPrincipalCents +
          line.penaltyCents +
          line.indemnityCents -
          line.paidToChargesCents -
          line.waivedCents,
      );
      expect(line.balanceCents).toBe(line.outstandingPrincipalCents + line.penaltyDueCents + line.indemnityDueCents);
    }
    for (const applied of statement.paymentsApplied) {
      expect(Object.keys(applied).sort()).toEqual(
        ['allocations', 'amountCents', 'paidAt', 'reference', 'unallocatedCents'].sort(),
      );
      for (const allocation of applied.allocations) {
        expect(Object.keys(allocation).sort()).toEqual(['invoiceNumber', 'toChargesCents', 'toPrincipalCents']);
      }
    }
    for (const invoiceSegments of statement.rateSegments ?? []) {
      for (const segment of invoiceSegments.segments) {
        expect(Object.keys(segment).sort()).toEqual(['from', 'penaltyCents', 'principalCents', 'ratePercent', 'to']);
      }
    }
    expect(JSON.stringify(statement)).not.toMatch(/fee|frais|recouvrement|dossier|collection|cost/i);
  });
});

describe('computeStatement — properties', () => {
  const BASE = '2024-01-01';

  const scenarioArb = fc.record({
    invoices: fc.array(
      fc.record({ amountCents: fc.integer({ min: 1, max: 500_000 }), dueOffset: fc.integer({ min: 0, max: 400 }) }),
      { minLength: 1, maxLength: 4 },
    ),
    payments: fc.array(
      fc.record({ amountCents: fc.integer({ min: 1, max: 300_000 }), paidOffset: fc.integer({ min: 0, max: 520 }) }),
      { maxLength: 5 },
    ),
    asOfOffset: fc.integer({ min: 0, max: 540 }),
    debtorKind: fc.constantFrom('business' as const, 'consumer' as const),
    lateCharges: fc.constantFrom('claim' as const, 'waive' as const),
    accessories: fc.constantFrom('claimed' as const, 'waived_when_principal_paid' as const),
    contractRatePercent: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
  });
  type Scenario = ValueOf<typeof scenarioArb>;

  function inputOf(scenario: Scenario): StatementInput {
    return {
      invoices: scenario.invoices.map((generated, index) =>
        invoice(`F-${index}`, addDays(BASE, generated.dueOffset), generated.amountCents),
      ),
      payments: scenario.payments.map((generated, index) =>
        payment(`P-${index}`, addDays(BASE, generated.paidOffset), generated.amountCents),
      ),
      debtorKind: scenario.debtorKind,
      asOf: addDays(BASE, scenario.asOfOffset),
      lateCharges: scenario.lateCharges,
      accessories: scenario.accessories,
      rates: RATES,
      contractRatePercent: scenario.contractRatePercent === undefined ? undefined : scenario.contractRatePercent / 100,
    };
  }

  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

  it('totals are the sum of the invoice lines, and paid is every payment received by the as-of day', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const input = inputOf(scenario);
        const { invoices, totals } = computeStatement(input);
        expect(totals.principalCents).toBe(sum(invoices.map((line) => line.principalCents)));
        expect(totals.interestCents).toBe(sum(invoices.map((line) => line.penaltyCents)));
        expect(totals.indemnityCents).toBe(sum(invoices.map((line) => line.indemnityCents)));
        expect(totals.balanceCents).toBe(sum(invoices.map((line) => line.balanceCents)));
        const received = input.payments.filter((given) => given.paidAt <= input.asOf);
        expect(totals.paidCents).toBe(sum(received.map((given) => given.amountCents)));
        expect(totals.principalCents).toBe(sum(input.invoices.map((given) => given.amountCents)));
        for (const line of invoices) {
          expect(line.paidToPrincipalCents + line.outstandingPrincipalCents).toBe(line.principalCents);
          expect(line.balanceCents).toBeGreaterThanOrEqual(0);
          expect(line.paidToChargesCents).toBeLessThanOrEqual(line.penaltyCents + line.indemnityCents);
        }
      }),
      RUNS,
    );
  });

  it('balance + paid (excluding overpaid) + waived = principal + interest + indemnity', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { totals } = computeStatement(inputOf(scenario));
        expect(totals.balanceCents + totals.paidCents - totals.overpaidCents + totals.waivedCents).toBe(
          totals.principalCents + totals.interestCents + totals.indemnityCents,
        );
        expect(totals.balanceCents).toBe(
          totals.outstandingPrincipalCents + totals.penaltyDueCents + totals.indemnityDueCents,
        );
        if (scenario.accessories === 'claimed') expect(totals.waivedCents).toBe(0);
        expect(totals.overpaidCents === 0 || totals.balanceCents === 0).toBe(true);
      }),
      RUNS,
    );
  });

  it('L441-10 / D441-5 — never for a consumer, nor when waived: interest and indemnity are always 0', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { debtorKind, lateCharges } = scenario;
        fc.pre(debtorKind === 'consumer' || lateCharges === 'waive');
        const input = inputOf(scenario);
        const { totals, invoices } = computeStatement(input);
        expect(totals.interestCents).toBe(0);
        expect(totals.indemnityCents).toBe(0);
        invoices.forEach((line) => expect(line.penaltyCents + line.indemnityCents).toBe(0));
        // Hence balance = principal − payments, what exceeds the principal being overpaid.
        expect(totals.balanceCents).toBe(Math.max(0, totals.principalCents - totals.paidCents));
        expect(totals.overpaidCents).toBe(Math.max(0, totals.paidCents - totals.principalCents));
      }),
      RUNS,
    );
  });

  it('a business debtor past due owes one indemnity per late invoice when charges are claimed', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        fc.pre(
          scenario.debtorKind === 'business' && scenario.lateCharges === 'claim' && scenario.payments.length === 0,
        );
        const input = inputOf(scenario);
        const late = input.invoices.filter((given) => given.dueDate < input.asOf);
        expect(computeStatement(input).totals.indemnityCents).toBe(4000 * late.length);
      }),
      RUNS,
    );
  });

  it('R3 — paying exactly the balance of the day settles everything, nothing overpaid', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const input = inputOf(scenario);
        const before = computeStatement(input).totals;
        fc.pre(before.balanceCents > 0);
        const settled = computeStatement({
          ...input,
          payments: [...input.payments, payment('SETTLE', input.asOf, before.balanceCents)],
        }).totals;
        expect(settled.balanceCents).toBe(0);
        expect(settled.overpaidCents).toBe(before.overpaidCents);
      }),
      RUNS,
    );
  });

  it('R3 — under the law, paying the principal alone leaves the accessories due', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const input = { ...inputOf(scenario), payments: [], accessories: 'claimed' as const };
        const before = computeStatement(input).totals;
        fc.pre(before.penaltyDueCents + before.indemnityDueCents > 0);
        const after = computeStatement({
          ...input,
          payments: [payment('PRINCIPAL', input.asOf, before.outstandingPrincipalCents)],
        }).totals;
        expect(after.balanceCents).toBe(before.penaltyDueCents + before.indemnityDueCents);
        const waived = computeStatement({
          ...input,
          accessories: 'waived_when_principal_paid',
          payments: [payment('PRINCIPAL', input.asOf, before.outstandingPrincipalCents)],
        }).totals;
        expect(waived).toMatchObject({ balanceCents: 0, overpaidCents: 0 });
        expect(waived.waivedCents).toBe(before.penaltyDueCents + before.indemnityDueCents);
      }),
      RUNS,
    );
  });

  it('more payments never increase the balance', () => {
    const extraArb = fc.record({
      // Tiny payments too: they split a penalty segment for a cent, where rounding could bite.
      amountCents: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 300_000 })),
      paidOffset: fc.integer({ min: 0, max: 540 }),
    });
    fc.assert(
      fc.property(scenarioArb, extraArb, (scenario, extra) => {
        const input = inputOf(scenario);
        const withExtra = {
          ...input,
          payments: [...input.payments, payment('EXTRA', addDays(BASE, extra.paidOffset), extra.amountCents)],
        };
        expect(computeStatement(withExtra).totals.balanceCents).toBeLessThanOrEqual(
          computeStatement(input).totals.balanceCents,
        );
      }),
      RUNS,
    );
  });

  it('paying the whole balance on the as-of day leaves nothing owed and nothing overpaid', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const input = inputOf(scenario);
        const before = computeStatement(input).totals;
        fc.pre(before.balanceCents > 0);
        const after = computeStatement({
          ...input,
          payments: [...input.payments, payment('SETTLE', input.asOf, before.balanceCents)],
        }).totals;
        expect(after.balanceCents).toBe(0);
        expect(after.overpaidCents).toBe(before.overpaidCents);
      }),
      RUNS,
    );
  });

  it('payments with duplicate references count once', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(fc.nat(), { maxLength: 6 }), (scenario, picks) => {
        const input = inputOf(scenario);
        const repeats =
          input.payments.length === 0 ? [] : picks.map((pick) => input.payments[pick % input.payments.length]!);
        const repeated = { ...input, payments: [...input.payments, ...repeats.map((given) => ({ ...given }))] };
        expect(computeStatement(repeated)).toEqual(computeStatement(input));
      }),
      RUNS,
    );
  });
});
