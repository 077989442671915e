/**
 * What time does to a case: the policy's next step falls due, a deferred message reaches its slot,
 * a promise passes its date, a reply hold or a pause ends, prescription approaches. `advance` is
 * called by the workflow whenever it wakes; `nextWakeAt` tells it when to wake next.
 */
import {
  DEFAULT_CONTACT_RULES,
  nextAllowedContact,
  type BlockReason,
  type ContactRules,
  type DeferralReason,
} from '../contact-limits';
import { addDays, compareDates, maxDate, parisInstant } from '../dates';
import { channelName, formatCalendarDate, formatParisDateTime, messageStatusName, stageName } from '../french-text';
import type { PolicyStep } from '../policies';
import type { CalendarDate, Channel } from '../types';
import { applyResume, closeOpenCallTasks, promiseDeadline } from './actions';
import type { CaseEffect, JournalNote } from './effects';
import { nextInstallmentAction, planMessageStyle, redecidePlanContact } from './installment-plan';
import { isTerminal, nextSequence, planIsLive, policyOf, prescriptionOf, stepAt, todayOf } from './state';
import type { CaseState, IsoInstant, PendingContact } from './types';
import { contactRulesOf } from './contact-rules';
import { isReachable, missingContactText, noWrittenChannelText, stepChannels, substitutionText } from './reachability';
import { nextBarDay } from '../prescription';
import {
  applyPrescriptionToday,
  formalNoticeDeadlineFor,
  formalNoticeObstacle,
  outstandingCollectable,
  pauseForPrescriptionReview,
  prescriptionAlertFrom,
} from './prescription-review';
import { followsRules, RULES_VERSIONS } from './rules-version';
import { plannedAfterDeferral } from './opening-spread';

export const stageLabel = stageName;

const DEFERRAL_LABELS: Record<DeferralReason, string> = {
  weekend: 'week-end',
  public_holiday: 'jour férié',
  outside_hours: 'hors des heures autorisées',
  automated_cap: 'plafond de 2 contacts automatiques sur 7 jours',
  call_cap: 'plafond d’appels sur 30 jours',
};

const BLOCK_LABELS: Record<BlockReason, string> = {
  opted_out: 'canal fermé (opposition, rebond ou numéro erroné)',
  written_only: 'contact écrit seulement',
};

/** A journal entry written by the system; `label` becomes the case's "last event". */
function systemNote(
  state: CaseState,
  now: IsoInstant,
  label: string,
  type: string,
  summary: string,
  extra: Partial<JournalNote> = {},
): CaseEffect {
  state.lastEvent = { label, at: now };
  return { kind: 'journal', note: { channel: 'system', ...extra, type, summary, actor: { role: 'system' } } };
}

function closeAsUnrecoverable(state: CaseState, now: IsoInstant, why: string): CaseEffect[] {
  state.status = 'unrecoverable';
  state.closedAt = now;
  state.pending = [];
  return [
    systemNote(state, now, 'Créance irrécouvrable', 'case_unrecoverable', why),
    { kind: 'alert', alert: 'unrecoverable', message: why },
  ];
}

function restrictionsOf(state: CaseState) {
  return { optedOut: state.optedOut, writtenOnly: state.writtenOnly };
}

function historyOf(state: CaseState) {
  return state.contacts.map((contact) => ({ at: new Date(contact.at), channel: contact.channel }));
}

/** A message whose slot has come: send it, defer it to the next allowed slot, or drop a closed channel. */
function decideContact(state: CaseState, contact: PendingContact, now: IsoInstant, rules: ContactRules): CaseEffect[] {
  const dropped = redecidePlanContact(state, contact);
  if (dropped) return dropped;
  const step = contact.plan ? undefined : policyOf(state).steps.find((candidate) => candidate.stage === contact.stage)!;
  const label = contact.plan ? stageLabel(contact.plan.kind) : stageLabel(contact.stage);
  const slot = nextAllowedContact(contact.channel, new Date(now), historyOf(state), restrictionsOf(state), rules);
  if (slot.kind === 'blocked') {
    state.pending = state.pending.filter((other) => other !== contact);
    if (isFormalNotice(contact)) {
      return formalNoticeNotSent(state, now, `courrier impossible : ${BLOCK_LABELS[slot.reason]}`);
    }
    const why = BLOCK_LABELS[slot.reason];
    return [
      systemNote(state, now, `${label} non envoyée`, 'message_blocked', `${channelName(contact.channel)} : ${why}`, {
        channel: contact.channel,
        stage: contact.stage,
        status: 'blocked',
      }),
    ];
  }
  if (slot.deferred && slot.at.getTime() > Date.parse(now)) {
    // Issue 14: not every case at the window's first second.
    const planned = plannedAfterDeferral(state, contact.channel, slot, historyOf(state), restrictionsOf(state), rules);
    const notBefore = planned.toISOString();
    const alreadyJournaled = contact.notBefore === notBefore;
    contact.notBefore = notBefore;
    contact.deferredFor = slot.reasons;
    if (alreadyJournaled) return [];
    return [
      systemNote(
        state,
        now,
        `${label} reportée`,
        'message_deferred',
        `${channelName(contact.channel)} reporté au ${formatParisDateTime(notBefore)} (${slot.reasons.map((r) => DEFERRAL_LABELS[r]).join(', ')})`,
        { channel: contact.channel, stage: contact.stage, status: 'deferred' },
      ),
    ];
  }
  // R1, R5: checked again the day it leaves: a deferral may have pushed its deadline past a bar.
  const obstacle =
    isFormalNotice(contact) && followsRules(state, RULES_VERSIONS.complianceReview)
      ? formalNoticeObstacle(state, todayOf(now))
      : null;
  if (obstacle !== null) {
    state.nextStepIndex = policyOf(state).steps.findIndex((candidate) => candidate.stage === 'formal_notice');
    state.nextStepOn = todayOf(now);
    return pauseForPrescriptionReview(state, now, obstacle);
  }
  state.pending = state.pending.filter((other) => other !== contact);
  state.contacts.push({ at: now, channel: contact.channel });
  // A message of an earlier stage sent again after an unknown outcome does not move the current spacing.
  if (step && contact.stage === state.stage) keepSpacingAfter(state, step, now);
  const style = contact.plan ? planMessageStyle(contact.plan) : { tone: step!.tone, template: step!.template };
  return [{ kind: 'contact', contact: { ...contact, notBefore: now }, ...style }];
}

/** The policy's mise en demeure letter (a plan's letter sent at that stage is not one). */
function isFormalNotice(contact: PendingContact): boolean {
  return !contact.plan && contact.stage === 'formal_notice' && contact.channel === 'letter';
}

/** A plan's messages go while the plan runs, as the sequence's messages go while the case is active. */
function planMessagesGo(state: CaseState): boolean {
  return state.status === 'installment_plan' && state.holdUntil === null;
}

/**
 * The policy's spacing runs from the day a step's message actually went out: a message deferred
 * (weekend, cap, pause) pushes the next step back by as much, so two steps never arrive together.
 */
function keepSpacingAfter(state: CaseState, sentStep: PolicyStep, now: IsoInstant): void {
  const next = stepAt(state);
  if (!next || state.nextStepOn === null || next.offsetDays <= sentStep.offsetDays) return;
  state.nextStepOn = maxDate(state.nextStepOn, addDays(todayOf(now), next.offsetDays - sentStep.offsetDays));
}

/**
 * Without a formal notice there is no handoff (R5, R6). The case goes back to the formal-notice
 * step and waits, paused, for a person: resuming it sends the notice again.
 */
function formalNoticeNotSent(state: CaseState, now: IsoInstant, why: string): CaseEffect[] {
  state.nextStepIndex = policyOf(state).steps.findIndex((step) => step.stage === 'formal_notice');
  state.nextStepOn = todayOf(now);
  state.pending = state.pending.filter((contact) => contact.stage !== 'formal_notice');
  state.pause = { since: now, statusBefore: 'active' };
  state.status = 'paused';
  const message = `Mise en demeure non envoyée (${why}) : dossier suspendu pour examen`;
  return [
    systemNote(state, now, 'Mise en demeure non envoyée', 'case_paused', message),
    { kind: 'alert', alert: 'formal_notice_failed', message },
  ];
}

function createCallTask(state: CaseState, reason: string, now: IsoInstant, rules: ContactRules): CaseEffect[] {
  const slot = nextAllowedContact('call', new Date(now), historyOf(state), restrictionsOf(state), rules);
  if (slot.kind === 'blocked') {
    return [
      systemNote(
        state,
        now,
        'Appel non planifié',
        'call_blocked',
        `appel non planifié : ${BLOCK_LABELS[slot.reason]}`,
        {
          channel: 'call',
        },
      ),
    ];
  }
  const task = {
    id: `t_${state.input.caseId}_${nextSequence(state)}`,
    reason,
    dueAt: slot.at.toISOString(),
    status: 'open' as const,
  };
  state.callTasks.push(task);
  const created: CaseEffect = { kind: 'create_call_task', task: { ...task } };
  // R6 "nothing missing": the agents' queue is part of the evidence, and a call pushed back by the
  // limits is journaled as deferred, as a message is. Cases on the original rules journaled neither.
  if (!followsRules(state, RULES_VERSIONS.complianceReview)) return [created];
  return [callTaskNote(reason, task.dueAt, slot.deferred ? slot.reasons : []), created];
}

/**
 * « Appel à passer (relance 2) le 08/02/2027 à 10:00 ». A task's due time always falls in the call
 * hours, so only the 4-calls-in-30-days cap makes it a deferred call (status `deferred`, with the
 * cap and any weekend or holiday skipped); a task created at midnight is simply due at 10:00.
 */
export function callTaskNote(reason: string, dueAt: IsoInstant, deferredFor: readonly DeferralReason[]): CaseEffect {
  const planned = `Appel à passer (${stageLabel(reason)}) le ${formatParisDateTime(dueAt)}`;
  const deferred = deferredFor.includes('call_cap');
  return {
    kind: 'journal',
    note: {
      type: deferred ? 'call_deferred' : 'call_task_created',
      channel: 'call',
      ...(deferred ? { status: 'deferred' as const } : {}),
      summary: deferred
        ? `${planned} : reporté (${deferredFor
            .filter((reason) => reason !== 'outside_hours')
            .map((reason) => DEFERRAL_LABELS[reason])
            .join(', ')})`
        : planned,
      actor: { role: 'system' },
    },
  };
}

/** The policy's next step: escalate the stage and queue its messages and calls. */
function runStep(state: CaseState, now: IsoInstant, rules: ContactRules): CaseEffect[] {
  const steps = policyOf(state).steps;
  const step = stepAt(state);
  const scheduledOn = state.nextStepOn;
  if (!step || scheduledOn === null) return [];
  const today = todayOf(now);
  const prescription = prescriptionOf(state, now);

  const perInvoice = followsRules(state, RULES_VERSIONS.complianceReview);

  if (step.stage === 'handoff') {
    if (perInvoice) {
      // Barred invoices are handed off as such, for information only (the dossier says so); with
      // nothing enforceable left there is nothing to hand off.
      if (outstandingCollectable(state, now).length === 0) {
        return pauseForPrescriptionReview(state, now, 'Aucune facture exigible en justice à transmettre');
      }
    } else if (prescription.prescribed) {
      return closeAsUnrecoverable(state, now, 'Créance prescrite : aucune transmission pour action en justice (R1)');
    }
    if (!state.formalNotice) return formalNoticeNotSent(state, now, 'aucune mise en demeure au dossier');
    if (compareDates(today, state.formalNotice.deadline) <= 0) {
      state.nextStepOn = addDays(state.formalNotice.deadline, 1);
      return [];
    }
    state.stage = 'handoff';
    state.status = 'handed_off';
    // The file has left us: no agent should call the debtor about it any more.
    const closedTasks = closeOpenCallTasks(state, 'case_handed_off');
    state.closedAt = now;
    state.nextStepOn = null;
    state.nextStepIndex += 1;
    return [
      systemNote(
        state,
        now,
        'Transmis au commissaire de justice',
        'handoff',
        'Délai de la mise en demeure expiré sans paiement : dossier transmis',
        { stage: 'handoff' },
      ),
      { kind: 'handoff' },
      ...closedTasks,
    ];
  }
  if (step.stage === 'formal_notice' && perInvoice) {
    // R1, R5: no mise en demeure that could not name court action at its deadline: review instead.
    const obstacle = formalNoticeObstacle(state, today);
    if (obstacle !== null) return pauseForPrescriptionReview(state, now, obstacle);
  } else if (step.stage === 'formal_notice' && prescription.prescribed) {
    return closeAsUnrecoverable(
      state,
      now,
      'Créance prescrite : relances non comminatoires terminées, pas de mise en demeure ni de transmission (R1)',
    );
  }

  state.stage = step.stage;
  state.lastStepOn = scheduledOn;
  const next = steps[state.nextStepIndex + 1];
  state.nextStepIndex += 1;
  state.nextStepOn = next ? addDays(scheduledOn, next.offsetDays - step.offsetDays) : null;

  // R5: a mise en demeure is a registered letter; without a postal address a person must find one.
  if (step.stage === 'formal_notice' && !isReachable(state, 'letter')) {
    return formalNoticeNotSent(state, now, `lettre recommandée impossible : ${missingContactText('letter')}`);
  }
  const reach = stepChannels(state, step);
  const label = stageLabel(step.stage);
  const effects: CaseEffect[] = [];
  if (reach.substitute) {
    effects.push(
      systemNote(
        state,
        now,
        `${label} par ${channelName(reach.substitute)}`,
        'message_channel_substituted',
        `${label} prévue ${substitutionText(reach)}`,
        { stage: step.stage },
      ),
    );
  } else if (reach.noWrittenChannel) {
    effects.push(
      systemNote(
        state,
        now,
        `${label} non envoyée`,
        'message_unreachable',
        `${label} non envoyée : ${noWrittenChannelText(state)}`,
        { stage: step.stage },
      ),
    );
  }
  if (reach.unreachable.includes('call')) {
    effects.push(
      systemNote(
        state,
        now,
        'Appel non planifié',
        'call_blocked',
        `appel non planifié : ${missingContactText('call')}`,
        {
          stage: step.stage,
        },
      ),
    );
  }
  for (const channel of reach.channels) {
    if (channel === 'call') effects.push(...createCallTask(state, step.stage, now, rules));
    else state.pending.push({ stage: step.stage, channel, notBefore: now });
  }
  return effects;
}

function dueContacts(state: CaseState, now: IsoInstant): PendingContact[] {
  return state.pending.filter((contact) => Date.parse(contact.notBefore) <= Date.parse(now));
}

function sequenceRuns(state: CaseState): boolean {
  return state.status === 'active' && state.holdUntil === null;
}

/** Whether a message decided earlier may still go now: nothing stopped its sequence or its plan meanwhile. */
export function contactMayGo(state: CaseState, contact: PendingContact): boolean {
  return contact.plan ? planMessagesGo(state) && planIsLive(state) : sequenceRuns(state);
}

export function advance(
  state: CaseState,
  now: IsoInstant,
  configuredRules: ContactRules = DEFAULT_CONTACT_RULES,
): CaseEffect[] {
  if (isTerminal(state.status)) return [];
  const rules = contactRulesOf(state, configuredRules);
  const effects: CaseEffect[] = [];
  const today = todayOf(now);

  if (state.status === 'paused' && state.pause?.until && Date.parse(state.pause.until) <= Date.parse(now)) {
    effects.push(...applyResume(state, now, { role: 'system' }));
  }
  if (state.holdUntil !== null && Date.parse(state.holdUntil) <= Date.parse(now)) {
    state.holdUntil = null;
    effects.push(
      systemNote(
        state,
        now,
        'Fin de la suspension',
        'reply_hold_ended',
        'Aucune suite donnée à la réponse : reprise des relances',
      ),
    );
  }
  const deadline = promiseDeadline(state);
  if (state.status === 'promise_to_pay' && deadline !== null && compareDates(today, deadline) > 0) {
    state.promise = null;
    state.status = 'active';
    // Broken: the sequence resumes at its next stage, today.
    if (state.nextStepOn !== null) state.nextStepOn = today;
    effects.push(
      systemNote(
        state,
        now,
        'Promesse non tenue',
        'promise_broken',
        'Promesse de paiement non tenue : reprise des relances à l’étape suivante',
      ),
    );
  }

  const prescription = prescriptionOf(state, now);
  const alertFrom = prescriptionAlertFrom(state, now);
  if (alertFrom !== null && compareDates(today, alertFrom) >= 0 && state.prescriptionAlertFor !== prescription.date) {
    state.prescriptionAlertFor = prescription.date;
    const message = `La créance sera prescrite après le ${formatCalendarDate(prescription.date!)} : agir avant cette date`;
    effects.push(systemNote(state, now, 'Alerte prescription', 'prescription_alert', message), {
      kind: 'alert',
      alert: 'prescription',
      message,
    });
  }
  // R1 per invoice: the day an invoice is barred it leaves automated collection (journaled once).
  if (followsRules(state, RULES_VERSIONS.complianceReview)) effects.push(...applyPrescriptionToday(state, now));

  if (planMessagesGo(state)) {
    for (const contact of dueContacts(state, now).filter((due) => due.plan)) {
      effects.push(...decideContact(state, contact, now, rules));
    }
  }
  if (!sequenceRuns(state)) return effects;
  for (const contact of dueContacts(state, now)) effects.push(...decideContact(state, contact, now, rules));
  // A step runs only once the previous step's messages have gone: stages never overlap.
  while (
    sequenceRuns(state) &&
    state.pending.length === 0 &&
    state.nextStepOn !== null &&
    compareDates(state.nextStepOn, today) <= 0
  ) {
    const before = state.nextStepIndex;
    effects.push(...runStep(state, now, rules));
    for (const contact of dueContacts(state, now)) effects.push(...decideContact(state, contact, now, rules));
    if (state.nextStepIndex === before) break;
  }
  return effects;
}

/** R5: the deadline runs from receipt; receipt is assumed a few days after posting. */
export function formalNoticeDeadline(state: CaseState, sentOn: CalendarDate): CalendarDate {
  return formalNoticeDeadlineFor(state, sentOn);
}

/** What the workflow hears back from a message it sent for the sequence. */
export function recordContactResult(
  state: CaseState,
  contact: PendingContact,
  result: { status: string; closeChannel?: boolean },
  now: IsoInstant,
): CaseEffect[] {
  const effects: CaseEffect[] = [];
  const delivered = result.status === 'sent' || result.status === 'simulated';
  if (delivered) state.lastEvent = { label: `${stageLabel(contact.plan?.kind ?? contact.stage)} envoyée`, at: now };
  if (result.closeChannel && !state.optedOut.includes(contact.channel)) {
    state.optedOut.push(contact.channel as Channel);
    effects.push(
      systemNote(
        state,
        now,
        'Canal fermé',
        'channel_closed',
        `${channelName(contact.channel)} fermé : ${messageStatusName(result.status)}`,
        {
          channel: contact.channel,
        },
      ),
    );
  }
  if (!isFormalNotice(contact)) return effects;
  if (delivered) {
    const sentOn = todayOf(now);
    const deadline = formalNoticeDeadline(state, sentOn);
    state.formalNotice = { sentOn, deadline };
    // Recorded for the dossier; it does not interrupt prescription.
    state.prescriptionEvents.push({ type: 'formal_notice', date: sentOn });
    if (state.nextStepOn !== null) state.nextStepOn = maxDate(state.nextStepOn, addDays(deadline, 1));
  } else {
    effects.push(...formalNoticeNotSent(state, now, `courrier ${messageStatusName(result.status)}`));
  }
  return effects;
}

/** Each reason the workflow has to wake, named by what will happen then. */
function wakeReasons(state: CaseState, now: IsoInstant): { type: string; at: number }[] {
  const reasons: { type: string; at: number }[] = [];
  const prescription = prescriptionOf(state, now);
  const alertFrom = prescriptionAlertFrom(state, now);
  if (alertFrom !== null && state.prescriptionAlertFor !== prescription.date) {
    reasons.push({
      type: 'prescription_alert',
      at: Math.max(parisInstant(alertFrom).getTime(), Date.parse(now)),
    });
  }
  // R1: the workflow wakes the day an invoice becomes barred, to take it out of collection.
  const barDay = nextBarDay(prescription);
  if (barDay !== null && followsRules(state, RULES_VERSIONS.complianceReview)) {
    reasons.push({ type: 'prescription', at: Math.max(parisInstant(barDay).getTime(), Date.parse(now)) });
  }
  if (state.pause?.until) reasons.push({ type: 'pause_end', at: Date.parse(state.pause.until) });
  if (state.holdUntil) reasons.push({ type: 'reply_hold_end', at: Date.parse(state.holdUntil) });
  const deadline = promiseDeadline(state);
  if (state.status === 'promise_to_pay' && deadline) {
    reasons.push({ type: 'promise_check', at: parisInstant(addDays(deadline, 1)).getTime() });
  }
  if (state.status === 'active' && state.holdUntil === null) {
    if (state.pending.length > 0) {
      reasons.push(
        ...state.pending.map((contact) => ({
          type: contact.plan?.kind ?? contact.stage,
          at: Date.parse(contact.notBefore),
        })),
      );
    } else if (state.nextStepOn !== null) {
      reasons.push({ type: stepAt(state)?.stage ?? 'none', at: parisInstant(state.nextStepOn).getTime() });
    }
  }
  if (planMessagesGo(state)) {
    for (const contact of state.pending) {
      if (contact.plan) reasons.push({ type: contact.plan.kind, at: Date.parse(contact.notBefore) });
    }
  }
  return reasons;
}

/** When the workflow must wake up next, absent any action from a person. */
export function nextWakeAt(state: CaseState, now: IsoInstant): IsoInstant | null {
  if (isTerminal(state.status)) return null;
  const reasons = wakeReasons(state, now);
  return reasons.length ? new Date(Math.min(...reasons.map((reason) => reason.at))).toISOString() : null;
}

/**
 * What really comes next and when: the earliest reason to wake, named after that reason, so that a
 * disputed case waiting only for its prescription alert never shows a reminder that will not come.
 */
export function nextActionOf(state: CaseState, now: IsoInstant): { type: string; at: IsoInstant } | null {
  if (isTerminal(state.status)) return null;
  const reasons = wakeReasons(state, now);
  // A running plan waits on its workflow's calendar, not on a timer of the case.
  const installment = nextInstallmentAction(state);
  if (installment) reasons.push({ type: installment.type, at: Date.parse(installment.at) });
  if (reasons.length === 0) return null;
  const earliest = reasons.reduce((first, reason) => (reason.at < first.at ? reason : first));
  return { type: earliest.type, at: new Date(earliest.at).toISOString() };
}
