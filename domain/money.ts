/**
 * Money is an integer number of cents (minor units of the currency). Floats never hold an amount:
 * 0.1 + 0.2 !== 0.3, and a balance shown to a debtor or a court officer must add up to the cent.
 */
import { isCalendarDate } from './dates';
import type { CalendarDate } from './types';

/** Throws unless `value` is an exact integer: beyond 2^53 a number silently stops counting cents. */
export function assertCents(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RangeError(`${field} must be a whole number of cents (a safe integer), got ${String(value)}`);
  }
}

/**
 * The largest amount the product takes in: €10 billion, per invoice, per claim and per recorded
 * amount. No amicable claim comes near it, and it keeps every sum the product makes (200 invoices,
 * late charges, overpayments) far below 2^53, past which a number stops counting cents.
 */
export const MAX_AMOUNT_CENTS = 1_000_000_000_000;

export function assertNonNegativeCents(value: unknown, field: string): asserts value is number {
  assertCents(value, field);
  if (value < 0) throw new RangeError(`${field} must not be negative, got ${value}`);
}

export function assertPositiveCents(value: unknown, field: string): asserts value is number {
  assertCents(value, field);
  if (value <= 0) throw new RangeError(`${field} must be positive, got ${value}`);
}

export function sumCents(values: readonly number[]): number {
  let total = 0;
  values.forEach((value, index) => {
    assertCents(value, `values[${index}]`);
    total += value;
    // Checked on every step: a partial sum past 2^53 has already lost cents even if later terms bring it back.
    assertCents(total, 'sum of cents');
  });
  return total;
}

/**
 * The amount as a French reader expects it, e.g. "1 850,00 €". Intl separates groups with a narrow
 * no-break space (U+202F) and the symbol with a no-break space (U+00A0): they are kept, because
 * they stop a line break inside an amount in a letter; compare texts through `normalizeSpaces`.
 */
export function formatAmount(cents: number, currency = 'EUR'): string {
  assertCents(cents, 'cents');
  const formatter = new Intl.NumberFormat('fr-FR', { style: 'currency', currency });
  const minorDigits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  // An exact decimal string, not cents / 100: above ~4.5e15 cents the division's float rounding shows.
  return (formatter as unknown as DecimalStringFormatter).format(decimalString(cents, minorDigits));
}

/** Intl has formatted exact decimal strings since ES2023 (Node ≥ 19); the project's lib is ES2022. */
interface DecimalStringFormatter {
  format(value: `${number}`): string;
}

function decimalString(cents: number, minorDigits: number): `${number}` {
  const digits = Math.abs(cents)
    .toString()
    .padStart(minorDigits + 1, '0');
  const sign = cents < 0 ? '-' : '';
  if (minorDigits === 0) return `${sign}${digits}` as `${number}`;
  const whole = digits.slice(0, digits.length - minorDigits);
  const fraction = digits.slice(digits.length - minorDigits);
  return `${sign}${whole}.${fraction}` as `${number}`;
}

/** Every kind of space Intl may put in a number or date becomes a plain space, for text comparisons. */
export function normalizeSpaces(text: string): string {
  return text.replace(/[\u00A0\u2007\u2009\u202F]/g, ' ');
}

export interface AllocationBucket {
  id: string;
  dueCents: number;
}

export interface Allocation {
  id: string;
  cents: number;
}

export interface AllocationResult {
  /** One entry per bucket, in the order given (0 where nothing reached it). */
  allocations: Allocation[];
  remainderCents: number;
}

/**
 * A waterfall: each bucket in turn takes what it is due, as far as the amount goes. Whole cents
 * only, so nothing is ever split or rounded: what is not allocated is the remainder.
 */
export function allocate(amountCents: number, buckets: readonly AllocationBucket[]): AllocationResult {
  assertNonNegativeCents(amountCents, 'amountCents');
  let remainderCents = amountCents;
  const allocations = buckets.map((bucket, index) => {
    assertNonNegativeCents(bucket.dueCents, `buckets[${index}].dueCents`);
    const cents = Math.min(remainderCents, bucket.dueCents);
    remainderCents -= cents;
    return { id: bucket.id, cents };
  });
  return { allocations, remainderCents };
}

export interface Payment {
  /** The payer's or bank's reference: the idempotency key of a payment. */
  reference: string;
  amountCents: number;
  paidAt: CalendarDate;
}

export function assertPayment(payment: Payment, field: string): void {
  if (typeof payment.reference !== 'string' || payment.reference.trim() === '') {
    throw new RangeError(`${field}.reference must be a non-empty string`);
  }
  assertPositiveCents(payment.amountCents, `${field}.amountCents`);
  if (typeof payment.paidAt !== 'string' || !isCalendarDate(payment.paidAt)) {
    throw new RangeError(`${field}.paidAt must be a calendar date YYYY-MM-DD, got ${String(payment.paidAt)}`);
  }
}

export interface PaymentConflict {
  reference: string;
  /** The first payment recorded with this reference: the one that counts. */
  kept: Payment;
  /** A later one with the same reference that does not match it. */
  rejected: Payment;
}

export interface DedupedPayments {
  payments: Payment[];
  conflicts: PaymentConflict[];
}

/**
 * The same reference counts once: a retried or re-imported payment must not pay the debt twice.
 * The first one wins. A later one that differs is a conflict for a person to look at, never
 * dropped silently: a different amount obviously, and a different date too, because the date
 * decides how long penalties ran.
 */
export function dedupePayments(payments: readonly Payment[]): DedupedPayments {
  const firstByReference = new Map<string, Payment>();
  const conflicts: PaymentConflict[] = [];
  for (const payment of payments) {
    const kept = firstByReference.get(payment.reference);
    if (kept === undefined) firstByReference.set(payment.reference, payment);
    else if (kept.amountCents !== payment.amountCents || kept.paidAt !== payment.paidAt) {
      conflicts.push({ reference: payment.reference, kept, rejected: payment });
    }
  }
  return { payments: [...firstByReference.values()], conflicts };
}
