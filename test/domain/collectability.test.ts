/**
 * Intake (domain.md process step 1): a claim is collected only if it is certaine, liquide and exigible
 * (the conditions of Code civil 1347-1 and CPCE L111-2) and not time-barred (R1).
 */
import fc from 'fast-check';
import { checkCollectability, type CollectabilityReason } from '../../domain/collectability';
import { addDays } from '../../domain/dates';
import { MAX_AMOUNT_CENTS } from '../../domain/money';
import { claimPrescription } from '../../domain/prescription';
import type { Claim, Invoice } from '../../domain/types';

const TODAY = '2025-11-23';

function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return { number: 'F-2025-118', issueDate: '2025-10-01', dueDate: '2025-10-31', amountCents: 185_000, ...overrides };
}

function claim(overrides: Partial<Claim> = {}): Claim {
  return {
    nature: 'Prestation de maintenance, octobre 2025',
    basis: 'Bon de commande BC-778 signé le 2025-09-12',
    currency: 'EUR',
    invoices: [invoice()],
    ...overrides,
  };
}

/** Lets a test feed what a careless client could send, whatever the declared types say. */
function malformed<T>(value: unknown): T {
  return value as T;
}

function reasonsOf(
  candidate: Claim,
  kind: 'consumer' | 'business' = 'business',
  today = TODAY,
): CollectabilityReason[] {
  const result = checkCollectability(candidate, kind, today);
  return result.collectable ? [] : result.reasons;
}

function codesOf(candidate: Claim, kind: 'consumer' | 'business' = 'business', today = TODAY): string[] {
  return reasonsOf(candidate, kind, today).map((reason) => reason.code);
}

test('a claim with a basis, a positive amount and a past due date is collectable', () => {
  expect(checkCollectability(claim(), 'business', TODAY)).toEqual({ collectable: true });
  expect(checkCollectability(claim(), 'consumer', TODAY)).toEqual({ collectable: true });
});

describe('certaine: the claim exists beyond doubt', () => {
  test.each([
    ['empty', ''],
    ['blank', '   \t'],
    ['absent', undefined],
  ])('intake [law] certaine — a basis that is %s is refused', (_label, basis) => {
    expect(reasonsOf(claim({ basis: malformed<string>(basis) }))).toEqual([
      expect.objectContaining({ condition: 'certaine', code: 'basis_missing', path: 'claim.basis' }),
    ]);
  });

  test.each(['—', 'n/a', '...', ' - '])('intake [law] certaine — %j names no evidence', (basis) => {
    expect(reasonsOf(claim({ basis }))).toEqual([
      expect.objectContaining({ condition: 'certaine', code: 'basis_too_short', path: 'claim.basis' }),
    ]);
  });

  test('intake [law] certaine — three letters or digits are enough to name the evidence', () => {
    expect(checkCollectability(claim({ basis: 'BC1' }), 'business', TODAY).collectable).toBe(true);
  });

  test('intake [law] certaine — a claim without any invoice is refused', () => {
    expect(reasonsOf(claim({ invoices: [] }))).toEqual([
      expect.objectContaining({ condition: 'certaine', code: 'no_invoices', path: 'claim.invoices' }),
    ]);
    expect(codesOf(claim({ invoices: malformed<Invoice[]>(undefined) }))).toEqual(['no_invoices']);
  });

  test('intake [law] certaine — every invoice needs a number', () => {
    const invoices = [invoice(), invoice({ number: '  ' })];
    expect(reasonsOf(claim({ invoices }))).toEqual([
      expect.objectContaining({
        condition: 'certaine',
        code: 'invoice_number_missing',
        path: 'claim.invoices[1].number',
      }),
    ]);
  });

  test('intake [law] certaine — the same invoice cannot be claimed twice', () => {
    const invoices = [invoice({ number: 'F-1' }), invoice({ number: 'F-2' }), invoice({ number: ' f-1 ' })];
    const [duplicate, ...others] = reasonsOf(claim({ invoices }));
    expect(others).toEqual([]);
    expect(duplicate).toMatchObject({
      condition: 'certaine',
      code: 'invoice_number_duplicate',
      path: 'claim.invoices[2].number',
    });
    expect(duplicate?.message).toContain('claim.invoices[0]');
  });
});

describe('liquide: a fixed positive amount', () => {
  test.each([0, -1, -185_000])('intake [law] liquide — an amount of %i cents is refused', (amountCents) => {
    expect(reasonsOf(claim({ invoices: [invoice({ amountCents })] }))).toEqual([
      expect.objectContaining({
        condition: 'liquide',
        code: 'amount_not_positive',
        path: 'claim.invoices[0].amountCents',
      }),
    ]);
  });

  test.each([12.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '100'])(
    'intake [law] liquide — %p is not a whole number of cents',
    (amountCents) => {
      expect(reasonsOf(claim({ invoices: [invoice({ amountCents: malformed<number>(amountCents) })] }))).toEqual([
        expect.objectContaining({
          condition: 'liquide',
          code: 'amount_not_integer',
          path: 'claim.invoices[0].amountCents',
        }),
      ]);
    },
  );

  test('intake liquide — an invoice above €10 billion is refused, naming it; exactly the bound is taken', () => {
    expect(reasonsOf(claim({ invoices: [invoice({ amountCents: MAX_AMOUNT_CENTS + 1 })] }))).toEqual([
      expect.objectContaining({
        condition: 'liquide',
        code: 'amount_too_large',
        path: 'claim.invoices[0].amountCents',
      }),
    ]);
    expect(
      checkCollectability(claim({ invoices: [invoice({ amountCents: MAX_AMOUNT_CENTS })] }), 'business', TODAY),
    ).toEqual({ collectable: true });
  });

  test('intake liquide — two invoices of 2^53 - 1 cents: each is refused, never summed past 2^53', () => {
    const huge = Number.MAX_SAFE_INTEGER;
    const invoices = [invoice({ amountCents: huge }), invoice({ number: 'F-2', amountCents: huge })];
    expect(reasonsOf(claim({ invoices })).map((found) => `${found.code}@${found.path}`)).toEqual([
      'amount_too_large@claim.invoices[0].amountCents',
      'amount_too_large@claim.invoices[1].amountCents',
    ]);
  });

  test('intake liquide — invoices each within the bound but adding up past it: the total is refused', () => {
    const half = MAX_AMOUNT_CENTS / 2 + 1;
    const invoices = [invoice({ amountCents: half }), invoice({ number: 'F-2', amountCents: half })];
    expect(reasonsOf(claim({ invoices }))).toEqual([
      expect.objectContaining({ condition: 'liquide', code: 'total_too_large', path: 'claim.invoices' }),
    ]);
  });

  test('intake [law] liquide — one cent is a positive amount', () => {
    expect(checkCollectability(claim({ invoices: [invoice({ amountCents: 1 })] }), 'business', TODAY)).toEqual({
      collectable: true,
    });
  });

  test.each(['eur', 'EURO', 'EU', '', 'E1R'])(
    'intake [law] liquide — currency %j is not an ISO 4217 code',
    (currency) => {
      expect(reasonsOf(claim({ currency }))).toEqual([
        expect.objectContaining({ condition: 'liquide', code: 'currency_invalid', path: 'claim.currency' }),
      ]);
    },
  );
});

describe('exigible: the due date has passed', () => {
  test('intake [law] exigible — an invoice due today is not yet exigible; due yesterday it is', () => {
    expect(reasonsOf(claim({ invoices: [invoice({ dueDate: TODAY })] }))).toEqual([
      expect.objectContaining({ condition: 'exigible', code: 'not_yet_due', path: 'claim.invoices[0].dueDate' }),
    ]);
    expect(checkCollectability(claim({ invoices: [invoice({ dueDate: '2025-11-22' })] }), 'business', TODAY)).toEqual({
      collectable: true,
    });
  });

  test('intake [law] exigible — one invoice not yet due makes the claim not collectable', () => {
    const invoices = [invoice({ number: 'F-1' }), invoice({ number: 'F-2', dueDate: '2025-12-31' })];
    expect(reasonsOf(claim({ invoices }))).toEqual([
      expect.objectContaining({ code: 'not_yet_due', path: 'claim.invoices[1].dueDate' }),
    ]);
  });

  test('intake [law] exigible — an invoice cannot be due before it was issued', () => {
    const invoices = [invoice({ issueDate: '2025-11-01', dueDate: '2025-10-31' })];
    expect(reasonsOf(claim({ invoices }))).toEqual([
      expect.objectContaining({ condition: 'exigible', code: 'issued_after_due', path: 'claim.invoices[0].issueDate' }),
    ]);
  });

  test.each([
    ['dueDate', '2025-02-30', 'due_date_invalid'],
    ['dueDate', '31/10/2025', 'due_date_invalid'],
    ['dueDate', undefined, 'due_date_invalid'],
    ['issueDate', '2025-13-01', 'issue_date_invalid'],
    ['issueDate', 20251001, 'issue_date_invalid'],
    ['performanceDate', '2025-10-1', 'performance_date_invalid'],
  ])('a malformed %s (%p) is a reason, not an exception', (field, value, code) => {
    const broken = { ...invoice(), [field]: value };
    expect(reasonsOf(claim({ invoices: [malformed<Invoice>(broken)] }))).toEqual([
      expect.objectContaining({ code, path: `claim.invoices[0].${field}` }),
    ]);
  });

  test('an invoice that is not even an object is reported, not thrown on', () => {
    expect(() =>
      checkCollectability(claim({ invoices: malformed<Invoice[]>([null]) }), 'business', TODAY),
    ).not.toThrow();
    expect(codesOf(claim({ invoices: malformed<Invoice[]>([null]) }))).toEqual(
      expect.arrayContaining(['invoice_number_missing', 'amount_not_integer', 'due_date_invalid']),
    );
  });
});

describe('prescription at intake (R1)', () => {
  const consumerInvoice = invoice({ number: 'F-2023-77', issueDate: '2023-10-01', dueDate: '2023-10-31' });

  test('Code de la consommation L218-2 — an invoice barred at intake makes the claim not collectable', () => {
    const reasons = reasonsOf(claim({ invoices: [consumerInvoice] }), 'consumer', '2025-11-01');
    expect(reasons).toEqual([
      expect.objectContaining({ condition: 'prescription', code: 'time_barred', path: 'claim.invoices[0]' }),
    ]);
    expect(reasons[0]?.message).toContain('F-2023-77');
    expect(reasons[0]?.message).toContain('2025-10-31');
    expect(reasons[0]?.message).toContain('L218-2');
  });

  test('Code civil 2229 — on its last enforceable day the invoice can still be collected', () => {
    expect(checkCollectability(claim({ invoices: [consumerInvoice] }), 'consumer', '2025-10-31')).toEqual({
      collectable: true,
    });
  });

  test('Code de commerce L110-4 — the same invoice owed by a business is still collectable', () => {
    expect(checkCollectability(claim({ invoices: [consumerInvoice] }), 'business', '2025-11-01')).toEqual({
      collectable: true,
    });
  });

  test('only the barred invoice is named; the claim type, when given, decides the period', () => {
    const invoices = [invoice({ number: 'R-1', dueDate: '2022-05-05', issueDate: '2022-05-01' }), invoice()];
    expect(reasonsOf(claim({ invoices, type: 'residential_rent' }), 'consumer')).toEqual([
      expect.objectContaining({ code: 'time_barred', path: 'claim.invoices[0]' }),
    ]);
    expect(checkCollectability(claim({ invoices, type: 'civil' }), 'consumer', TODAY).collectable).toBe(true);
  });

  test('an unknown claim type or debtor kind is a reason, not an exception', () => {
    expect(codesOf(claim({ type: malformed<Claim['type']>('loan') }))).toEqual(['claim_type_invalid']);
    expect(codesOf(claim(), malformed<'business'>('company'))).toEqual(['debtor_kind_invalid']);
  });
});

test('intake — every failing condition is reported, not just the first', () => {
  const broken = claim({
    basis: ' ',
    currency: 'eur',
    invoices: [
      invoice({ number: 'OLD', issueDate: '2019-01-01', dueDate: '2019-01-31' }),
      invoice({ number: 'NEW', dueDate: '2026-01-15', amountCents: 0 }),
      invoice({ number: 'BAD', dueDate: '2025-02-29' }),
    ],
  });
  expect(reasonsOf(broken).map(({ condition, code, path }) => `${condition}/${code}@${path}`)).toEqual(
    expect.arrayContaining([
      'certaine/basis_missing@claim.basis',
      'liquide/currency_invalid@claim.currency',
      'liquide/amount_not_positive@claim.invoices[1].amountCents',
      'exigible/not_yet_due@claim.invoices[1].dueDate',
      'exigible/due_date_invalid@claim.invoices[2].dueDate',
      'prescription/time_barred@claim.invoices[0]',
    ]),
  );
  expect(reasonsOf(broken)).toHaveLength(6);
});

test('a malformed today is a programming error, not a reason', () => {
  expect(() => checkCollectability(claim(), 'business', '23/11/2025')).toThrow(RangeError);
});

// ---------------------------------------------------------------------------------------------------
// Properties

const EPOCH = '2010-01-01';
const dayArb = fc.integer({ min: 0, max: 20 * 365 }).map((offset) => addDays(EPOCH, offset));

const claimArb: fc.Arbitrary<Claim> = fc
  .array(fc.tuple(dayArb, fc.integer({ min: 0, max: 60 }), fc.option(fc.integer({ min: -60, max: 60 }))), {
    minLength: 1,
    maxLength: 3,
  })
  .map((rows) => ({
    nature: 'Maintenance',
    basis: 'Contrat CT-12',
    currency: 'EUR',
    invoices: rows.map(([dueDate, issuedBefore, performanceShift], index) => ({
      number: `F-${index + 1}`,
      issueDate: addDays(dueDate, -issuedBefore),
      dueDate,
      amountCents: 10_000,
      ...(performanceShift === null ? {} : { performanceDate: addDays(dueDate, performanceShift) }),
    })),
  }));

test('R1 — a claim is never both collectable and time-barred', () => {
  const seen = { collectable: 0, barred: 0 };
  fc.assert(
    fc.property(
      claimArb,
      fc.constantFrom('consumer' as const, 'business' as const),
      dayArb,
      (candidate, kind, today) => {
        const collectability = checkCollectability(candidate, kind, today);
        const prescription = claimPrescription(candidate, kind, [], today);
        if (collectability.collectable) seen.collectable += 1;
        if (prescription.prescribed) seen.barred += 1;
        expect(collectability.collectable && prescription.prescribed).toBe(false);
        // And each barred invoice is named, so operators know which one.
        const named = collectability.collectable
          ? []
          : collectability.reasons.filter((reason) => reason.code === 'time_barred').map((reason) => reason.path);
        const barred = prescription.invoices.flatMap((one, index) =>
          one.prescribed ? [`claim.invoices[${index}]`] : [],
        );
        expect(named).toEqual(barred);
      },
    ),
    { numRuns: 300 },
  );
  // Guards against a generator that never reaches one side, which would make the property vacuous.
  expect(seen.collectable).toBeGreaterThan(0);
  expect(seen.barred).toBeGreaterThan(0);
});
