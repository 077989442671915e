/**
 * Monitoring an agreed installment plan (échéancier): which installments are paid, which are due
 * or late, when to remind the debtor, and when the plan fails (défaillance, déchéance du terme:
 * the whole balance becomes due at once). Pure: "today" is always an argument.
 *
 * Payments are matched to installments as a waterfall, oldest installment first, from the total
 * paid since the agreement. That one rule covers every way people pay: a partial payment leaves
 * the installment partly paid, an early one counts for the next installment due, a grouped one
 * covers several, and an over-payment is carried forward to the following installments.
 *
 * Decisions this module makes that the law leaves to us ([default], documented in README):
 * - no reminder for an installment whose reminder date falls on or before the agreement (the
 *   confirmation lists it), and none once its due date has passed (the missed notice takes over);
 * - while the plan is suspended (a dispute, a pause) nothing is reminded, missed or defaulted;
 *   when it resumes, the unpaid installments move later by the days it was suspended, and each is
 *   reminded again before its new date (an installment missed before the suspension stays missed).
 */
import { addDays, compareDates, daysBetween } from './dates';
import { formatCalendarDate } from './french-text';
import type { Payment } from './money';
import type { Policy } from './policies';
import type { CalendarDate } from './types';

export type PlanRules = Pick<
  Policy['installmentPlan'],
  'reminderDaysBefore' | 'graceDays' | 'defaultAfterMissedInstallments' | 'defaultAfterDaysUnpaid'
>;

export interface AgreedInstallment {
  dueDate: CalendarDate;
  amountCents: number;
}

export interface MonitoredInstallment extends AgreedInstallment {
  /** The day its reminder was asked for; null until then. */
  remindedOn: CalendarDate | null;
  /** The day it was found unpaid past its grace period; null while it is not. */
  missedOn: CalendarDate | null;
}

export const PLAN_OUTCOMES = ['completed', 'defaulted', 'cancelled', 'replaced', 'case_closed'] as const;
export type PlanOutcome = (typeof PLAN_OUTCOMES)[number];

export interface PlanState {
  caseId: string;
  /** 1 for the first plan of a case, 2 for the plan that replaced it, and so on. */
  planNumber: number;
  agreedOn: CalendarDate;
  rules: PlanRules;
  installments: MonitoredInstallment[];
  /** Payments made since the agreement, as the case forwards them (one per reference). */
  payments: Payment[];
  suspendedSince: CalendarDate | null;
  outcome: PlanOutcome | null;
  /** Why it defaulted, in French for the journal. */
  outcomeReason: string | null;
}

export type PlanEvent =
  | { kind: 'installment_reminder'; index: number; dueDate: CalendarDate; amountDueCents: number }
  | { kind: 'installment_missed'; index: number; dueDate: CalendarDate; amountDueCents: number }
  | { kind: 'defaulted'; reason: string }
  | { kind: 'completed' };

export type InstallmentStatus = 'paid' | 'partially_paid' | 'upcoming' | 'due' | 'late';

export interface InstallmentView extends AgreedInstallment {
  number: number;
  paidCents: number;
  status: InstallmentStatus;
}

export interface PlanProgress {
  installmentsPaid: number;
  installmentsTotal: number;
  remainingCents: number;
  /** The first installment not fully paid, with what is still due on it. */
  next: { number: number; dueDate: CalendarDate; amountDueCents: number } | null;
}

export function initialPlanState(input: {
  caseId: string;
  planNumber: number;
  agreedOn: CalendarDate;
  rules: PlanRules;
  installments: readonly AgreedInstallment[];
}): PlanState {
  return {
    caseId: input.caseId,
    planNumber: input.planNumber,
    agreedOn: input.agreedOn,
    rules: { ...input.rules },
    installments: input.installments.map((installment) => ({ ...installment, remindedOn: null, missedOn: null })),
    payments: [],
    suspendedSince: null,
    outcome: null,
    outcomeReason: null,
  };
}

/** What each installment has received, oldest first, from `paidTotalCents` since the agreement. */
export function matchPayments(installments: readonly AgreedInstallment[], paidTotalCents: number): number[] {
  let left = Math.max(0, paidTotalCents);
  return installments.map((installment) => {
    const paid = Math.min(installment.amountCents, left);
    left -= paid;
    return paid;
  });
}

const paidTotal = (plan: PlanState): number => plan.payments.reduce((sum, payment) => sum + payment.amountCents, 0);

export function installmentViews(
  installments: readonly AgreedInstallment[],
  paidTotalCents: number,
  today: CalendarDate,
  graceDays: number,
): InstallmentView[] {
  const paid = matchPayments(installments, paidTotalCents);
  return installments.map((installment, index) => {
    const paidCents = paid[index]!;
    const lateFrom = addDays(installment.dueDate, graceDays + 1);
    let status: InstallmentStatus;
    if (paidCents >= installment.amountCents) status = 'paid';
    else if (compareDates(today, lateFrom) >= 0) status = 'late';
    else if (compareDates(today, installment.dueDate) >= 0) status = 'due';
    else status = paidCents > 0 ? 'partially_paid' : 'upcoming';
    return { number: index + 1, dueDate: installment.dueDate, amountCents: installment.amountCents, paidCents, status };
  });
}

export function planProgress(installments: readonly AgreedInstallment[], paidTotalCents: number): PlanProgress {
  const paid = matchPayments(installments, paidTotalCents);
  const total = installments.reduce((sum, installment) => sum + installment.amountCents, 0);
  const nextIndex = installments.findIndex((installment, index) => paid[index]! < installment.amountCents);
  const next = installments[nextIndex];
  return {
    installmentsPaid: installments.filter((installment, index) => paid[index]! >= installment.amountCents).length,
    installmentsTotal: installments.length,
    remainingCents: Math.max(0, total - Math.max(0, paidTotalCents)),
    next: next
      ? { number: nextIndex + 1, dueDate: next.dueDate, amountDueCents: next.amountCents - paid[nextIndex]! }
      : null,
  };
}

/** False when the payment was already counted (same reference): payments are forwarded at least once. */
export function recordPlanPayment(plan: PlanState, payment: Payment): boolean {
  if (plan.payments.some((known) => known.reference === payment.reference)) return false;
  plan.payments.push({ ...payment });
  return true;
}

const reminderDateOf = (plan: PlanState, installment: AgreedInstallment): CalendarDate =>
  addDays(installment.dueDate, -plan.rules.reminderDaysBefore);

/** What today brings: reminders, missed installments, then the plan's completion or default. */
export function advancePlan(plan: PlanState, today: CalendarDate): PlanEvent[] {
  if (plan.outcome !== null || plan.suspendedSince !== null) return [];
  const paid = matchPayments(plan.installments, paidTotal(plan));
  if (plan.installments.every((installment, index) => paid[index]! >= installment.amountCents)) {
    plan.outcome = 'completed';
    return [{ kind: 'completed' }];
  }
  const events: PlanEvent[] = [];
  const { rules } = plan;
  plan.installments.forEach((installment, index) => {
    const amountDueCents = installment.amountCents - paid[index]!;
    if (amountDueCents <= 0) return;
    const reminderOn = reminderDateOf(plan, installment);
    if (
      installment.remindedOn === null &&
      compareDates(reminderOn, plan.agreedOn) > 0 &&
      compareDates(today, reminderOn) >= 0 &&
      compareDates(today, installment.dueDate) <= 0
    ) {
      installment.remindedOn = today;
      events.push({ kind: 'installment_reminder', index, dueDate: installment.dueDate, amountDueCents });
    }
    if (installment.missedOn === null && daysBetween(installment.dueDate, today) > rules.graceDays) {
      installment.missedOn = today;
      events.push({ kind: 'installment_missed', index, dueDate: installment.dueDate, amountDueCents });
    }
  });

  const unpaidMissed = plan.installments.filter(
    (installment, index) => installment.missedOn !== null && paid[index]! < installment.amountCents,
  );
  const longUnpaid = plan.installments.find(
    (installment, index) =>
      paid[index]! < installment.amountCents && daysBetween(installment.dueDate, today) > rules.defaultAfterDaysUnpaid,
  );
  let reason: string | null = null;
  if (unpaidMissed.length >= rules.defaultAfterMissedInstallments) {
    reason = `${unpaidMissed.length} échéance(s) impayée(s) après le délai de grâce`;
  } else if (longUnpaid) {
    reason = `échéance du ${formatCalendarDate(longUnpaid.dueDate)} impayée depuis plus de ${rules.defaultAfterDaysUnpaid} jours`;
  }
  if (reason !== null) {
    plan.outcome = 'defaulted';
    plan.outcomeReason = reason;
    events.push({ kind: 'defaulted', reason });
  }
  return events;
}

/** The next day `advancePlan` may have something to say, or null when only a signal can change things. */
export function nextPlanCheckOn(plan: PlanState, today: CalendarDate): CalendarDate | null {
  if (plan.outcome !== null || plan.suspendedSince !== null) return null;
  const paid = matchPayments(plan.installments, paidTotal(plan));
  const candidates: CalendarDate[] = [];
  plan.installments.forEach((installment, index) => {
    if (paid[index]! >= installment.amountCents) return;
    const reminderOn = reminderDateOf(plan, installment);
    if (installment.remindedOn === null && compareDates(reminderOn, plan.agreedOn) > 0) {
      if (compareDates(installment.dueDate, today) >= 0) candidates.push(reminderOn);
    }
    if (installment.missedOn === null) candidates.push(addDays(installment.dueDate, plan.rules.graceDays + 1));
    candidates.push(addDays(installment.dueDate, plan.rules.defaultAfterDaysUnpaid + 1));
  });
  const future = candidates.filter((date) => compareDates(date, today) > 0).sort(compareDates);
  // A date already reached is acted on now; `advancePlan` has run for today, so the next is later.
  return future[0] ?? null;
}

export function suspendPlan(plan: PlanState, today: CalendarDate): boolean {
  if (plan.outcome !== null || plan.suspendedSince !== null) return false;
  plan.suspendedSince = today;
  return true;
}

/** The unpaid installments move later by the days the plan was suspended. */
export function resumePlan(plan: PlanState, today: CalendarDate): number {
  if (plan.outcome !== null || plan.suspendedSince === null) return 0;
  const days = Math.max(0, daysBetween(plan.suspendedSince, today));
  plan.suspendedSince = null;
  if (days === 0) return 0;
  const paid = matchPayments(plan.installments, paidTotal(plan));
  plan.installments.forEach((installment, index) => {
    if (paid[index]! >= installment.amountCents) return;
    installment.dueDate = addDays(installment.dueDate, days);
    // A new date deserves its own reminder; one missed before the suspension stays missed.
    installment.remindedOn = null;
    if (installment.missedOn !== null && daysBetween(installment.dueDate, today) <= plan.rules.graceDays) {
      installment.missedOn = null;
    }
  });
  return days;
}

/** The plan stops for a reason other than its own course (replaced, cancelled, the case closed). */
export function endPlan(plan: PlanState, outcome: Exclude<PlanOutcome, 'completed' | 'defaulted'>): boolean {
  if (plan.outcome !== null) return false;
  // The payment that closed the case may arrive together with the news that it closed.
  const fullyPaid = planProgress(plan.installments, paidTotal(plan)).remainingCents === 0;
  plan.outcome = fullyPaid ? 'completed' : outcome;
  plan.suspendedSince = null;
  return true;
}
