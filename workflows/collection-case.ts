/**
 * One créance, from opening to a terminal status (paid, handed off, cancelled, unrecoverable).
 *
 * The decisions are the pure rules of domain/case: what an action does, what time does, what comes
 * next. This workflow only keeps the state, waits, and carries out the effects through activities:
 * journal entries, messages, call tasks, alerts, the handoff. People act through Updates, each
 * validated first, so a refused action never reaches the history.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type RetryPolicy, type UpdateDefinition } from '@temporalio/common';
import type { CaseActivities, CaseView, JournalDraft, RaisedAlert, SendMessageResult } from '../activities/contracts';
import {
  applyAlertAcknowledged,
  openAlertKinds,
  trackAlert,
  validateAlertAcknowledgement,
  type OpenAlert,
} from '../domain/case/alerts';
import * as rules from '../domain/case/actions';
import { applyChannelClosed, applyDebtorWrote, applyFormalNoticeReceived } from '../domain/case/channel-events';
import type { CaseEffect, InstallmentPlanStart, PlanSignal } from '../domain/case/effects';
import { applyCancelPlan, applyPlanEvent, planSignalsDue, validateCancelPlan } from '../domain/case/installment-plan';
import { advance, contactMayGo, formalNoticeDeadline, nextWakeAt, recordContactResult } from '../domain/case/progress';
import {
  balanceCents,
  dossierStatement,
  initialCaseState,
  isTerminal,
  nextSequence,
  planIsLive,
  prescriptionOf,
  todayOf,
} from '../domain/case/state';
import type { CaseInput, CaseState, InstallmentPlanAgreement, PendingContact, PlanContact } from '../domain/case/types';
import { CURRENT_RULES_VERSION, RULES_VERSIONS, followsRules } from '../domain/case/rules-version';
import { noteUnpublishedLegalRate } from '../domain/case/rates';
import { messageFacts } from '../domain/case/prescription-review';
import { messageAmountsFor } from '../domain/case/message-amounts';
import { caseSnapshot } from '../domain/case/view';
import {
  acknowledgeAlertUpdate,
  agreeInstallmentPlanUpdate,
  cancelCaseUpdate,
  cancelInstallmentPlanUpdate,
  channelClosedSignal,
  debtorWroteSignal,
  formalNoticeReceivedSignal,
  getCaseQuery,
  openDisputeUpdate,
  pauseCaseUpdate,
  recordCallOutcomeUpdate,
  recordPaymentUpdate,
  recordPromiseUpdate,
  recordReplyUpdate,
  resolveDisputeUpdate,
  resumeCaseUpdate,
} from './case-definitions';
import type { installmentPlan } from './installment-plan';
import { PLAN_WORKFLOW_TYPE, planControlSignal, planEventSignal, planPaymentSignal } from './plan-definitions';
import {
  BalanceCents,
  CaseStage,
  CaseStatus,
  CreditorId,
  DebtorKind,
  NextActionAt,
  OpenAlerts,
} from './search-attributes';

// Providers and the database come back; the idempotency keys make every retry safe.
const RETRY: RetryPolicy = {
  initialInterval: '10 seconds',
  backoffCoefficient: 2,
  maximumInterval: '30 minutes',
  maximumAttempts: 20,
};

const activities = proxyActivities<CaseActivities>({ startToCloseTimeout: '2 minutes', retry: RETRY });

/**
 * What talks to a provider heartbeats (activities/heartbeat.ts): a worker that dies mid-call is
 * noticed in seconds, and the retry reports the claimed send instead of waiting minutes to.
 */
const outbound = proxyActivities<Pick<CaseActivities, 'sendMessage' | 'handOffCase'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: RETRY,
});

/**
 * The bookkeeping (journal entries, the stored projection, the rate table read) is idempotent and
 * touches only our database: as local activities it runs inside the workflow task that asks for it
 * instead of costing a task of its own each (issue 14: a standard case to handoff took 2.25× the
 * workflow tasks of a bare workflow doing the same world-acting work). The case waits for them
 * (its next step needs them written), and only our database can make them fail: retried sooner
 * than a provider call, so that a database back after a restart does not leave the case waiting
 * out a long backoff (the fault-injection run settled 140 s after the burst with RETRY's 10 s
 * doubling), for as long overall (about 5 hours) as RETRY allows.
 */
const BOOKKEEPING_RETRY: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '2 minutes',
  maximumAttempts: 160,
};

const bookkeeping = proxyLocalActivities<Pick<CaseActivities, 'recordJournal' | 'saveCaseProjection' | 'currentRates'>>(
  {
    startToCloseTimeout: '30 seconds',
    retry: BOOKKEEPING_RETRY,
    // Every retry waits in a timer, never inside a held workflow task: while the database is down
    // the case still answers actions and queries (a held task delays them until its heartbeat).
    localRetryThreshold: '1 second',
  },
);

/**
 * Cases that recorded this keep their books through local activities; histories from before
 * scheduled them as activities and replay so.
 */
export const BOOKKEEPING_LOCAL_PATCH = 'bookkeeping-local-activities';

/** Plans agreed from this version on get their own workflow, a confirmation, reminders, a default rule. */
export const PLAN_MONITORING_PATCH = 'installment-plan-monitoring';

/** What a plan's message needs to state: the schedule, and the installment it is about. */
function planMessageDetails(contact: PlanContact, plan: InstallmentPlanAgreement) {
  return {
    planNumber: contact.planNumber,
    schedule: plan.installments.map(({ dueDate, amountCents }) => ({ dueDate, amountCents })),
    ...(contact.index !== undefined && contact.dueDate && contact.amountDueCents !== undefined
      ? { installment: { number: contact.index + 1, dueDate: contact.dueDate, amountDueCents: contact.amountDueCents } }
      : {}),
  };
}

/**
 * Cases count their open manager alerts (the `OpenAlerts` search attribute, the Web UI's line) from
 * this version on; histories from before raised alerts without counting them and replay so.
 */
export const OPEN_ALERTS_PATCH = 'open-alerts-kept';

/**
 * Cases that recorded this read the rate table from the store (an activity, so replay sees the
 * same table) before they compute the amounts of a message or of the dossier. Its own patch on top
 * of the compliance-review rules: histories of those rules recorded before it replay without the read.
 */
export const RATES_FROM_STORE_PATCH = 'rates-from-store';

/**
 * Cases that recorded this follow the rules of the compliance review (issue 13); cases already
 * running when it shipped keep their original rules until they continue as new
 * (domain/case/rules-version.ts).
 */
export const COMPLIANCE_REVIEW_PATCH = 'compliance-review-rules';

/**
 * Cases that recorded this follow the opening-spread rules (issue 14): a message deferred to a
 * window opening goes at the case's own offset after it. Histories of the compliance review
 * recorded before it replay with every deferred message at the opening.
 */
export const OPENING_SPREAD_PATCH = 'opening-spread-rules';

/**
 * Cases that recorded this answer an action only once the view with it is saved (issue 14), so
 * `GET /cases/:id` reads the saved view instead of replaying the workflow for a query. Steps taken
 * on a timer still save once, after their effects. Histories recorded before it answered at once
 * and saved the view after the effects.
 */
export const PUBLISH_BEFORE_EFFECTS_PATCH = 'publish-before-effects';

/** Long-lived cases start a fresh history, carrying their state, before it grows unwieldy. */
const MAX_HISTORY_EVENTS = 5_000;

export async function collectionCase(input: CaseInput, carried?: CaseState): Promise<CaseView> {
  const state = carried ?? initialCaseState(input);
  // Not `state.rulesVersion`: a fresh state says the current rules, which an unpatched history
  // (a case started before the review) must not follow. Only a carried state knows its version.
  state.rulesVersion = patched(COMPLIANCE_REVIEW_PATCH)
    ? patched(OPENING_SPREAD_PATCH)
      ? CURRENT_RULES_VERSION
      : RULES_VERSIONS.complianceReview
    : (carried?.rulesVersion ?? RULES_VERSIONS.original);
  const books = patched(BOOKKEEPING_LOCAL_PATCH) ? bookkeeping : activities;
  const publishesBeforeEffects = patched(PUBLISH_BEFORE_EFFECTS_PATCH);
  const now = (): string => new Date().toISOString();
  const effects: CaseEffect[] = [];
  let published = -1;
  /** The last save of the view, settled or in flight. */
  let saving: Promise<void> = Promise.resolve();

  const view = (): CaseView => caseSnapshot(state, now(), workflowInfo().workflowId);

  /** Changes the state through a rule and queues what the rule asks for. */
  const change = (rule: () => CaseEffect[]): void => {
    const produced = rule();
    state.revision += 1;
    const decidedAt = now();
    effects.push(...produced.map((effect) => (effect.kind === 'journal' ? { ...effect, decidedAt } : effect)));
  };

  /** Every action: a validator that refuses without a trace, then the change, then the live Case. */
  function handleAction<Input>(
    update: UpdateDefinition<CaseView, [Input, rules.Actor]>,
    validate: (input: Input, actor: rules.Actor) => void,
    apply: (input: Input, actor: rules.Actor) => CaseEffect[],
  ): void {
    setHandler(
      update,
      (input: Input, actor: rules.Actor) => {
        change(() => apply(input, actor));
        // Scheduled now, in the task that answers: the server hears the answer only once the task's
        // local activities are done, so GET /cases/:id, which reads the saved view, shows the
        // change as soon as the answer is out. Not awaited: an update handler that awaits a local
        // activity failed to replay (SDK 1.24: its completion lands after the marker).
        // A failed save surfaces in the main loop, which waits for this same save.
        if (publishesBeforeEffects) publish().catch(() => undefined);
        return view();
      },
      {
        validator: (input: Input, actor: rules.Actor) => {
          try {
            validate(input, actor);
          } catch (err) {
            if (err instanceof rules.CaseRuleViolation) {
              throw ApplicationFailure.create({
                type: err.code,
                message: err.message,
                nonRetryable: true,
                details: err.field ? [{ field: err.field }] : [],
              });
            }
            throw err;
          }
        },
      },
    );
  }

  setHandler(getCaseQuery, view);
  handleAction(
    recordPaymentUpdate,
    (payment) => rules.validatePayment(state, payment, now()),
    (payment, actor) => rules.applyPayment(state, payment, now(), actor),
  );
  handleAction(
    recordPromiseUpdate,
    (promise) => rules.validatePromise(state, promise, now()),
    (promise, actor) => rules.applyPromise(state, promise, now(), actor),
  );
  handleAction(
    recordReplyUpdate,
    (reply) => rules.validateReply(state, reply),
    (reply, actor) => rules.applyReply(state, reply, now(), actor),
  );
  handleAction(
    recordCallOutcomeUpdate,
    (outcome) => rules.validateCallOutcome(state, outcome, now()),
    (outcome) => rules.applyCallOutcome(state, outcome, now()),
  );
  handleAction(
    openDisputeUpdate,
    (dispute) => rules.validateDispute(state, dispute),
    (dispute, actor) => rules.applyDispute(state, dispute, now(), actor),
  );
  handleAction(
    resolveDisputeUpdate,
    (resolution) => rules.validateDisputeResolution(state, resolution),
    (resolution, actor) => rules.applyDisputeResolution(state, resolution, now(), actor),
  );
  handleAction(
    agreeInstallmentPlanUpdate,
    (plan, actor) => rules.validateInstallmentPlan(state, plan, now(), actor),
    // Cases that agreed a plan before plans were monitored replay as they ran: recorded only.
    (plan, actor) =>
      rules.applyInstallmentPlan(state, plan, now(), actor, { monitored: patched(PLAN_MONITORING_PATCH) }),
  );
  handleAction(
    cancelInstallmentPlanUpdate,
    (cancel) => validateCancelPlan(state, cancel),
    (cancel, actor) => applyCancelPlan(state, cancel, now(), actor),
  );
  handleAction(
    acknowledgeAlertUpdate,
    (ack) => validateAlertAcknowledgement(state, ack),
    (ack) => applyAlertAcknowledged(state, ack, now()),
  );
  setHandler(planEventSignal, (event) => change(() => applyPlanEvent(state, event, now())));
  setHandler(channelClosedSignal, (event) => change(() => applyChannelClosed(state, event, now())));
  setHandler(debtorWroteSignal, (event) => change(() => applyDebtorWrote(state, event, now())));
  setHandler(formalNoticeReceivedSignal, (event) => change(() => applyFormalNoticeReceived(state, event, now())));
  handleAction(
    pauseCaseUpdate,
    (pause) => rules.validatePause(state, pause, now()),
    (pause, actor) => rules.applyPause(state, pause, now(), actor),
  );
  handleAction(
    resumeCaseUpdate,
    () => rules.validateResume(state),
    (_none, actor) => rules.applyResume(state, now(), actor),
  );
  handleAction(
    cancelCaseUpdate,
    (cancel) => rules.validateCancel(state, cancel),
    (cancel, actor) => rules.applyCancel(state, cancel, now(), actor),
  );

  /** An alert raised by an effect or reported by an activity: open until a manager acknowledges it. */
  function keepAlert(alert: OpenAlert): void {
    if (!patched(OPEN_ALERTS_PATCH)) return;
    change(() => {
      trackAlert(state, alert);
      return [];
    });
  }

  const journalDraft = (effect: CaseEffect & { kind: 'journal' }): JournalDraft => ({
    caseId: input.caseId,
    idempotencyKey: `${input.caseId}:journal:${nextSequence(state)}`,
    at: effect.decidedAt ?? now(),
    ...effect.note,
  });

  /** A message decided earlier goes out only if nothing stopped the sequence (or the plan) meanwhile. */
  async function sendContact(contact: PendingContact, tone: string, template: string): Promise<void> {
    if (!contactMayGo(state, contact)) {
      // Not sent: it waits for the sequence to resume (or is dropped with a closed case or plan).
      state.contacts = state.contacts.filter(
        (made) => made.at !== contact.notBefore || made.channel !== contact.channel,
      );
      const stillWanted = contact.plan ? planIsLive(state) : true;
      if (!isTerminal(state.status) && stillWanted) state.pending.push({ ...contact, notBefore: now() });
      return;
    }
    await refreshRates();
    let result: Pick<SendMessageResult, 'status' | 'closeChannel' | 'alertRaised'>;
    // R1 per invoice: what the message demands, names and announces (domain/case/prescription-review.ts).
    const facts = messageFacts(state, now(), contact.plan ? 'none' : contact.stage);
    try {
      result = await outbound.sendMessage({
        caseId: input.caseId,
        idempotencyKey: messageKey(contact),
        stage: contact.stage,
        channel: contact.channel as 'email' | 'sms' | 'letter',
        tone: tone as 'courteous' | 'firm' | 'formal',
        template,
        debtorKind: input.debtorKind,
        timeBarred: facts.timeBarred,
        amounts: messageAmountsFor(state, now(), contact),
        invoiceNumbers: facts.invoiceNumbers,
        ...(facts.barredInvoices.length > 0 ? { barredInvoices: facts.barredInvoices } : {}),
        ...(facts.formalNoticeFollows === undefined ? {} : { formalNoticeFollows: facts.formalNoticeFollows }),
        ...(contact.stage === 'formal_notice' && !contact.plan
          ? { formalNoticeDeadline: formalNoticeDeadline(state, todayOf(now())) }
          : {}),
        ...(contact.plan && state.plan ? { installmentPlan: planMessageDetails(contact.plan, state.plan) } : {}),
        at: now(),
      });
    } catch {
      result = { status: 'failed' };
    }
    change(() => recordContactResult(state, contact, result, now()));
    const raised: RaisedAlert | undefined = result.alertRaised;
    if (raised) keepAlert({ key: raised.idempotencyKey, kind: raised.kind, sendKey: messageKey(contact), contact });
  }

  /**
   * The rates a manager entered take effect at the next computation: the table is read before
   * amounts are computed, and a half-year without its legal rate is journaled once.
   */
  async function refreshRates(): Promise<void> {
    if (!followsRules(state, RULES_VERSIONS.complianceReview) || !patched(RATES_FROM_STORE_PATCH)) return;
    state.rateTable = await books.currentRates();
    const notes = noteUnpublishedLegalRate(state, now());
    const journal = notes.filter((effect): effect is CaseEffect & { kind: 'journal' } => effect.kind === 'journal');
    if (journal.length) await books.recordJournal(journal.map(journalDraft));
  }

  /** (case, step, channel), or for a plan's message (case, plan, message, installment, channel). */
  function messageKey(contact: PendingContact): string {
    const { plan } = contact;
    if (!plan) return `${input.caseId}:${contact.stage}:${contact.channel}`;
    // The due date too: a plan resumed after a dispute reminds an installment again for its new date.
    const installment = plan.index === undefined ? '' : `-${plan.index + 1}-${plan.dueDate ?? ''}`;
    return `${input.caseId}:plan-${plan.planNumber}:${plan.kind}${installment}:${contact.channel}`;
  }

  /**
   * Carries out queued effects until none is left (carrying one out may queue more); last, tells
   * the plan's workflow whatever it has not heard yet.
   */
  async function carryOutEffects(): Promise<void> {
    for (;;) {
      if (effects.length === 0) effects.push(...planSignalsDue(state));
      if (effects.length === 0) return;
      const batch = effects.splice(0, effects.length);
      const notes = batch.filter((effect): effect is CaseEffect & { kind: 'journal' } => effect.kind === 'journal');
      if (notes.length) await books.recordJournal(notes.map(journalDraft));
      for (const effect of batch) {
        switch (effect.kind) {
          case 'contact':
            await sendContact(effect.contact, effect.tone, effect.template);
            break;
          case 'create_call_task':
            await activities.createCallTask({
              caseId: input.caseId,
              taskId: effect.task.id,
              reason: effect.task.reason,
              dueAt: effect.task.dueAt,
              balanceCents: balanceCents(state, now()),
            });
            break;
          case 'close_call_task':
            await activities.closeCallTask({
              caseId: input.caseId,
              taskId: effect.taskId,
              outcome: effect.outcome,
              ...(effect.agentId ? { agentId: effect.agentId } : {}),
              at: now(),
            });
            break;
          case 'alert': {
            const idempotencyKey = `${input.caseId}:alert:${nextSequence(state)}`;
            await activities.raiseManagerAlert({
              caseId: input.caseId,
              idempotencyKey,
              kind: effect.alert,
              message: effect.message,
              at: now(),
            });
            keepAlert({ key: idempotencyKey, kind: effect.alert });
            break;
          }
          case 'reopen_send':
            await activities.reopenUnknownSend({ caseId: input.caseId, idempotencyKey: effect.idempotencyKey });
            break;
          case 'handoff': {
            await refreshRates();
            const handed = await outbound.handOffCase({
              caseId: input.caseId,
              idempotencyKey: `${input.caseId}:handoff`,
              at: now(),
              statement: dossierStatement(state, now()),
              prescription: prescriptionOf(state, now()),
            });
            if (handed.alertRaised)
              keepAlert({ key: handed.alertRaised.idempotencyKey, kind: handed.alertRaised.kind });
            break;
          }
          case 'start_installment_plan':
            await startPlanWorkflow(effect.start);
            break;
          case 'signal_installment_plan':
            await signalPlanWorkflow(effect.workflowId, effect.signal);
            break;
          case 'journal':
            break;
        }
      }
    }
  }

  /**
   * The plan's own workflow, a child of this case in the Web UI. Abandoned rather than ended when
   * this run closes: a case that continues as new keeps its plan running.
   */
  async function startPlanWorkflow(start: InstallmentPlanStart): Promise<void> {
    try {
      await startChild<typeof installmentPlan>(PLAN_WORKFLOW_TYPE, {
        workflowId: start.workflowId,
        args: [
          {
            caseId: input.caseId,
            caseWorkflowId: workflowInfo().workflowId,
            planNumber: start.planNumber,
            agreedOn: start.agreedOn,
            rules: start.rules,
            installments: start.installments,
            currency: input.currency,
            ...(input.planHistoryLimit ? { historyLimit: input.planHistoryLimit } : {}),
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `Échéancier n°${start.planNumber} de la créance ${input.reference}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /** A plan that has already finished cannot be told anything more: nothing is lost by that. */
  async function signalPlanWorkflow(workflowId: string, signal: PlanSignal): Promise<void> {
    const plan = getExternalWorkflowHandle(workflowId);
    try {
      if (signal.kind === 'payment') await plan.signal(planPaymentSignal, signal.payment);
      else await plan.signal(planControlSignal, signal.control);
    } catch {
      // ExternalWorkflowExecutionNotFound: the plan's workflow has ended.
    }
  }

  /** Keeps the database projection, the search attributes and the Web UI's details current. */
  async function publish(): Promise<void> {
    // Saved already, or being saved (an action's answer started it): wait for that save, so the
    // case never moves on, nor ends, before its view is stored.
    if (published === state.revision) return saving;
    published = state.revision;
    const current = view();
    upsertSearchAttributes([
      { key: CaseStatus, value: current.status },
      { key: CaseStage, value: current.stage },
      { key: BalanceCents, value: current.amounts.balanceCents },
      { key: CreditorId, value: current.creditorId },
      { key: DebtorKind, value: current.debtorKind },
      { key: NextActionAt, value: current.nextAction ? new Date(current.nextAction.at) : null },
    ]);
    // Only cases that count alerts carry it: older histories replay the upsert they recorded.
    if (state.openAlerts !== undefined) {
      const kinds = openAlertKinds(state);
      upsertSearchAttributes([{ key: OpenAlerts, value: kinds.length ? kinds : null }]);
    }
    setCurrentDetails(current.summary);
    // One save at a time (saveView reads, then replaces: two at once could end at the older
    // revision). Only an action's save can still be in flight here, so older histories, whose
    // saves were all awaited, schedule theirs at once as they recorded it.
    const previous = saving;
    saving = publishesBeforeEffects
      ? previous.catch(() => undefined).then(() => books.saveCaseProjection(current))
      : books.saveCaseProjection(current);
    await saving;
  }

  if (!carried) {
    change(() => [
      {
        kind: 'journal',
        note: {
          type: 'case_opened',
          summary: `Dossier ouvert (politique ${input.policyId})`,
          actor: { role: 'system' },
        },
      },
    ]);
  }

  for (;;) {
    const progressed = advance(state, now());
    if (progressed.length) change(() => progressed);
    await carryOutEffects();
    await publish();
    if (isTerminal(state.status) && effects.length === 0) break;

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) {
      await condition(allHandlersFinished);
      await carryOutEffects();
      await publish();
      await continueAsNew<typeof collectionCase>(input, state);
    }

    const seen = state.revision;
    const wakeAt = nextWakeAt(state, now());
    const changed = () => state.revision !== seen || effects.length > 0;
    if (wakeAt === null) await condition(changed);
    else await condition(changed, Math.max(1, Date.parse(wakeAt) - Date.now()));
  }
  await condition(allHandlersFinished);
  return view();
}
