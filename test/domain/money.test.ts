import fc from 'fast-check';
import {
  allocate,
  assertCents,
  dedupePayments,
  formatAmount,
  normalizeSpaces,
  sumCents,
  type Payment,
} from '../../domain/money';

const RUNS = { numRuns: 300 };

describe('assertCents', () => {
  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '100', null, undefined])(
    'rejects %p with a RangeError that names the field',
    (value) => {
      expect(() => assertCents(value, 'invoice.amountCents')).toThrow(RangeError);
      expect(() => assertCents(value, 'invoice.amountCents')).toThrow(/invoice\.amountCents/);
    },
  );

  it.each([0, -5, 185000, Number.MAX_SAFE_INTEGER])('accepts the safe integer %p', (value) => {
    expect(() => assertCents(value, 'x')).not.toThrow();
  });
});

describe('sumCents', () => {
  it('adds whole cents', () => {
    expect(sumCents([185000, 4000, 1909])).toBe(190909);
    expect(sumCents([])).toBe(0);
  });

  it('refuses a float among the terms', () => {
    expect(() => sumCents([100, 0.1])).toThrow(/values\[1\]/);
  });

  it('refuses a sum that leaves the safe-integer range, where cents would be lost', () => {
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});

describe('formatAmount', () => {
  it('writes euros the French way, keeping the no-break spaces Intl puts in', () => {
    // U+202F (narrow no-break space) between thousands, U+00A0 (no-break space) before the symbol.
    expect(formatAmount(185000)).toBe('1\u202F850,00\u00A0€');
    expect(normalizeSpaces(formatAmount(185000))).toBe('1 850,00 €');
  });

  it.each([
    [0, '0,00 €'],
    [5, '0,05 €'],
    [-185000, '-1 850,00 €'],
    [123456789, '1 234 567,89 €'],
  ])('formats %p cents as %p', (cents, expected) => {
    expect(normalizeSpaces(formatAmount(cents))).toBe(expected);
  });

  it('is exact up to the largest safe integer (no float division)', () => {
    expect(normalizeSpaces(formatAmount(Number.MAX_SAFE_INTEGER))).toBe('90 071 992 547 409,91 €');
  });

  it("uses the currency's own minor units", () => {
    // The yen has no minor unit: 1850 units are 1 850 yen, not 18,50.
    expect(normalizeSpaces(formatAmount(1850, 'JPY'))).toMatch(/^1 850 /);
    expect(formatAmount(1850, 'JPY')).not.toContain(',');
  });

  it('refuses a float amount', () => {
    expect(() => formatAmount(18.5)).toThrow(RangeError);
  });
});

describe('normalizeSpaces', () => {
  it('turns no-break and narrow no-break spaces into plain spaces', () => {
    expect(normalizeSpaces('1\u202F850,00\u00A0€')).toBe('1 850,00 €');
  });
});

describe('allocate', () => {
  it('fills the buckets in the order given and returns the rest', () => {
    const result = allocate(100, [
      { id: 'a', dueCents: 30 },
      { id: 'b', dueCents: 50 },
      { id: 'c', dueCents: 40 },
    ]);
    expect(result).toEqual({
      allocations: [
        { id: 'a', cents: 30 },
        { id: 'b', cents: 50 },
        { id: 'c', cents: 20 },
      ],
      remainderCents: 0,
    });
  });

  it('keeps what exceeds every bucket as a remainder', () => {
    expect(allocate(100, [{ id: 'a', dueCents: 30 }])).toEqual({
      allocations: [{ id: 'a', cents: 30 }],
      remainderCents: 70,
    });
  });

  it('refuses negative amounts and dues, and floats', () => {
    expect(() => allocate(-1, [])).toThrow(/amountCents/);
    expect(() => allocate(10, [{ id: 'a', dueCents: -1 }])).toThrow(/buckets\[0\]\.dueCents/);
    expect(() => allocate(10.5, [])).toThrow(RangeError);
  });

  it('never loses or creates a cent (property)', () => {
    const bucketsArb = fc.array(fc.record({ id: fc.string(), dueCents: fc.integer({ min: 0, max: 1_000_000 }) }), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000 }), bucketsArb, (amountCents, buckets) => {
        const { allocations, remainderCents } = allocate(amountCents, buckets);
        expect(allocations.reduce((total, allocation) => total + allocation.cents, 0) + remainderCents).toBe(
          amountCents,
        );
        expect(remainderCents).toBeGreaterThanOrEqual(0);
        allocations.forEach((allocation, index) => {
          expect(Number.isSafeInteger(allocation.cents)).toBe(true);
          expect(allocation.cents).toBeGreaterThanOrEqual(0);
          expect(allocation.cents).toBeLessThanOrEqual(buckets[index]?.dueCents ?? -1);
          expect(allocation.id).toBe(buckets[index]?.id);
        });
        // A waterfall leaves money over only once every bucket is full.
        const totalDue = buckets.reduce((total, bucket) => total + bucket.dueCents, 0);
        if (remainderCents > 0) expect(remainderCents).toBe(amountCents - totalDue);
      }),
      RUNS,
    );
  });
});

describe('dedupePayments', () => {
  const payment = (reference: string, amountCents: number, paidAt = '2025-11-20'): Payment => ({
    reference,
    amountCents,
    paidAt,
  });

  it('counts the same reference once, the first one winning', () => {
    const result = dedupePayments([payment('VIR-1', 1000), payment('VIR-2', 500), payment('VIR-1', 1000)]);
    expect(result.payments).toEqual([payment('VIR-1', 1000), payment('VIR-2', 500)]);
    expect(result.conflicts).toEqual([]);
  });

  it('reports a later payment with the same reference but another amount as a conflict', () => {
    const result = dedupePayments([payment('VIR-1', 1000), payment('VIR-1', 1200)]);
    expect(result.payments).toEqual([payment('VIR-1', 1000)]);
    expect(result.conflicts).toEqual([
      { reference: 'VIR-1', kept: payment('VIR-1', 1000), rejected: payment('VIR-1', 1200) },
    ]);
  });

  it('reports another date under the same reference as a conflict too (the date decides the penalties)', () => {
    const result = dedupePayments([payment('VIR-1', 1000, '2025-11-20'), payment('VIR-1', 1000, '2025-12-01')]);
    expect(result.payments).toHaveLength(1);
    expect(result.conflicts).toHaveLength(1);
  });

  it('keeps one payment per reference, the first, and loses none silently (property)', () => {
    const paymentsArb = fc.array(
      fc.record({
        reference: fc.constantFrom('A', 'B', 'C', 'D'),
        amountCents: fc.integer({ min: 1, max: 3 }),
        paidAt: fc.constantFrom('2025-01-01', '2025-01-02'),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(paymentsArb, (payments) => {
        const result = dedupePayments(payments);
        const references = result.payments.map((kept) => kept.reference);
        expect(new Set(references).size).toBe(references.length);
        expect(new Set(references)).toEqual(new Set(payments.map((given) => given.reference)));
        for (const kept of result.payments) {
          expect(kept).toBe(payments.find((given) => given.reference === kept.reference));
        }
        // Every input is either kept, an exact repeat of the kept one, or reported.
        const exactRepeats = payments.filter(
          (given) =>
            !result.payments.includes(given) &&
            result.payments.some(
              (kept) =>
                kept.reference === given.reference &&
                kept.amountCents === given.amountCents &&
                kept.paidAt === given.paidAt,
            ),
        );
        expect(result.payments.length + exactRepeats.length + result.conflicts.length).toBe(payments.length);
      }),
      RUNS,
    );
  });
});
