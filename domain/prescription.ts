/**
 * Limitation periods (domain rule R1). A time-barred claim may no longer be enforced in court, so we
 * must never threaten court action on it: this module says, per invoice and for the whole claim,
 * the last day on which the claim can still be enforced.
 *
 * Counting is "de date à date" (Code civil 2228, 2229): the day the period starts is not counted and
 * the period is acquired once its last day is over. A period of N years starting on day D therefore
 * has `addYears(D, N)` as its last enforceable day, and the claim is barred from the day after.
 *
 * Pure: no clock, no I/O. `today` is always an argument so workflow code stays deterministic.
 */
import { addDays, addMonths, addYears, compareDates, daysBetween, isCalendarDate, minDate } from './dates';
import { DEBTOR_KINDS, type CalendarDate, type Claim, type ClaimType, type DebtorKind, type Invoice } from './types';

export interface PrescriptionPeriod {
  years: number;
  article: string;
}

export const PRESCRIPTION_PERIODS: Readonly<Record<ClaimType, PrescriptionPeriod>> = {
  consumer_goods_services: { years: 2, article: 'Code de la consommation L218-2' },
  commercial: { years: 5, article: 'Code de commerce L110-4' },
  civil: { years: 5, article: 'Code civil 2224' },
  residential_rent: { years: 3, article: 'loi du 6 juillet 1989, art. 7-1' },
};

/** Code civil 2232: no postponement, suspension or interruption carries a claim past this. */
export const LONG_STOP_YEARS = 20;

/** Code civil 2238: a suspension for mediation or conciliation never resumes with less than this left. */
export const MIN_MONTHS_AFTER_SUSPENSION = 6;

/** [default] R1: someone is alerted this long before a claim becomes time-barred. */
export const DEFAULT_ALERT_DAYS = 90;

export function claimTypeFor(debtorKind: DebtorKind, explicit?: ClaimType): ClaimType {
  if (explicit !== undefined) return explicit;
  if (!DEBTOR_KINDS.includes(debtorKind)) throw new RangeError(`unknown debtor kind: ${String(debtorKind)}`);
  return debtorKind === 'consumer' ? 'consumer_goods_services' : 'commercial';
}

// ---------------------------------------------------------------------------------------------------
// Events

export const ACKNOWLEDGEMENT_FORMS = [
  'partial_payment',
  'installment_plan',
  'written_request_for_time',
  'written_acknowledgement',
] as const;
export type AcknowledgementForm = (typeof ACKNOWLEDGEMENT_FORMS)[number];

/**
 * Which invoice an event concerns. Absent: the whole claim, hence every invoice. An acknowledgement
 * of the whole debt (an installment plan, a written acknowledgement) interrupts every invoice; a
 * partial payment allocated to one invoice acknowledges only that one, so callers must pass its
 * number. An event naming an invoice that is not in the claim affects nothing, which errs towards
 * barring earlier (the safe side: a wrongly early bar only sends the case to review).
 */
interface InvoiceScope {
  invoiceNumber?: string;
}

/** Code civil 2240: the debtor acknowledges the debt; a new full period starts that day (2231). */
export interface AcknowledgementEvent extends InvoiceScope {
  type: 'acknowledgement';
  date: CalendarDate;
  form: AcknowledgementForm;
}

/** Code civil 2241: a claim in court, even in summary proceedings. */
export interface CourtActionEvent extends InvoiceScope {
  type: 'court_action';
  date: CalendarDate;
}

/** Code civil 2244: a conservatory measure or an enforcement act. */
export interface EnforcementMeasureEvent extends InvoiceScope {
  type: 'enforcement_measure';
  date: CalendarDate;
}

/** Code civil 2238: mediation or conciliation agreed in writing. No `to` while it still runs. */
export interface SuspensionEvent extends InvoiceScope {
  type: 'suspension';
  from: CalendarDate;
  to?: CalendarDate;
}

/**
 * A mise en demeure. Recorded so callers can pass the whole case history, but it neither interrupts
 * nor suspends: Code civil 2240 to 2244 list what interrupts, and a formal notice is not among them.
 */
export interface FormalNoticeEvent extends InvoiceScope {
  type: 'formal_notice';
  date: CalendarDate;
}

export type PrescriptionEvent =
  AcknowledgementEvent | CourtActionEvent | EnforcementMeasureEvent | SuspensionEvent | FormalNoticeEvent;

// ---------------------------------------------------------------------------------------------------
// Results

export interface InvoicePrescription {
  invoiceNumber: string;
  /** The day the period first started running (not counted, Code civil 2228). */
  startDate: CalendarDate;
  /** Still enforceable on this day; barred from the next. Null while an open-ended suspension runs. */
  lastEnforceableDay: CalendarDate | null;
  /** The Code civil 2232 long stop, or null once a court action or enforcement measure lifted it. */
  longStopDay: CalendarDate | null;
  prescribed: boolean;
  alertDue: boolean;
  /** Articles and the events that shaped the date, for the journal. */
  basis: string;
}

export interface ClaimPrescription {
  claimType: ClaimType;
  period: PrescriptionPeriod;
  invoices: InvoicePrescription[];
  /** The API's `prescription.date`: the next bar among live invoices, or the first bar when all are barred. */
  date: CalendarDate | null;
  /**
   * True as soon as ANY invoice is barred. Deliberately conservative: messages and handoff decide on
   * the claim as a whole, and a threat of court action covering a time-barred part is exactly what
   * the DGCCRF sanctions, so a partly barred claim is handled as barred and goes to review.
   */
  prescribed: boolean;
  allPrescribed: boolean;
  /** From this day on, someone must be alerted (a workflow can set a timer for it); null if nothing to alert. */
  alertFrom: CalendarDate | null;
  alertDue: boolean;
}

export interface PrescriptionOptions {
  alertDays?: number;
}

// ---------------------------------------------------------------------------------------------------
// Per invoice

/**
 * Each invoice (each installment) runs on its own from its due date; when the performance date is
 * known and earlier, from that date ([default] R1: the earlier start bars earlier, the safe side).
 */
export function prescriptionStartDate(invoice: Invoice): CalendarDate {
  const { performanceDate, dueDate } = invoice;
  return performanceDate === undefined ? dueDate : minDate(performanceDate, dueDate);
}

/**
 * Code civil 2232 counts from "the day the right arose". We only know the invoice's dates, and the
 * right to be paid arose no later than any of them, so the earliest is taken: it can only bar
 * earlier, never later, than the legal date.
 */
export function rightAroseOn(invoice: Invoice): CalendarDate {
  return minDate(invoice.issueDate, prescriptionStartDate(invoice));
}

export function alertDate(lastEnforceableDay: CalendarDate, alertDays = DEFAULT_ALERT_DAYS): CalendarDate {
  assertAlertDays(alertDays);
  return addDays(lastEnforceableDay, -alertDays);
}

export function invoicePrescription(
  invoice: Invoice,
  claimType: ClaimType,
  events: readonly PrescriptionEvent[],
  today: CalendarDate,
  { alertDays = DEFAULT_ALERT_DAYS }: PrescriptionOptions = {},
): InvoicePrescription {
  assertAlertDays(alertDays);
  const period = PRESCRIPTION_PERIODS[claimType];
  if (period === undefined) throw new RangeError(`unknown claim type: ${String(claimType)}`);
  if (!isCalendarDate(today)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${today}`);

  const startDate = prescriptionStartDate(invoice);
  const longStop = addYears(rightAroseOn(invoice), LONG_STOP_YEARS);
  const run = replay(startDate, period.years, longStop, stepsFor(invoice.number, events, today));
  const lastEnforceableDay = effectiveLastDay(run, longStop);
  const prescribed = lastEnforceableDay !== null && compareDates(today, lastEnforceableDay) > 0;
  const alertDue =
    !prescribed && lastEnforceableDay !== null && compareDates(today, alertDate(lastEnforceableDay, alertDays)) >= 0;

  return {
    invoiceNumber: invoice.number,
    startDate,
    lastEnforceableDay,
    longStopDay: run.longStopLifted ? null : longStop,
    prescribed,
    alertDue,
    basis: explainBasis(invoice, period, run, longStop, lastEnforceableDay),
  };
}

// ---------------------------------------------------------------------------------------------------
// Whole claim

export function claimPrescription(
  claim: Claim,
  debtorKind: DebtorKind,
  events: readonly PrescriptionEvent[],
  today: CalendarDate,
  { alertDays = DEFAULT_ALERT_DAYS }: PrescriptionOptions = {},
): ClaimPrescription {
  const claimType = claimTypeFor(debtorKind, claim.type);
  const invoices = claim.invoices.map((invoice) =>
    invoicePrescription(invoice, claimType, events, today, { alertDays }),
  );
  const prescribed = invoices.some((invoice) => invoice.prescribed);
  const allPrescribed = invoices.length > 0 && invoices.every((invoice) => invoice.prescribed);
  const date = headlineDate(invoices, allPrescribed);
  const alertFrom = date !== null && !prescribed ? alertDate(date, alertDays) : null;

  return {
    claimType,
    period: PRESCRIPTION_PERIODS[claimType],
    invoices,
    date,
    prescribed,
    allPrescribed,
    alertFrom,
    alertDue: alertFrom !== null && compareDates(today, alertFrom) >= 0,
  };
}

function headlineDate(invoices: readonly InvoicePrescription[], allPrescribed: boolean): CalendarDate | null {
  const considered = allPrescribed ? invoices : invoices.filter((invoice) => !invoice.prescribed);
  const days = considered.flatMap((invoice) =>
    invoice.lastEnforceableDay === null ? [] : [invoice.lastEnforceableDay],
  );
  return days.length === 0 ? null : minDate(...days);
}

function assertAlertDays(alertDays: number): void {
  if (!Number.isSafeInteger(alertDays) || alertDays < 0) {
    throw new RangeError(`alertDays must be a non-negative integer: ${alertDays}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Replaying the events of one invoice

/** A suspension is split into its start and its end so that interruptions can fall in between. */
type Step =
  | { kind: 'suspension_start'; date: CalendarDate }
  | { kind: 'interruption'; date: CalendarDate; liftsLongStop: boolean; label: string }
  | { kind: 'suspension_end'; date: CalendarDate; from: CalendarDate };

/** On the same day: a new suspension starts before another ends, so back-to-back ones never resume. */
const STEP_ORDER: Record<Step['kind'], number> = { suspension_start: 0, interruption: 1, suspension_end: 2 };

interface Run {
  /** The last enforceable day as things stand; while suspended, as if the period resumed on `suspendedSince`. */
  lastDay: CalendarDate;
  suspendedSince: CalendarDate | null;
  /** Overlapping mediations: the period runs again only when the last one ends. */
  runningSuspensions: number;
  longStopLifted: boolean;
  history: string[];
}

function stepsFor(invoiceNumber: string, events: readonly PrescriptionEvent[], today: CalendarDate): Step[] {
  return events
    .filter((event) => event.invoiceNumber === undefined || event.invoiceNumber === invoiceNumber)
    .filter((event) => compareDates(happenedOn(event), today) <= 0)
    .flatMap((event) => toSteps(event))
    .sort((a, b) => compareDates(a.date, b.date) || STEP_ORDER[a.kind] - STEP_ORDER[b.kind]);
}

/** Events after `today` have not happened yet; a suspension has happened once it started. */
function happenedOn(event: PrescriptionEvent): CalendarDate {
  return event.type === 'suspension' ? event.from : event.date;
}

function toSteps(event: PrescriptionEvent): Step[] {
  switch (event.type) {
    case 'acknowledgement':
      return [interruption(event.date, false, `acknowledgement (${event.form.replace(/_/g, ' ')}), Code civil 2240`)];
    case 'court_action':
      return [interruption(event.date, true, 'court action, Code civil 2241')];
    case 'enforcement_measure':
      return [interruption(event.date, true, 'enforcement measure, Code civil 2244')];
    case 'suspension':
      return suspensionSteps(event);
    case 'formal_notice':
      return [];
  }
}

function interruption(date: CalendarDate, liftsLongStop: boolean, label: string): Step {
  return { kind: 'interruption', date, liftsLongStop, label };
}

/**
 * A known end date is used even when it is after `today`: it was agreed, and the result then does
 * not change merely because time passes, which keeps "once barred, stays barred" true.
 */
function suspensionSteps({ from, to }: SuspensionEvent): Step[] {
  const start: Step = { kind: 'suspension_start', date: from };
  if (to === undefined) return [start];
  if (compareDates(to, from) < 0) throw new RangeError(`suspension ends (${to}) before it starts (${from})`);
  return [start, { kind: 'suspension_end', date: to, from }];
}

function replay(startDate: CalendarDate, years: number, longStop: CalendarDate, steps: readonly Step[]): Run {
  const run: Run = {
    lastDay: addYears(startDate, years),
    suspendedSince: null,
    runningSuspensions: 0,
    longStopLifted: false,
    history: [],
  };
  for (const step of steps) {
    const lastDay = effectiveLastDay(run, longStop);
    // Once the last day is over the claim is extinguished: nothing is left to interrupt or suspend.
    if (lastDay !== null && compareDates(step.date, lastDay) > 0) {
      noteIgnoredAfterBar(run, step);
      break;
    }
    applyStep(run, step, startDate, years);
  }
  return run;
}

function applyStep(run: Run, step: Step, startDate: CalendarDate, years: number): void {
  switch (step.kind) {
    case 'suspension_start':
      return startSuspension(run, step.date, startDate);
    case 'interruption':
      return interrupt(run, step, years);
    case 'suspension_end':
      return endSuspension(run, step.date, step.from);
  }
}

/** A mediation agreed before the period started only holds it from the day it would have started. */
function startSuspension(run: Run, from: CalendarDate, startDate: CalendarDate): void {
  if (run.runningSuspensions === 0) run.suspendedSince = compareDates(from, startDate) < 0 ? startDate : from;
  run.runningSuspensions += 1;
}

/**
 * Code civil 2231: the interruption erases the time run and a new full period starts that day. We
 * keep the later of that new period and the running one. The new one is later in every real case
 * (the interruption came after the period started); the guard covers an acknowledgement made before
 * the due date, when nothing was running yet, and the one-day disagreement between day-counted
 * suspensions and date-to-date years around 29 February. An interruption benefits the creditor: it
 * never brings the bar forward.
 */
function interrupt(run: Run, step: Extract<Step, { kind: 'interruption' }>, years: number): void {
  const freshPeriodEnd = addYears(step.date, years);
  if (run.suspendedSince !== null) {
    // The mediation still runs, so the new period is held too: re-base the frozen date on this day.
    const elapsed = Math.max(0, daysBetween(run.suspendedSince, step.date));
    run.lastDay = laterOf(addDays(run.lastDay, elapsed), freshPeriodEnd);
    run.suspendedSince = laterOf(run.suspendedSince, step.date);
  } else {
    run.lastDay = laterOf(run.lastDay, freshPeriodEnd);
  }
  // Code civil 2232 al. 2: the long stop does not apply after a court action or an enforcement measure.
  if (step.liftsLongStop) run.longStopLifted = true;
  run.history.push(`interrupted on ${step.date} by ${step.label} (new full period, Code civil 2231)`);
}

/** Code civil 2238 al. 1: the time left resumes, but never less than six months of it. */
function endSuspension(run: Run, to: CalendarDate, from: CalendarDate): void {
  run.runningSuspensions -= 1;
  if (run.runningSuspensions > 0 || run.suspendedSince === null) return;
  const suspendedDays = Math.max(0, daysBetween(run.suspendedSince, to));
  run.lastDay = laterOf(addDays(run.lastDay, suspendedDays), addMonths(to, MIN_MONTHS_AFTER_SUSPENSION));
  run.suspendedSince = null;
  run.history.push(
    `suspended from ${from} to ${to} by mediation or conciliation (Code civil 2238: ${suspendedDays} days added, ` +
      `at least ${MIN_MONTHS_AFTER_SUSPENSION} months left after it)`,
  );
}

function noteIgnoredAfterBar(run: Run, step: Step): void {
  if (step.kind !== 'interruption') return;
  // A debtor may waive an acquired bar (Code civil 2250, 2251), but only unequivocally: a person judges that.
  run.history.push(`${step.label} on ${step.date} came after the bar: it revives nothing (see Code civil 2250-2251)`);
}

function effectiveLastDay(run: Run, longStop: CalendarDate): CalendarDate | null {
  const runningLastDay = run.runningSuspensions > 0 ? null : run.lastDay;
  if (run.longStopLifted) return runningLastDay;
  return runningLastDay === null ? longStop : minDate(runningLastDay, longStop);
}

function laterOf(a: CalendarDate, b: CalendarDate): CalendarDate {
  return compareDates(a, b) >= 0 ? a : b;
}

function explainBasis(
  invoice: Invoice,
  period: PrescriptionPeriod,
  run: Run,
  longStop: CalendarDate,
  lastEnforceableDay: CalendarDate | null,
): string {
  const startDate = prescriptionStartDate(invoice);
  const startsFrom = startDate === invoice.dueDate ? 'due date' : 'performance date, before the due date';
  const parts = [
    `invoice ${invoice.number}: ${period.article}, ${period.years} years from ${startDate} (${startsFrom})`,
    ...run.history,
  ];
  if (run.runningSuspensions > 0) parts.push(`suspended since ${run.suspendedSince} by a mediation still running`);
  if (!run.longStopLifted && lastEnforceableDay === longStop && run.lastDay !== longStop) {
    parts.push(`capped at 20 years from ${rightAroseOn(invoice)} (Code civil 2232)`);
  }
  parts.push(
    lastEnforceableDay === null
      ? 'no last enforceable day while the mediation runs'
      : `last enforceable day ${lastEnforceableDay}`,
  );
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------------
// What a running case does with it (R1: per invoice)

/** The invoices barred on the day `prescription` was computed for: they leave automated collection. */
export function barredInvoiceNumbers(prescription: ClaimPrescription): string[] {
  return prescription.invoices.filter((invoice) => invoice.prescribed).map((invoice) => invoice.invoiceNumber);
}

/**
 * Whether every named invoice can still be enforced in court on `day` (R1, R5: a mise en demeure
 * names court action only if this holds at its deadline). A running mediation without a long stop
 * (no last day) keeps the invoice enforceable; an invoice the claim does not have is not enforceable
 * (the safe side: it sends the case to review).
 */
export function enforceableOn(
  prescription: ClaimPrescription,
  invoiceNumbers: readonly string[],
  day: CalendarDate,
): boolean {
  if (!isCalendarDate(day)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${day}`);
  return invoiceNumbers.every((number) => {
    const invoice = prescription.invoices.find((candidate) => candidate.invoiceNumber === number);
    if (!invoice) return false;
    return invoice.lastEnforceableDay === null || compareDates(day, invoice.lastEnforceableDay) <= 0;
  });
}

/** The next day an invoice still enforceable becomes barred (the day after its last day), if any. */
export function nextBarDay(prescription: ClaimPrescription): CalendarDate | null {
  const days = prescription.invoices.flatMap((invoice) =>
    !invoice.prescribed && invoice.lastEnforceableDay !== null ? [invoice.lastEnforceableDay] : [],
  );
  return days.length === 0 ? null : addDays(minDate(...days), 1);
}
