/**
 * Late-payment charges between professionals (Code de commerce L441-10 and D441-5): penalties that
 * run from the day after the due date without any reminder, and a flat €40 indemnity per invoice
 * paid late. Neither ever applies to a consumer. Pure: the rates and every date are arguments.
 */
import { z } from 'zod';
import shippedRates from '../config/rates.json';
import { compareDates, dateOfDayNumber, dayNumberOf, isCalendarDate } from './dates';
import { assertNonNegativeCents } from './money';
import type { CalendarDate, DebtorKind } from './types';

/** D441-5: the flat indemnity for recovery costs, per invoice paid late. */
export const LATE_PAYMENT_INDEMNITY_CENTS = 4000;

/** L441-10: points added to the ECB rate when the contract sets no rate. */
const ECB_MARGIN_PERCENT = 10;

/** L441-10: a contractual rate may not be set below this multiple of the legal interest rate. */
const LEGAL_RATE_FLOOR_MULTIPLIER = 3;

/** Actual/365: a 366th day in a leap year accrues like any other day. */
const DAYS_PER_YEAR = 365n;

/**
 * Rates are handled as integers in 1/10 000 of a percent, so that 2.15 + 10 or 3 × 2.76 is exact
 * (in floats 3 × 2.76 = 8.280000000000001). Published rates have at most 2 decimals.
 */
const RATE_UNITS_PER_PERCENT = 10_000;

function hasAtMostFourDecimals(percent: number): boolean {
  const scaled = percent * RATE_UNITS_PER_PERCENT;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

const ratePointSchema = z.object({
  from: z.string().refine(isCalendarDate, { message: 'must be a calendar date YYYY-MM-DD' }),
  percent: z.number().min(0).max(100).refine(hasAtMostFourDecimals, { message: 'must have at most 4 decimal places' }),
  /** Where the value was published (arrêté and JORF reference, ECB decision): what an auditor checks it against. */
  source: z.string().min(1).max(500).optional(),
});

const rateSeriesSchema = z.array(ratePointSchema).superRefine((points, context) => {
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (previous === undefined || !isCalendarDate(previous.from) || !isCalendarDate(point.from)) return;
    if (compareDates(previous.from, point.from) >= 0) {
      context.addIssue({
        code: 'custom',
        path: [index, 'from'],
        message: `must come after ${previous.from}: sorted by date, one rate per date`,
      });
    }
  });
});

/**
 * The rates the penalties depend on, each with the day it applies from. Configuration, not code:
 * see DEFAULT_RATE_TABLE for who publishes them and when.
 */
export const rateTableSchema = z.object({
  /** ECB main refinancing operations rate, one point per change, `from` its effective date. */
  ecbMainRefinancingRate: rateSeriesSchema,
  /**
   * Taux de l'intérêt légal "pour tous les autres cas" (creditor not a private person), fixed by
   * arrêté for each half-year (Code monétaire et financier L313-2, D313-1-A): one point per half-year.
   */
  legalInterestRateProfessional: rateSeriesSchema,
  /**
   * Taux de l'intérêt légal for claims of natural persons not acting for professional needs (the
   * creditor's category, not the debtor's): absent in tables written before it was modelled.
   */
  legalInterestRatePrivateCreditor: rateSeriesSchema.optional(),
});

export type RatePoint = z.infer<typeof ratePointSchema>;
export type RateTable = z.infer<typeof rateTableSchema>;

/** Validates a rate table (throws a RangeError listing every problem). */
export function parseRateTable(input: unknown): RateTable {
  const result = rateTableSchema.safeParse(input);
  if (!result.success) throw new RangeError(`invalid rate table:\n${z.prettifyError(result.error)}`);
  return result.data;
}

/**
 * The rates shipped with the product: `config/rates.json`, each value with the arrêté or ECB
 * decision it comes from. Operators add a value when it is published through `POST /rates` (stored
 * in the database, `models/rate-store.ts`), or in that file for the next release. A value is never
 * guessed: a half-year whose legal rate is missing claims no legal interest for its days, and the
 * worker and the API warn about it at start-up and in a manager alert (`models/rate-store.ts`).
 * The ECB series cannot show staleness (its rate may stay unchanged for years): last checked
 * against the decision of 5 February 2026 (rates unchanged). Values before 2013-11 (ECB) and
 * before 2020 (legal rate) are left out on purpose; add them from the sources if older claims need them.
 */
export const DEFAULT_RATE_TABLE: RateTable = parseRateTable(shippedRates);

function toRateUnits(percent: number, field: string): number {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100 || !hasAtMostFourDecimals(percent)) {
    throw new RangeError(`${field} must be a percentage between 0 and 100 with at most 4 decimals, got ${percent}`);
  }
  return Math.round(percent * RATE_UNITS_PER_PERCENT);
}

function fromRateUnits(units: number): number {
  return units / RATE_UNITS_PER_PERCENT;
}

/** 1 January or 1 July: L441-10 reads the ECB rate once per half-year, and the legal rate is fixed per half-year. */
function halfYearStartOf(day: CalendarDate): CalendarDate {
  const firstHalf = Number(day.slice(5, 7)) < 7;
  return `${day.slice(0, 4)}-${firstHalf ? '01' : '07'}-01`;
}

function halfYearStartsOfYears(fromYear: number, toYear: number): CalendarDate[] {
  const starts: CalendarDate[] = [];
  for (let year = fromYear; year <= toYear; year += 1) starts.push(`${year}-01-01`, `${year}-07-01`);
  return starts;
}

interface IndexedRate {
  from: number;
  units: number;
}

function pointInForce(series: readonly IndexedRate[], day: number): IndexedRate | undefined {
  let inForce: IndexedRate | undefined;
  for (const point of series) {
    if (point.from > day) break;
    inForce = point;
  }
  return inForce;
}

/** The terms under which late charges are computed for one debtor. */
export interface LateChargeTerms {
  debtorKind: DebtorKind;
  rates: RateTable;
  /** The rate the contract or general terms of sale set instead of ECB + 10, if any. */
  contractRatePercent?: number;
  /** The creditor may always choose not to claim what the law allows. */
  waived?: boolean;
  /**
   * Code civil 1231-6: the first day legal interest runs, the mise en demeure having been received.
   * Only where L441-10 penalties do not run: between professionals they are the interest for late
   * payment and replace it. Days of a half-year whose legal rate is not published accrue nothing.
   */
  legalInterestFrom?: CalendarDate;
  /** Whose claim it is, for the legal rate (L313-2); `other` unless said. */
  legalRateCategory?: 'private_creditor' | 'other';
}

interface RateRun {
  from: number;
  to: number;
  rateUnits: number;
}

/** Terms validated once and the penalty rate of each day, shared by every invoice of a debtor. */
export class LateChargeRules {
  /** L441-10 and D441-5 are rules between professionals: a consumer never owes them, whatever the input. */
  readonly chargeable: boolean;
  private readonly ecb: IndexedRate[];
  private readonly legal: IndexedRate[];
  private readonly contractRateUnits: number | undefined;
  private readonly rateUnitsByDay = new Map<number, number>();

  /**
   * `terms.rates` is trusted as a `RateTable`: every table is validated once where it enters
   * (`parseRateTable` on config/rates.json, on the store's rows and on `POST /rates`). Validating
   * it again here, on every statement, was a quarter of a case's replay (issue 14's profile).
   */
  constructor(terms: LateChargeTerms) {
    const { rates } = terms;
    this.chargeable = terms.debtorKind === 'business' && terms.waived !== true;
    this.contractRateUnits =
      terms.contractRatePercent === undefined
        ? undefined
        : toRateUnits(terms.contractRatePercent, 'contractRatePercent');
    const indexed = (point: RatePoint) => ({
      from: dayNumberOf(point.from),
      units: toRateUnits(point.percent, 'rate'),
    });
    this.ecb = rates.ecbMainRefinancingRate.map(indexed);
    this.legal = rates.legalInterestRateProfessional.map(indexed);
    this.legalInterestFrom =
      this.chargeable || terms.legalInterestFrom === undefined ? undefined : dayNumberOf(terms.legalInterestFrom);
    const moratory =
      terms.legalRateCategory === 'private_creditor'
        ? (rates.legalInterestRatePrivateCreditor ?? [])
        : rates.legalInterestRateProfessional;
    this.moratory = moratory.map(indexed);
  }

  /** The day number 1231-6 interest starts on, when it runs instead of penalties. */
  readonly legalInterestFrom: number | undefined;
  private readonly moratory: IndexedRate[];

  /** Whether anything accrues at all: penalties, or legal interest after a mise en demeure. */
  get accrues(): boolean {
    return this.chargeable || this.legalInterestFrom !== undefined;
  }

  /**
   * The days from..to (inclusive) at the legal rate of each half-year, leaving out the days of a
   * half-year that has no published value (never the previous half-year's rate).
   */
  legalInterestRuns(from: number, to: number): RateRun[] {
    const runs: RateRun[] = [];
    const yearOf = (day: number) => Number(dateOfDayNumber(day).slice(0, 4));
    const cuts = halfYearStartsOfYears(yearOf(from), yearOf(to))
      .map((start) => dayNumberOf(start))
      .filter((day) => day > from && day <= to);
    [from, ...cuts].forEach((start, index) => {
      const next = cuts[index];
      const end = next === undefined ? to : next - 1;
      const point = pointInForce(this.moratory, start);
      if (point === undefined || point.from < this.halfYearStart(start)) return;
      runs.push({ from: start, to: end, rateUnits: point.units });
    });
    return runs;
  }

  /** The annual penalty rate (percent) on `day`, whether or not this debtor owes penalties. */
  ratePercentOn(day: CalendarDate): number {
    return fromRateUnits(this.rateUnitsOn(dayNumberOf(day)));
  }

  /** The annual penalty rate on that day, in 1/10 000 of a percent. */
  rateUnitsOn(day: number): number {
    let units = this.rateUnitsByDay.get(day);
    if (units === undefined) {
      units = this.penaltyRateUnits(day);
      this.rateUnitsByDay.set(day, units);
    }
    return units;
  }

  /** The days from..to (inclusive) cut where the rate changes; runs at equal rates are joined. */
  runs(from: number, to: number): RateRun[] {
    const runs: RateRun[] = [];
    const starts = [from, ...this.rateChangeDays(from, to)];
    starts.forEach((start, index) => {
      const next = starts[index + 1];
      const end = next === undefined ? to : next - 1;
      const rateUnits = this.rateUnitsOn(start);
      const last = runs[runs.length - 1];
      if (last !== undefined && last.rateUnits === rateUnits) last.to = end;
      else runs.push({ from: start, to: end, rateUnits });
    });
    return runs;
  }

  private halfYearStart(day: number): number {
    return dayNumberOf(halfYearStartOf(dateOfDayNumber(day)));
  }

  /** Days on which the rate may change: half-year starts, and legal-rate dates when the floor applies. */
  private rateChangeDays(from: number, to: number): number[] {
    const yearOf = (day: number) => Number(dateOfDayNumber(day).slice(0, 4));
    const halfYears = halfYearStartsOfYears(yearOf(from), yearOf(to)).map((start) => dayNumberOf(start));
    const legalDates = this.contractRateUnits === undefined ? [] : this.legal.map((point) => point.from);
    const within = [...halfYears, ...legalDates].filter((day) => day > from && day <= to);
    return [...new Set(within)].sort((a, b) => a - b);
  }

  /**
   * The contract may replace ECB + 10 by another rate (higher or lower), but never below 3 × the
   * legal interest rate in force: a lower contractual rate is raised to that floor (a clause below
   * it cannot be relied on, and the floor is the least the law lets the parties agree). Without a
   * contractual rate, ECB + 10 applies as such: L441-10 puts the floor on the clause, not on the
   * default rate.
   */
  private penaltyRateUnits(day: number): number {
    if (this.contractRateUnits === undefined) return this.ecbBasedRateUnits(day);
    return Math.max(this.contractRateUnits, LEGAL_RATE_FLOOR_MULTIPLIER * this.legalRateUnits(day));
  }

  private ecbBasedRateUnits(day: number): number {
    // L441-10: the rate of the most recent refinancing operation as it stood on 1 January (first
    // half-year) or 1 July (second half-year); an ECB change within the half-year waits for the next.
    const reference = this.halfYearStart(day);
    const ecb = pointInForce(this.ecb, reference);
    if (ecb === undefined) {
      throw new RangeError(`no ECB main refinancing rate is configured on ${dateOfDayNumber(reference)}`);
    }
    return ecb.units + ECB_MARGIN_PERCENT * RATE_UNITS_PER_PERCENT;
  }

  private legalRateUnits(day: number): number {
    const halfYear = this.halfYearStart(day);
    const legal = pointInForce(this.legal, day);
    // A new arrêté comes every half-year: a point older than this half-year means the table is out
    // of date, and a floor computed from a stale rate could under- or over-charge.
    if (legal === undefined || legal.from < halfYear) {
      throw new RangeError(
        `the legal interest rate for the half-year starting ${dateOfDayNumber(halfYear)} is not configured`,
      );
    }
    return legal.units;
  }
}

/** The annual penalty rate (percent) that applies on `day` (L441-10). */
export function penaltyRatePercent(day: CalendarDate, rates: RateTable, contractRatePercent?: number): number {
  return new LateChargeRules({ debtorKind: 'business', rates, contractRatePercent }).ratePercentOn(day);
}

/**
 * principal × rate × days / 365, rounded once, half-up, to the cent. BigInt keeps the product exact
 * (a 10^10-cent principal × 10^6 rate units × thousands of days is past 2^53).
 */
export function penaltyCentsFor(principalCents: number, ratePercent: number, days: number): number {
  return penaltyCentsAtUnits(principalCents, toRateUnits(ratePercent, 'ratePercent'), days);
}

function penaltyCentsAtUnits(principalCents: number, rateUnits: number, days: number): number {
  assertNonNegativeCents(principalCents, 'principalCents');
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`days must be a whole number ≥ 0, got ${days}`);
  const numerator = BigInt(principalCents) * BigInt(rateUnits) * BigInt(days);
  const denominator = 100n * BigInt(RATE_UNITS_PER_PERCENT) * DAYS_PER_YEAR;
  return Number((2n * numerator + denominator) / (2n * denominator));
}

/** One accrual segment: consecutive days with the same principal and the same rate, rounded once. */
export interface PenaltySegment {
  /** First day accrued, inclusive. */
  from: CalendarDate;
  /** Last day accrued, inclusive. */
  to: CalendarDate;
  ratePercent: number;
  principalCents: number;
  penaltyCents: number;
}

interface IndexedSegment extends RateRun {
  principalCents: number;
  penaltyCents: number;
}

function segmentOf(principalCents: number, run: RateRun): IndexedSegment {
  const penaltyCents = penaltyCentsAtUnits(principalCents, run.rateUnits, run.to - run.from + 1);
  return { ...run, principalCents, penaltyCents };
}

/**
 * Late charges of one invoice, accrued forward in time as its principal is paid. A day accrues on
 * the principal unpaid at the start of that day: a payment made on day D still owes day D, so an
 * invoice paid one day late owes one day of penalties (and paid on its due date, none).
 */
export class LateChargeAccrual {
  private outstandingPrincipal: number;
  private readonly due: number;
  private accruedThrough: number;
  private indemnity = 0;
  private readonly accrued: IndexedSegment[] = [];

  constructor(
    readonly dueDate: CalendarDate,
    principalCents: number,
    private readonly rules: LateChargeRules,
  ) {
    assertNonNegativeCents(principalCents, 'principalCents');
    this.outstandingPrincipal = principalCents;
    this.due = dayNumberOf(dueDate);
    this.accruedThrough = this.due;
  }

  get outstandingPrincipalCents(): number {
    return this.outstandingPrincipal;
  }

  get penaltyCents(): number {
    return this.accrued.reduce((total, segment) => total + segment.penaltyCents, 0);
  }

  get indemnityCents(): number {
    return this.indemnity;
  }

  get segments(): PenaltySegment[] {
    return this.accrued.map((segment) => ({
      from: dateOfDayNumber(segment.from),
      to: dateOfDayNumber(segment.to),
      ratePercent: fromRateUnits(segment.rateUnits),
      principalCents: segment.principalCents,
      penaltyCents: segment.penaltyCents,
    }));
  }

  /** Accrues every day up to and including `day` (no reminder needed: L441-10 penalties are due of right). */
  accrueThrough(day: CalendarDate): void {
    const through = dayNumberOf(day);
    if (through <= this.accruedThrough) return;
    if (this.rules.chargeable && this.outstandingPrincipal > 0) {
      // Crossing the due date unpaid is what makes the invoice "paid late" (D441-5), once per invoice.
      if (this.accruedThrough === this.due) this.indemnity = LATE_PAYMENT_INDEMNITY_CENTS;
      this.rules.runs(this.accruedThrough + 1, through).forEach((run) => this.append(run));
    } else if (this.rules.legalInterestFrom !== undefined && this.outstandingPrincipal > 0) {
      const start = Math.max(this.accruedThrough + 1, this.rules.legalInterestFrom);
      if (start <= through) this.rules.legalInterestRuns(start, through).forEach((run) => this.append(run));
    }
    this.accruedThrough = through;
  }

  payPrincipal(cents: number): void {
    assertNonNegativeCents(cents, 'cents');
    if (cents > this.outstandingPrincipal) {
      throw new RangeError(`cannot pay ${cents} cents of principal: only ${this.outstandingPrincipal} outstanding`);
    }
    this.outstandingPrincipal -= cents;
  }

  /**
   * A run continuing the last segment at the same principal and rate extends it and is rounded again
   * as a whole, so that accruing in several calls rounds exactly as accruing in one.
   */
  private append(run: RateRun): void {
    const last = this.accrued[this.accrued.length - 1];
    const continuesLast =
      last !== undefined &&
      last.principalCents === this.outstandingPrincipal &&
      last.rateUnits === run.rateUnits &&
      last.to + 1 === run.from;
    if (continuesLast) {
      this.accrued[this.accrued.length - 1] = segmentOf(this.outstandingPrincipal, { ...run, from: last.from });
    } else {
      this.accrued.push(segmentOf(this.outstandingPrincipal, run));
    }
  }
}

export interface PrincipalPayment {
  paidAt: CalendarDate;
  cents: number;
}

export interface LateChargesInput extends LateChargeTerms {
  dueDate: CalendarDate;
  principalCents: number;
  /** What was paid on this invoice's principal, and when (payments after `asOf` are not yet known). */
  principalPayments: readonly PrincipalPayment[];
  asOf: CalendarDate;
}

export interface LateCharges {
  penaltyCents: number;
  indemnityCents: number;
  segments: PenaltySegment[];
  outstandingPrincipalCents: number;
}

/** Penalties and indemnity of one invoice whose principal payments are known, as of `asOf` inclusive. */
export function computeLateCharges(input: LateChargesInput): LateCharges {
  const rules = new LateChargeRules(input);
  const accrual = new LateChargeAccrual(input.dueDate, input.principalCents, rules);
  const known = input.principalPayments.filter((payment) => compareDates(payment.paidAt, input.asOf) <= 0);
  const inDateOrder = [...known].sort((a, b) => compareDates(a.paidAt, b.paidAt));
  for (const payment of inDateOrder) {
    accrual.accrueThrough(payment.paidAt);
    accrual.payPrincipal(payment.cents);
  }
  accrual.accrueThrough(input.asOf);
  return {
    penaltyCents: accrual.penaltyCents,
    indemnityCents: accrual.indemnityCents,
    segments: accrual.segments,
    outstandingPrincipalCents: accrual.outstandingPrincipalCents,
  };
}
