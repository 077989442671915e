/**
 * Late-payment charges between professionals (Code de commerce L441-10 and D441-5): penalties that
 * run from the day after the due date without any reminder, and a flat €40 indemnity per invoice
 * paid late. Neither ever applies to a consumer. Pure: the rates and every date are arguments.
 */
import { z } from 'zod';
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
 * OPERATOR-MAINTAINED CONFIGURATION. These are published facts, not constants: the ECB changes its
 * rate at its monetary-policy meetings (published by the ECB and relayed by the Banque de France),
 * and the legal interest rate is fixed every half-year by an arrêté in the Journal officiel, late
 * June and late December. Add each new value when it is published; a value missing for a half-year
 * makes a contractual-rate computation refuse to run rather than use a stale floor. The ECB series
 * cannot detect staleness (its rate may legitimately stay unchanged for years): last checked
 * against the decision of 5 February 2026 (rates unchanged). Values before 2013-11 (ECB) and before
 * 2020 (legal rate) are left out on purpose; add them from the sources if older claims need them.
 */
export const DEFAULT_RATE_TABLE: RateTable = {
  ecbMainRefinancingRate: [
    { from: '2013-11-13', percent: 0.25 }, // ECB press release "Monetary policy decisions", 7 Nov 2013
    { from: '2014-06-11', percent: 0.15 }, // ECB press release, 5 Jun 2014
    { from: '2014-09-10', percent: 0.05 }, // ECB press release, 4 Sep 2014
    { from: '2016-03-16', percent: 0.0 }, // ECB press release, 10 Mar 2016
    { from: '2022-07-27', percent: 0.5 }, // ECB press release, 21 Jul 2022
    { from: '2022-09-14', percent: 1.25 }, // ECB press release, 8 Sep 2022
    { from: '2022-11-02', percent: 2.0 }, // ECB press release, 27 Oct 2022
    { from: '2022-12-21', percent: 2.5 }, // ECB press release, 15 Dec 2022
    { from: '2023-02-08', percent: 3.0 }, // ECB press release, 2 Feb 2023
    { from: '2023-03-22', percent: 3.5 }, // ECB press release, 16 Mar 2023
    { from: '2023-05-10', percent: 3.75 }, // ECB press release, 4 May 2023
    { from: '2023-06-21', percent: 4.0 }, // ECB press release, 15 Jun 2023
    { from: '2023-08-02', percent: 4.25 }, // ECB press release, 27 Jul 2023
    { from: '2023-09-20', percent: 4.5 }, // ECB press release, 14 Sep 2023
    { from: '2024-06-12', percent: 4.25 }, // ECB press release, 6 Jun 2024
    { from: '2024-09-18', percent: 3.65 }, // ECB press release, 12 Sep 2024 (MRO spread over the deposit rate narrowed)
    { from: '2024-10-23', percent: 3.4 }, // ECB press release, 17 Oct 2024
    { from: '2024-12-18', percent: 3.15 }, // ECB press release, 12 Dec 2024
    { from: '2025-02-05', percent: 2.9 }, // ECB press release, 30 Jan 2025
    { from: '2025-03-12', percent: 2.65 }, // ECB press release, 6 Mar 2025
    { from: '2025-04-23', percent: 2.4 }, // ECB press release, 17 Apr 2025
    { from: '2025-06-11', percent: 2.15 }, // ECB press release, 5 Jun 2025; unchanged through 5 Feb 2026
  ],
  legalInterestRateProfessional: [
    { from: '2020-01-01', percent: 0.87 }, // arrêté for 2020 S1 (JO, December 2019)
    { from: '2020-07-01', percent: 0.84 }, // arrêté for 2020 S2 (JO, June 2020)
    { from: '2021-01-01', percent: 0.79 }, // arrêté for 2021 S1 (JO, December 2020)
    { from: '2021-07-01', percent: 0.76 }, // arrêté for 2021 S2 (JO, June 2021)
    { from: '2022-01-01', percent: 0.76 }, // arrêté for 2022 S1 (JO, December 2021)
    { from: '2022-07-01', percent: 0.77 }, // arrêté for 2022 S2 (JO, June 2022)
    { from: '2023-01-01', percent: 2.06 }, // arrêté for 2023 S1 (JO, December 2022)
    { from: '2023-07-01', percent: 4.22 }, // arrêté of 27 Jun 2023 (JO 30 Jun 2023)
    { from: '2024-01-01', percent: 5.07 }, // arrêté for 2024 S1 (JO, December 2023)
    { from: '2024-07-01', percent: 4.92 }, // arrêté for 2024 S2 (JO, June 2024)
    { from: '2025-01-01', percent: 3.71 }, // arrêté of 17 Dec 2024
    { from: '2025-07-01', percent: 2.76 }, // arrêté of 19 Jun 2025 (JO 24 Jun 2025)
    { from: '2026-01-01', percent: 2.62 }, // arrêté of 15 Dec 2025 (JORF 26 Dec 2025)
    // 2026 S2 (from 2026-07-01): not added, value not verified. Add it from the arrêté of June 2026.
  ],
};

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

  constructor(terms: LateChargeTerms) {
    const rates = parseRateTable(terms.rates);
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
  const rules = new LateChargeRules({ debtorKind: 'business', rates, contractRatePercent });
  return fromRateUnits(rules.rateUnitsOn(dayNumberOf(day)));
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
