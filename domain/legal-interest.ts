/**
 * The legal interest rate (taux de l'intérêt légal, Code monétaire et financier L313-2, D313-1-A)
 * and the interest a mise en demeure starts (Code civil 1231-6, 1344, 1344-1). Pure: the rate
 * table, the dates and the payments are arguments.
 *
 * A value is never guessed. The legal rate is fixed by arrêté for each half-year: a half-year
 * without its own value is "not published" (the previous half-year's value is stale, not a
 * fallback), and its days accrue nothing; the caller states that no interest is claimed for them.
 */
import { addDays, compareDates, dayNumberOf, isCalendarDate } from './dates';
import { penaltyCentsFor, type RatePoint, type RateTable } from './late-charges';
import { assertNonNegativeCents } from './money';
import type { CalendarDate } from './types';

/**
 * Whose claim it is (L313-2): a natural person not acting for professional needs, or anyone else.
 * The creditors of this product act professionally, so cases use `other`.
 */
export type LegalRateCategory = 'private_creditor' | 'other';

/** 1 January or 1 July of the half-year holding `day`. */
export function halfYearOf(day: CalendarDate): CalendarDate {
  if (!isCalendarDate(day)) throw new RangeError(`day must be a calendar date YYYY-MM-DD, got ${day}`);
  return `${day.slice(0, 4)}-${Number(day.slice(5, 7)) < 7 ? '01' : '07'}-01`;
}

function nextHalfYear(start: CalendarDate): CalendarDate {
  const year = Number(start.slice(0, 4));
  return start.slice(5) === '01-01' ? `${year}-07-01` : `${year + 1}-01-01`;
}

function seriesOf(rates: RateTable, category: LegalRateCategory): readonly RatePoint[] {
  return category === 'other' ? rates.legalInterestRateProfessional : (rates.legalInterestRatePrivateCreditor ?? []);
}

/** The value published for the half-year holding `day`, or undefined when none is in the table. */
export function legalRateOn(rates: RateTable, category: LegalRateCategory, day: CalendarDate): RatePoint | undefined {
  const halfYear = halfYearOf(day);
  let inForce: RatePoint | undefined;
  for (const point of seriesOf(rates, category)) {
    if (compareDates(point.from, day) > 0) break;
    inForce = point;
  }
  // A point from an earlier half-year is the last arrêté's value, not this half-year's.
  return inForce !== undefined && compareDates(inForce.from, halfYear) >= 0 ? inForce : undefined;
}

/** L441-10 reads the ECB rate in force on 1 January / 1 July; undefined when the table starts later. */
export function ecbRateForHalfYearOf(rates: RateTable, day: CalendarDate): RatePoint | undefined {
  const reference = halfYearOf(day);
  let inForce: RatePoint | undefined;
  for (const point of rates.ecbMainRefinancingRate) {
    if (compareDates(point.from, reference) > 0) break;
    inForce = point;
  }
  return inForce;
}

export type RateSeriesName =
  'legalInterestRateProfessional' | 'legalInterestRatePrivateCreditor' | 'ecbMainRefinancingRate';

export interface MissingRate {
  series: RateSeriesName;
  /** The half-year without a value: its first day. */
  halfYear: CalendarDate;
}

/**
 * What the table lacks for the half-year holding `day`: the legal rate "autres cas" (1231-6
 * interest of every case, and the floor of a contractual penalty rate) and an ECB rate for
 * L441-10. The private-creditor rate is not checked: no creditor of this product uses it.
 */
export function missingRates(rates: RateTable, day: CalendarDate): MissingRate[] {
  const halfYear = halfYearOf(day);
  const missing: MissingRate[] = [];
  if (!legalRateOn(rates, 'other', day)) missing.push({ series: 'legalInterestRateProfessional', halfYear });
  if (!ecbRateForHalfYearOf(rates, day)) missing.push({ series: 'ecbMainRefinancingRate', halfYear });
  return missing;
}

export interface PrincipalPaid {
  paidAt: CalendarDate;
  cents: number;
}

export interface LegalInterestInput {
  /** Principal outstanding on `from` (before the payments listed below). */
  principalCents: number;
  /** Payments of principal, each reducing the base from its day on (a day accrues on the principal unpaid at its start). */
  principalPayments: readonly PrincipalPaid[];
  /** The first day that accrues. */
  from: CalendarDate;
  /** The last day that accrues, inclusive. */
  through: CalendarDate;
  rates: RateTable;
  category: LegalRateCategory;
}

export interface LegalInterestSegment {
  from: CalendarDate;
  to: CalendarDate;
  ratePercent: number;
  principalCents: number;
  interestCents: number;
  /** The arrêté the rate comes from. */
  source?: string;
}

export interface UncoveredPeriod {
  from: CalendarDate;
  to: CalendarDate;
  /** First day of the half-year whose rate is not in the table. */
  halfYear: CalendarDate;
}

export interface LegalInterest {
  interestCents: number;
  segments: LegalInterestSegment[];
  /** Days that accrued nothing because no legal rate is published for them. */
  uncovered: UncoveredPeriod[];
}

/**
 * Legal interest on the principal, day by day from `from` through `through`: Actual/365 like the
 * L441-10 penalties, cut at each half-year (a new arrêté) and each payment, each segment rounded
 * once half-up. Simple interest: capitalisation (1343-2) needs a demand or a judgment and is not
 * claimed.
 */
export function legalInterest(input: LegalInterestInput): LegalInterest {
  const { rates, category } = input;
  for (const field of ['from', 'through'] as const) {
    if (!isCalendarDate(input[field])) {
      throw new RangeError(`${field} must be a calendar date YYYY-MM-DD, got ${String(input[field])}`);
    }
  }
  assertNonNegativeCents(input.principalCents, 'principalCents');
  const result: LegalInterest = { interestCents: 0, segments: [], uncovered: [] };
  if (compareDates(input.from, input.through) > 0) return result;

  const payments = [...input.principalPayments].sort((a, b) => compareDates(a.paidAt, b.paidAt));
  const cuts = new Set<string>();
  for (let start = nextHalfYear(halfYearOf(input.from)); compareDates(start, input.through) <= 0;) {
    cuts.add(start);
    start = nextHalfYear(start);
  }
  // A payment made on day D still owes day D: the lower base starts the day after.
  const paymentDays = payments.map((payment) => addDays(payment.paidAt, 1));
  paymentDays.forEach((day) => {
    if (compareDates(day, input.from) > 0 && compareDates(day, input.through) <= 0) cuts.add(day);
  });
  const starts = [input.from, ...[...cuts].sort(compareDates)];

  starts.forEach((start, index) => {
    const next = starts[index + 1];
    const to = next === undefined ? input.through : addDays(next, -1);
    const paidBefore = payments.filter((payment) => compareDates(payment.paidAt, start) < 0);
    const principal = Math.max(0, input.principalCents - paidBefore.reduce((sum, payment) => sum + payment.cents, 0));
    const rate = legalRateOn(rates, category, start);
    if (!rate) {
      const halfYear = halfYearOf(start);
      const last = result.uncovered[result.uncovered.length - 1];
      if (last && last.halfYear === halfYear && addDays(last.to, 1) === start) last.to = to;
      else result.uncovered.push({ from: start, to, halfYear });
      return;
    }
    if (principal === 0) return;
    const days = dayNumberOf(to) - dayNumberOf(start) + 1;
    const interestCents = penaltyCentsFor(principal, rate.percent, days);
    result.segments.push({
      from: start,
      to,
      ratePercent: rate.percent,
      principalCents: principal,
      interestCents,
      ...(rate.source ? { source: rate.source } : {}),
    });
    result.interestCents += interestCents;
  });
  return result;
}
