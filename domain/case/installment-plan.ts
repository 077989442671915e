/**
 * The case's side of an installment plan: what it does with what the plan's workflow reports
 * (an installment to remind, one missed, the plan in default), what it tells the plan's workflow
 * (payments, suspend while disputed or paused, resume, end), a manager cancelling the plan, and
 * the plan as the Case shows it. The plan's own course is in domain/installments.ts.
 */
import { parisInstant } from '../dates';
import {
  installmentViews,
  matchPayments,
  planProgress,
  type InstallmentView,
  type PlanProgress,
  type PlanEvent,
} from '../installments';
import type { Tone } from '../types';
import {
  actorOf,
  note,
  queuePlanMessage,
  refuse,
  requireStatus,
  resumeSequence,
  unprocessable,
  type Actor,
} from './actions';
import type { CaseEffect, PlanSignal } from './effects';
import { channelName, formatCalendarDate, formatEuros, stageName } from '../french-text';
import { followsRules, RULES_VERSIONS } from './rules-version';
import { endCurrentPlan, isTerminal, paidCents, planIsLive, planPaidCents, policyOf, todayOf } from './state';
import type { CaseState, IsoInstant, PendingContact, PlanContact, SealedText } from './types';

export type PlanEventForCase = Exclude<PlanEvent, { kind: 'completed' }> & { planNumber: number };

const frenchDate = formatCalendarDate;

/** What the plan's workflow reports; a report about a plan that was replaced or ended is ignored. */
export function applyPlanEvent(state: CaseState, event: PlanEventForCase, now: IsoInstant): CaseEffect[] {
  const plan = state.plan;
  if (!plan || plan.number !== event.planNumber || !planIsLive(state)) return [];
  if (event.kind === 'defaulted') {
    endCurrentPlan(state, 'defaulted');
    // Déchéance du terme: the whole balance is due, and the case goes straight to formal notice.
    const steps = policyOf(state).steps;
    state.nextStepIndex = Math.max(
      state.nextStepIndex,
      steps.findIndex((step) => step.stage === 'formal_notice'),
    );
    state.nextStepOn = todayOf(now);
    if (state.status === 'installment_plan') state.status = 'active';
    return [
      note(state, now, 'Échéancier défaillant', {
        type: 'installment_plan_defaulted',
        channel: 'system',
        summary: `Échéancier défaillant (${event.reason}) : déchéance du terme, la totalité du solde est exigible ; reprise à la mise en demeure`,
        actor: { role: 'system' },
      }),
      {
        kind: 'alert',
        alert: 'installment_plan_defaulted',
        message: `Échéancier n°${event.planNumber} défaillant : ${event.reason}`,
      },
    ];
  }
  const effects: CaseEffect[] = [];
  if (event.kind === 'installment_missed') {
    effects.push(
      note(state, now, 'Échéance impayée', {
        type: 'installment_missed',
        channel: 'system',
        summary: `Échéance n°${event.index + 1} du ${frenchDate(event.dueDate)} impayée (${formatEuros(event.amountDueCents)} restant dus)`,
        actor: { role: 'system' },
      }),
    );
  }
  queuePlanMessage(
    state,
    {
      kind: event.kind,
      planNumber: event.planNumber,
      index: event.index,
      dueDate: event.dueDate,
      amountDueCents: event.amountDueCents,
    },
    now,
  );
  return effects;
}

/**
 * What is still due on the installment a plan's message is about, from the payments recorded on
 * the case now (matched oldest installment first, as the plan's workflow matches them); undefined
 * for a message about no installment of the current plan (the confirmation).
 */
export function installmentStillDueCents(state: CaseState, contact: PlanContact): number | undefined {
  const plan = state.plan;
  if (!plan || contact.index === undefined || (plan.number ?? null) !== contact.planNumber) return undefined;
  const installment = plan.installments[contact.index];
  if (!installment) return undefined;
  const paid = matchPayments(plan.installments, planPaidCents(state))[contact.index] ?? 0;
  return Math.max(0, installment.amountCents - paid);
}

/**
 * What a message about one installment states as the sum it demands: that installment's amount
 * still due, not the case's principal, interest and indemnity (the plan is what the debtor agreed
 * to pay; the schedule lists the rest). Undefined for a message about no installment.
 */
export function installmentMessageAmounts(state: CaseState, contact: PlanContact) {
  const stillDue = installmentStillDueCents(state, contact);
  if (stillDue === undefined) return undefined;
  return {
    principalCents: stillDue,
    interestCents: 0,
    accessoriesCents: 0,
    paidCents: paidCents(state),
    totalCents: stillDue,
    currency: state.input.currency,
  };
}

/**
 * A plan's message is decided again when its slot comes, however long it waited (the contact cap,
 * the hours, a pause): it states what is due then, not when the plan's workflow asked for it, and a
 * reminder or missed notice about an installment paid meanwhile is dropped, journaled, never sent
 * (R4: nothing untrue). Undefined when the message still goes; the effects of dropping it otherwise.
 * Cases on the original rules sent it anyway, and replay so.
 */
export function redecidePlanContact(state: CaseState, contact: PendingContact): CaseEffect[] | undefined {
  const about = contact.plan;
  if (!about) return undefined;
  const stillDue = installmentStillDueCents(state, about);
  if (stillDue === undefined) return undefined;
  if (stillDue > 0) {
    about.amountDueCents = stillDue;
    return undefined;
  }
  if (!followsRules(state, RULES_VERSIONS.complianceReview)) return undefined;
  state.pending = state.pending.filter((other) => other !== contact);
  const what = `${stageName(about.kind)} n°${about.index! + 1}${about.dueDate ? ` du ${frenchDate(about.dueDate)}` : ''}`;
  return [
    {
      kind: 'journal',
      note: {
        type: 'message_dropped',
        channel: contact.channel,
        stage: contact.stage,
        summary: `${what.charAt(0).toUpperCase()}${what.slice(1)} (${channelName(contact.channel)}) non envoyé : l’échéance a été réglée entre-temps`,
        actor: { role: 'system' },
      },
    },
  ];
}

export interface CancelPlanInput {
  reason: SealedText;
}

export function validateCancelPlan(state: CaseState, input: CancelPlanInput): void {
  requireStatus(state, ['installment_plan'], 'cancel the installment plan');
  if (!state.plan) refuse('the case has no installment plan');
  if (typeof input.reason !== 'string' || !input.reason) unprocessable('reason', 'is required');
}

/** A manager ends the plan: the reminder sequence resumes where it stood. */
export function applyCancelPlan(state: CaseState, input: CancelPlanInput, now: IsoInstant, actor: Actor): CaseEffect[] {
  endCurrentPlan(state, 'cancelled');
  state.status = 'active';
  resumeSequence(state, now);
  return [
    note(state, now, 'Échéancier annulé', {
      type: 'installment_plan_cancelled',
      channel: 'api',
      summary: 'Échéancier annulé par un responsable : reprise des relances',
      actor: actorOf(actor),
      sealedText: input.reason,
    }),
  ];
}

/**
 * What the plan's workflow has not been told yet, from the case as it is now: the payments since
 * the last time, then its mode — running while the case is in plan, suspended while it is
 * disputed or paused, ended when the plan or the case is over.
 */
export function planSignalsDue(state: CaseState): CaseEffect[] {
  const plan = state.plan;
  if (!plan?.workflowId || plan.toldMode === 'ended') return [];
  const signals: PlanSignal[] = [];
  const forwarded = plan.forwardedPayments ?? 0;
  for (const payment of state.payments.slice(forwarded)) signals.push({ kind: 'payment', payment: { ...payment } });
  plan.forwardedPayments = state.payments.length;

  const mode =
    (plan.outcome ?? null) !== null || isTerminal(state.status)
      ? 'ended'
      : state.status === 'installment_plan'
        ? 'running'
        : 'suspended';
  if (mode !== plan.toldMode) {
    const outcome = plan.outcome === 'cancelled' || plan.outcome === 'replaced' ? plan.outcome : 'case_closed';
    // A plan that defaulted, or that the payments just forwarded complete, ends by itself: it is
    // not signalled after its end (the signal could only fail).
    const endsByItself =
      plan.outcome === 'defaulted' || planProgress(plan.installments, planPaidCents(state)).remainingCents === 0;
    if (mode !== 'ended' || !endsByItself) {
      signals.push({
        kind: 'control',
        control: mode === 'ended' ? { action: 'end', outcome } : { action: mode === 'running' ? 'resume' : 'suspend' },
      });
    }
    plan.toldMode = mode;
  }
  return signals.map((signal) => ({ kind: 'signal_installment_plan', workflowId: plan.workflowId!, signal }));
}

/** The wording of a plan's message, by kind: the template names of activities/case-activities.ts. */
export function planMessageStyle(contact: PlanContact): { tone: Tone; template: string } {
  return {
    tone: contact.kind === 'installment_missed' ? 'firm' : 'courteous',
    template: `installment_plan.${contact.kind}`,
  };
}

export interface PlanSnapshot {
  number: number | null;
  workflowId: string | null;
  outcome: string | null;
  installments: InstallmentView[];
  progress: PlanProgress;
}

export function planSnapshot(state: CaseState, now: IsoInstant): PlanSnapshot | null {
  const plan = state.plan;
  if (!plan) return null;
  const paid = planPaidCents(state);
  return {
    number: plan.number ?? null,
    workflowId: plan.workflowId ?? null,
    outcome: plan.outcome ?? null,
    installments: installmentViews(plan.installments, paid, todayOf(now), policyOf(state).installmentPlan.graceDays),
    progress: planProgress(plan.installments, paid),
  };
}

/** While a plan runs, what the case waits for next is the next installment. */
export function nextInstallmentAction(state: CaseState): { type: string; at: IsoInstant } | null {
  if (state.status !== 'installment_plan' || !state.plan) return null;
  const { next } = planProgress(state.plan.installments, planPaidCents(state));
  return next ? { type: 'installment_due', at: parisInstant(next.dueDate).toISOString() } : null;
}
