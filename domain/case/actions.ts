/**
 * What people do to a case through the API: record a payment, a promise, a reply, a call outcome,
 * a dispute and its resolution, an installment plan, pause, resume, cancel.
 *
 * Each action has a `validate…` that only reads the state and throws a CaseRuleViolation when the
 * action is not allowed now (the workflow runs it as the Update's validator, so a refused action
 * never reaches the history), and an `apply…` that changes the state and returns the effects.
 */
import { addDays, compareDates, daysBetween, isCalendarDate } from '../dates';
import { channelName, formatCalendarDate, formatEuros, formatParisDate, formatParisDateTime } from '../french-text';
import type { CaseEffect, JournalNote } from './effects';
import { isReachable } from './reachability';
import { RULES_VERSIONS, followsRules } from './rules-version';
import {
  amountsDue,
  balanceCents,
  endCurrentPlan,
  isTerminal,
  nextSequence,
  paidCents,
  planWorkflowIdOf,
  policyOf,
  principalCents,
  todayOf,
} from './state';
import {
  CALL_OUTCOMES,
  DISPUTE_OUTCOMES,
  INBOUND_CHANNELS,
  type CallOutcome,
  type CaseState,
  type DisputeOutcome,
  type InboundChannel,
  type IsoInstant,
  type OpenStatus,
  type PlanContact,
  type SealedText,
} from './types';
import type { CalendarDate } from '../types';

export type ViolationCode = 'invalid_transition' | 'unprocessable';

export class CaseRuleViolation extends Error {
  constructor(
    readonly code: ViolationCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CaseRuleViolation';
  }
}

export const refuse = (message: string): never => {
  throw new CaseRuleViolation('invalid_transition', message);
};
export const unprocessable = (field: string, message: string): never => {
  throw new CaseRuleViolation('unprocessable', `${field}: ${message}`, field);
};

export interface Actor {
  role: 'operations' | 'agent' | 'manager';
  id?: string;
}

// ---------------------------------------------------------------------------------------------
// Inputs

export interface PaymentInput {
  amountCents: number;
  paidAt: CalendarDate;
  reference: string;
  method?: string;
}
export interface PromiseInput {
  amountCents: number;
  promisedDate: CalendarDate;
  channel?: InboundChannel;
  agentId?: string;
}
export interface ReplyInput {
  channel: InboundChannel;
  message: SealedText;
  receivedAt?: IsoInstant;
}
export interface CallOutcomeInput {
  agentId: string;
  outcome: CallOutcome;
  taskId?: string;
  notes?: SealedText;
  callbackAt?: IsoInstant;
}
export interface DisputeInput {
  reason: SealedText;
  channel?: InboundChannel;
}
export interface DisputeResolutionInput {
  outcome: DisputeOutcome;
  adjustedAmountCents?: number;
  notes?: SealedText;
}
export interface InstallmentPlanInput {
  installments: { dueDate: CalendarDate; amountCents: number }[];
  agreedAt?: IsoInstant;
  channel?: InboundChannel;
}
export interface PauseInput {
  reason: SealedText;
  until?: IsoInstant;
}
export interface CancelInput {
  reason: SealedText;
}

// ---------------------------------------------------------------------------------------------
// Shared checks and bookkeeping

function requireOpen(state: CaseState, action: string): void {
  if (isTerminal(state.status)) refuse(`cannot ${action}: the case is ${state.status}`);
}

export function requireStatus(state: CaseState, allowed: readonly OpenStatus[], action: string): void {
  requireOpen(state, action);
  if (!(allowed as readonly string[]).includes(state.status)) {
    refuse(`cannot ${action} while the case is ${state.status}`);
  }
}

function requirePositiveCents(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    unprocessable(field, 'must be a positive whole number of cents');
  }
}

function requireDate(value: unknown, field: string): void {
  if (typeof value !== 'string' || !isCalendarDate(value)) unprocessable(field, 'must be a date YYYY-MM-DD');
}

function requireInstant(value: unknown, field: string): void {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) unprocessable(field, 'must be an ISO 8601 instant');
}

export function note(state: CaseState, now: IsoInstant, label: string, journal: JournalNote): CaseEffect {
  state.lastEvent = { label, at: now };
  return { kind: 'journal', note: journal };
}

export function closeOpenCallTasks(state: CaseState, outcome: string): CaseEffect[] {
  return state.callTasks
    .filter((task) => task.status === 'open')
    .map((task) => {
      task.status = 'done';
      return { kind: 'close_call_task', taskId: task.id, outcome } as const;
    });
}

function close(state: CaseState, status: 'paid' | 'cancelled', now: IsoInstant): CaseEffect[] {
  state.status = status;
  state.closedAt = now;
  state.pending = [];
  state.holdUntil = null;
  return closeOpenCallTasks(state, status === 'paid' ? 'case_paid' : 'case_cancelled');
}

/** The automated sequence picks up again: the next step no earlier than today, spacing kept after it. */
export function resumeSequence(state: CaseState, now: IsoInstant): void {
  const today = todayOf(now);
  if (state.nextStepOn !== null && compareDates(state.nextStepOn, today) < 0) state.nextStepOn = today;
}

export const actorOf = (actor: Actor) => ({ role: actor.role, ...(actor.id ? { id: actor.id } : {}) });

// ---------------------------------------------------------------------------------------------
// Payment: partial or full, idempotent by reference, over-payment recorded.

export function validatePayment(state: CaseState, input: PaymentInput, now: IsoInstant): void {
  requireOpen(state, 'record a payment');
  requirePositiveCents(input.amountCents, 'amountCents');
  requireDate(input.paidAt, 'paidAt');
  if (compareDates(input.paidAt, todayOf(now)) > 0) unprocessable('paidAt', 'cannot be in the future');
  if (typeof input.reference !== 'string' || !input.reference.trim()) unprocessable('reference', 'is required');
  const known = state.payments.find((payment) => payment.reference === input.reference);
  if (known && (known.amountCents !== input.amountCents || known.paidAt !== input.paidAt)) {
    unprocessable('reference', `payment ${input.reference} was already recorded with another amount or date`);
  }
}

export function applyPayment(state: CaseState, input: PaymentInput, now: IsoInstant, actor: Actor): CaseEffect[] {
  if (state.payments.some((payment) => payment.reference === input.reference)) return []; // counted once
  const balanceBefore = balanceCents(state, now);
  state.payments.push({ reference: input.reference, amountCents: input.amountCents, paidAt: input.paidAt });
  // R3: what the statement could not allocate (principal and accessories, Code civil 1343-1 and
  // 1342-10) is the overpayment; the original rules counted what went past the principal.
  if (followsRules(state, RULES_VERSIONS.complianceReview)) state.overpaidCents = amountsDue(state, now).overpaidCents;
  else state.overpaidCents += Math.max(0, input.amountCents - balanceBefore);
  // A partial payment acknowledges the debt and restarts prescription (Code civil 2240).
  state.prescriptionEvents.push({ type: 'acknowledgement', date: input.paidAt, form: 'partial_payment' });
  const effects: CaseEffect[] = [
    note(state, now, 'Paiement reçu', {
      type: 'payment_recorded',
      channel: 'api',
      summary:
        `Paiement ${input.reference} de ${formatEuros(input.amountCents)} du ${formatCalendarDate(input.paidAt)}` +
        (state.overpaidCents > 0 ? ` (trop-perçu : ${formatEuros(state.overpaidCents)})` : ''),
      actor: actorOf(actor),
    }),
  ];
  if (balanceCents(state, now) === 0) {
    effects.push(...close(state, 'paid', now));
    effects.push(
      note(state, now, 'Créance soldée', { type: 'case_paid', summary: 'Solde à zéro', actor: { role: 'system' } }),
    );
  } else if (state.status === 'promise_to_pay' && state.promise) {
    if (paidCents(state) - state.promise.paidAtPromiseCents >= state.promise.amountCents) {
      state.promise = null;
      state.status = 'active';
      resumeSequence(state, now);
      effects.push(
        note(state, now, 'Promesse tenue', {
          type: 'promise_kept',
          summary: 'Promesse de paiement tenue ; reprise des relances pour le solde',
          actor: { role: 'system' },
        }),
      );
    }
  }
  return effects;
}

// ---------------------------------------------------------------------------------------------
// Promise to pay: suspends the sequence until the promised date plus the policy's grace.

export function validatePromise(state: CaseState, input: PromiseInput, now: IsoInstant): void {
  requireStatus(state, ['active', 'promise_to_pay'], 'record a promise');
  requirePositiveCents(input.amountCents, 'amountCents');
  requireDate(input.promisedDate, 'promisedDate');
  if (input.channel !== undefined && !INBOUND_CHANNELS.includes(input.channel)) {
    unprocessable('channel', `must be one of ${INBOUND_CHANNELS.join(', ')}`);
  }
  if (input.amountCents > balanceCents(state, now)) unprocessable('amountCents', 'is more than the balance');
  const daysAhead = daysBetween(todayOf(now), input.promisedDate);
  if (daysAhead < 0) unprocessable('promisedDate', 'is in the past');
  const { maxHorizonDays } = policyOf(state).promise;
  if (daysAhead > maxHorizonDays) {
    unprocessable('promisedDate', `is more than ${maxHorizonDays} days away: agree an installment plan instead`);
  }
}

export function applyPromise(state: CaseState, input: PromiseInput, now: IsoInstant, actor: Actor): CaseEffect[] {
  state.status = 'promise_to_pay';
  state.promise = {
    amountCents: input.amountCents,
    promisedDate: input.promisedDate,
    paidAtPromiseCents: paidCents(state),
    recordedAt: now,
    ...(input.agentId ? { agentId: input.agentId } : {}),
  };
  // Only a promise the debtor wrote is a request for time that interrupts prescription (2240).
  if (input.channel === 'email' || input.channel === 'letter' || input.channel === 'web') {
    state.prescriptionEvents.push({ type: 'acknowledgement', date: todayOf(now), form: 'written_request_for_time' });
  }
  return [
    note(state, now, 'Promesse de paiement', {
      type: 'promise_recorded',
      channel: 'api',
      summary: `Promesse de ${formatEuros(input.amountCents)} pour le ${formatCalendarDate(input.promisedDate)}`,
      actor: actorOf(actor),
    }),
  ];
}

/** The last day a promise may still be kept before it counts as broken. */
export function promiseDeadline(state: CaseState): CalendarDate | null {
  return state.promise ? addDays(state.promise.promisedDate, policyOf(state).promise.graceDays) : null;
}

// ---------------------------------------------------------------------------------------------
// Debtor reply: the automated sequence holds until an agent answers or the hold expires.

export function validateReply(state: CaseState, input: ReplyInput): void {
  requireOpen(state, 'record a reply');
  if (!INBOUND_CHANNELS.includes(input.channel))
    unprocessable('channel', `must be one of ${INBOUND_CHANNELS.join(', ')}`);
  if (typeof input.message !== 'string' || !input.message) unprocessable('message', 'is required');
  if (input.receivedAt !== undefined) requireInstant(input.receivedAt, 'receivedAt');
}

export function applyReply(state: CaseState, input: ReplyInput, now: IsoInstant, actor: Actor): CaseEffect[] {
  const holdDays = policyOf(state).replyHoldDays;
  state.holdUntil = new Date(Date.parse(now) + holdDays * 86_400_000).toISOString();
  return [
    note(state, now, 'Réponse du débiteur', {
      type: 'debtor_reply',
      channel: input.channel === 'phone' || input.channel === 'web' ? 'api' : input.channel,
      summary: `Réponse reçue (${channelName(input.channel)}) ; relances automatiques suspendues jusqu'au ${formatParisDate(state.holdUntil)}`,
      actor: actorOf(actor),
      sealedText: input.message,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Call outcome: closes the task; a wrong number closes the phone; a callback makes a new task.

export function validateCallOutcome(state: CaseState, input: CallOutcomeInput, now: IsoInstant): void {
  requireOpen(state, 'record a call outcome');
  if (!CALL_OUTCOMES.includes(input.outcome)) unprocessable('outcome', `must be one of ${CALL_OUTCOMES.join(', ')}`);
  if (typeof input.agentId !== 'string' || !input.agentId.trim()) unprocessable('agentId', 'is required');
  if (
    input.taskId !== undefined &&
    !state.callTasks.some((task) => task.id === input.taskId && task.status === 'open')
  ) {
    unprocessable('taskId', 'is not an open call task of this case');
  }
  if (input.outcome === 'callback_requested') {
    if (input.callbackAt === undefined) unprocessable('callbackAt', 'is required for a callback');
    requireInstant(input.callbackAt, 'callbackAt');
    if (Date.parse(input.callbackAt!) <= Date.parse(now)) unprocessable('callbackAt', 'must be in the future');
  }
}

const CALL_OUTCOME_NAMES: Record<CallOutcome, string> = {
  reached: 'débiteur joint',
  no_answer: 'pas de réponse',
  voicemail: 'message laissé sur le répondeur',
  wrong_number: 'numéro erroné',
  refused: 'refus de parler',
  callback_requested: 'rappel demandé',
};

export function applyCallOutcome(state: CaseState, input: CallOutcomeInput, now: IsoInstant): CaseEffect[] {
  const effects: CaseEffect[] = [];
  state.contacts.push({ at: now, channel: 'call' });
  state.holdUntil = null;
  const task = state.callTasks.find((candidate) => candidate.id === input.taskId);
  if (task) {
    task.status = 'done';
    effects.push({ kind: 'close_call_task', taskId: task.id, outcome: input.outcome, agentId: input.agentId });
  }
  if (input.outcome === 'wrong_number') {
    for (const channel of ['call', 'sms'] as const) if (!state.optedOut.includes(channel)) state.optedOut.push(channel);
  }
  if (input.outcome === 'callback_requested' && input.callbackAt) {
    const callback = {
      id: `t_${state.input.caseId}_${nextSequence(state)}`,
      reason: 'callback',
      dueAt: input.callbackAt,
      status: 'open' as const,
    };
    state.callTasks.push(callback);
    effects.push({ kind: 'create_call_task', task: { ...callback } });
  }
  effects.push(
    note(state, now, 'Appel', {
      type: 'call_outcome',
      channel: 'call',
      summary:
        `Appel : ${CALL_OUTCOME_NAMES[input.outcome]}` +
        (input.outcome === 'wrong_number' ? ' ; téléphone et SMS fermés' : '') +
        (input.callbackAt ? ` ; rappel prévu le ${formatParisDateTime(input.callbackAt)}` : ''),
      actor: { role: 'agent', id: input.agentId },
      ...(input.notes ? { sealedText: input.notes } : {}),
    }),
  );
  return effects;
}

// ---------------------------------------------------------------------------------------------
// Dispute: a disputed claim is no longer certaine; every automated contact stops (R4).

export function validateDispute(state: CaseState, input: DisputeInput): void {
  requireOpen(state, 'open a dispute');
  if (state.status === 'disputed') refuse('the case is already disputed');
  if (typeof input.reason !== 'string' || !input.reason) unprocessable('reason', 'is required');
}

export function applyDispute(state: CaseState, input: DisputeInput, now: IsoInstant, actor: Actor): CaseEffect[] {
  state.dispute = { openedAt: now, reason: input.reason, statusBefore: state.status as OpenStatus };
  state.status = 'disputed';
  return [
    ...closeOpenCallTasks(state, 'dispute_opened'),
    note(state, now, 'Contestation', {
      type: 'dispute_opened',
      channel: 'api',
      summary: 'Créance contestée : toutes les relances automatiques sont arrêtées jusqu’à décision d’un responsable',
      actor: actorOf(actor),
      sealedText: input.reason,
    }),
  ];
}

export function validateDisputeResolution(state: CaseState, input: DisputeResolutionInput): void {
  requireOpen(state, 'resolve a dispute');
  if (state.status !== 'disputed') refuse('the case is not disputed');
  if (!DISPUTE_OUTCOMES.includes(input.outcome))
    unprocessable('outcome', `must be one of ${DISPUTE_OUTCOMES.join(', ')}`);
  if (input.outcome === 'adjusted') {
    requirePositiveCents(input.adjustedAmountCents, 'adjustedAmountCents');
    if (input.adjustedAmountCents! > principalCents(state)) {
      unprocessable('adjustedAmountCents', 'cannot exceed the current principal');
    }
  } else if (input.adjustedAmountCents !== undefined) {
    unprocessable('adjustedAmountCents', 'is only for an adjusted outcome');
  }
}

export function applyDisputeResolution(
  state: CaseState,
  input: DisputeResolutionInput,
  now: IsoInstant,
  actor: Actor,
): CaseEffect[] {
  const statusBefore = state.dispute?.statusBefore ?? 'active';
  state.dispute = null;
  const journal = (summary: string) =>
    note(state, now, 'Contestation tranchée', {
      type: 'dispute_resolved',
      channel: 'api',
      summary,
      actor: actorOf(actor),
      ...(input.notes ? { sealedText: input.notes } : {}),
    });
  if (input.outcome === 'upheld') {
    return [journal('Contestation fondée : dossier annulé'), ...close(state, 'cancelled', now)];
  }
  if (input.outcome === 'adjusted') state.adjustedPrincipalCents = input.adjustedAmountCents!;
  const effects = [
    journal(
      input.outcome === 'adjusted'
        ? `Contestation partiellement fondée : principal ramené à ${formatEuros(input.adjustedAmountCents!)}`
        : 'Contestation rejetée : reprise des relances',
    ),
  ];
  if (balanceCents(state, now) === 0) {
    // What was paid beyond the adjusted principal is owed back to the debtor: record it.
    state.overpaidCents = followsRules(state, RULES_VERSIONS.complianceReview)
      ? amountsDue(state, now).overpaidCents
      : Math.max(state.overpaidCents, paidCents(state) - principalCents(state));
    effects.push(
      note(state, now, 'Créance soldée', { type: 'case_paid', summary: 'Solde à zéro', actor: { role: 'system' } }),
    );
    return [...effects, ...close(state, 'paid', now)];
  }
  state.status = statusBefore === 'disputed' ? 'active' : statusBefore;
  if (input.outcome === 'adjusted' && statusBefore === 'installment_plan') {
    // The installments no longer add up to what is owed: the plan ends, the sequence resumes.
    endCurrentPlan(state, 'cancelled');
    state.status = 'active';
    effects.push(
      note(state, now, 'Échéancier annulé', {
        type: 'installment_plan_cancelled',
        channel: 'system',
        summary: 'Échéancier annulé : le montant dû a été ajusté ; un nouvel échéancier peut être convenu',
        actor: { role: 'system' },
      }),
    );
  }
  resumeSequence(state, now);
  return effects;
}

// ---------------------------------------------------------------------------------------------
// Installment plan (échéancier): agreed here; monitored by its own workflow.

export function validateInstallmentPlan(
  state: CaseState,
  input: InstallmentPlanInput,
  now: IsoInstant,
  actor?: Actor,
): void {
  // Renegotiation: a manager may replace the running plan with a new one for the balance left.
  const allowed: OpenStatus[] =
    actor?.role === 'manager' ? ['active', 'promise_to_pay', 'installment_plan'] : ['active', 'promise_to_pay'];
  if (state.status === 'installment_plan' && actor?.role !== 'manager') {
    refuse('only a manager may replace the installment plan of a case');
  }
  requireStatus(state, allowed, 'agree an installment plan');
  const { installments } = input;
  if (!Array.isArray(installments) || installments.length === 0) unprocessable('installments', 'must not be empty');
  const limits = policyOf(state).installmentPlan;
  const today = todayOf(now);
  installments.forEach((installment, index) => {
    requireDate(installment.dueDate, `installments[${index}].dueDate`);
    requirePositiveCents(installment.amountCents, `installments[${index}].amountCents`);
    if (compareDates(installment.dueDate, today) < 0) unprocessable(`installments[${index}].dueDate`, 'is in the past');
    const previous = installments[index - 1];
    if (previous && compareDates(installment.dueDate, previous.dueDate) <= 0) {
      unprocessable(`installments[${index}].dueDate`, 'must be after the previous installment');
    }
  });
  if (installments.length > limits.maxInstallments) {
    unprocessable('installments', `at most ${limits.maxInstallments} installments under this policy`);
  }
  const duration = daysBetween(today, installments[installments.length - 1]!.dueDate);
  if (duration > limits.maxDurationDays) {
    unprocessable('installments', `the plan may last at most ${limits.maxDurationDays} days under this policy`);
  }
  const total = installments.reduce((sum, installment) => sum + installment.amountCents, 0);
  const owed = planTotalOwed(state, now);
  if (total !== owed) unprocessable('installments', `they sum to ${total} cents but the balance is ${owed} cents`);
  if (input.agreedAt !== undefined) requireInstant(input.agreedAt, 'agreedAt');
}

/**
 * What an installment plan must add up to: the balance, except under a policy that waives the
 * accessories once the principal is paid, where paying the principal settles the case, so the plan
 * covers the principal left (a plan for more would overpay once the accessories are waived).
 */
function planTotalOwed(state: CaseState, now: IsoInstant): number {
  if (!followsRules(state, RULES_VERSIONS.complianceReview)) return balanceCents(state, now);
  const amounts = amountsDue(state, now);
  return policyOf(state).accessories === 'waived_when_principal_paid' ? amounts.principalCents : amounts.balanceCents;
}

/** Agreements are confirmed in writing: by e-mail, else by letter, else by SMS. */
export function planChannel(state: CaseState): 'email' | 'letter' | 'sms' | null {
  return (
    (['email', 'letter', 'sms'] as const).find(
      (channel) => !state.optedOut.includes(channel) && isReachable(state, channel),
    ) ?? null
  );
}

/**
 * `monitored`: the plan gets its own workflow, a written confirmation, reminders and a default
 * rule. False only when replaying a case that agreed its plan before monitoring existed (the
 * workflow's patch): that plan is recorded and nothing more, as it was then.
 */
export function applyInstallmentPlan(
  state: CaseState,
  input: InstallmentPlanInput,
  now: IsoInstant,
  actor: Actor,
  { monitored = true }: { monitored?: boolean } = {},
): CaseEffect[] {
  const effects: CaseEffect[] = [];
  const previous = state.plan;
  const replaced = state.status === 'installment_plan' && previous !== null;
  if (replaced && previous.workflowId && (previous.outcome ?? null) === null) {
    endCurrentPlan(state, 'replaced');
    previous.toldMode = 'ended';
    effects.push({
      kind: 'signal_installment_plan',
      workflowId: previous.workflowId,
      signal: { kind: 'control', control: { action: 'end', outcome: 'replaced' } },
    });
  }
  state.status = 'installment_plan';
  state.promise = null;
  const number = (previous?.number ?? 0) + 1;
  const agreedAt = input.agreedAt ?? now;
  const installments = input.installments.map((installment) => ({ ...installment }));
  state.plan = { agreedAt, installments };
  if (monitored) {
    Object.assign(state.plan, {
      number,
      workflowId: planWorkflowIdOf(state.input.caseId, number),
      paidAtAgreementCents: paidCents(state),
      outcome: null,
      forwardedPayments: state.payments.length,
      toldMode: 'running',
    });
  }
  // A signed plan acknowledges the whole debt: prescription restarts (Code civil 2240).
  state.prescriptionEvents.push({ type: 'acknowledgement', date: todayOf(now), form: 'installment_plan' });
  effects.push(
    note(state, now, 'Échéancier accepté', {
      type: 'installment_plan_agreed',
      channel: 'api',
      summary:
        `Échéancier de ${input.installments.length} échéances accepté` +
        (replaced ? ` (remplace l'échéancier n°${previous.number ?? number - 1})` : '') +
        ' ; prescription interrompue (Code civil 2240)',
      actor: actorOf(actor),
    }),
  );
  if (!monitored) return effects;
  effects.push({
    kind: 'start_installment_plan',
    start: {
      workflowId: state.plan.workflowId!,
      planNumber: number,
      agreedOn: todayOf(now),
      installments,
      rules: policyOf(state).installmentPlan,
    },
  });
  queuePlanMessage(state, { kind: 'installment_plan_confirmation', planNumber: number }, now);
  return effects;
}

/** A plan's message waits for its slot like the sequence's; with every channel closed there is none. */
export function queuePlanMessage(state: CaseState, plan: PlanContact, now: IsoInstant): void {
  const channel = planChannel(state);
  if (!channel) return;
  // Not a step of the sequence: a plan's message carries none of a step's mentions (R5).
  state.pending.push({ stage: 'none', channel, notBefore: now, plan });
}

// ---------------------------------------------------------------------------------------------
// Pause, resume, cancel

export function validatePause(state: CaseState, input: PauseInput, now: IsoInstant): void {
  requireOpen(state, 'pause');
  if (state.status === 'paused') refuse('the case is already paused');
  if (typeof input.reason !== 'string' || !input.reason) unprocessable('reason', 'is required');
  if (input.until !== undefined) {
    requireInstant(input.until, 'until');
    if (Date.parse(input.until) <= Date.parse(now)) unprocessable('until', 'must be in the future');
  }
}

export function applyPause(state: CaseState, input: PauseInput, now: IsoInstant, actor: Actor): CaseEffect[] {
  state.pause = {
    since: now,
    ...(input.until ? { until: input.until } : {}),
    statusBefore: state.status as OpenStatus,
  };
  state.status = 'paused';
  return [
    note(state, now, 'Dossier suspendu', {
      type: 'case_paused',
      channel: 'api',
      summary: input.until ? `Dossier suspendu jusqu'au ${formatParisDateTime(input.until)}` : 'Dossier suspendu',
      actor: actorOf(actor),
      sealedText: input.reason,
    }),
  ];
}

export function validateResume(state: CaseState): void {
  requireOpen(state, 'resume');
  if (state.status !== 'paused') refuse('the case is not paused');
}

export function applyResume(state: CaseState, now: IsoInstant, actor: Actor | { role: 'system' }): CaseEffect[] {
  state.status = state.pause?.statusBefore ?? 'active';
  state.pause = null;
  resumeSequence(state, now);
  return [
    note(state, now, 'Dossier repris', {
      type: 'case_resumed',
      channel: actor.role === 'system' ? 'system' : 'api',
      summary: 'Dossier repris',
      actor: actor.role === 'system' ? { role: 'system' } : actorOf(actor as Actor),
    }),
  ];
}

export function validateCancel(state: CaseState, input: CancelInput): void {
  requireOpen(state, 'cancel');
  if (typeof input.reason !== 'string' || !input.reason) unprocessable('reason', 'is required');
}

export function applyCancel(state: CaseState, input: CancelInput, now: IsoInstant, actor: Actor): CaseEffect[] {
  return [
    note(state, now, 'Dossier annulé', {
      type: 'case_cancelled',
      channel: 'api',
      summary: 'Dossier annulé',
      actor: actorOf(actor),
      sealedText: input.reason,
    }),
    ...close(state, 'cancelled', now),
  ];
}
