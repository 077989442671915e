/**
 * The case workflow's public surface: its Updates (one per action route of the API) and its
 * Query. Shared by the workflow and by its clients (the API, tests), which import this file only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseView } from '../activities/contracts';
import type {
  Actor,
  CallOutcomeInput,
  CancelInput,
  DisputeInput,
  DisputeResolutionInput,
  InstallmentPlanInput,
  PauseInput,
  PaymentInput,
  PromiseInput,
  ReplyInput,
} from '../domain/case/actions';
import type { ChannelClosedEvent, DebtorWroteEvent, FormalNoticeReceivedEvent } from '../domain/case/channel-events';
import type { CancelPlanInput } from '../domain/case/installment-plan';
import type { AlertAcknowledgement } from '../domain/case/alerts';

export const CASE_WORKFLOW_TYPE = 'collectionCase';
export const caseWorkflowId = (caseId: string): string => `case-${caseId}`;

export const getCaseQuery = defineQuery<CaseView>('getCase');

export const recordPaymentUpdate = defineUpdate<CaseView, [PaymentInput, Actor]>('recordPayment');
export const recordPromiseUpdate = defineUpdate<CaseView, [PromiseInput, Actor]>('recordPromise');
export const recordReplyUpdate = defineUpdate<CaseView, [ReplyInput, Actor]>('recordReply');
export const recordCallOutcomeUpdate = defineUpdate<CaseView, [CallOutcomeInput, Actor]>('recordCallOutcome');
export const openDisputeUpdate = defineUpdate<CaseView, [DisputeInput, Actor]>('openDispute');
export const resolveDisputeUpdate = defineUpdate<CaseView, [DisputeResolutionInput, Actor]>('resolveDispute');
export const agreeInstallmentPlanUpdate = defineUpdate<CaseView, [InstallmentPlanInput, Actor]>('agreeInstallmentPlan');
export const pauseCaseUpdate = defineUpdate<CaseView, [PauseInput, Actor]>('pauseCase');
export const resumeCaseUpdate = defineUpdate<CaseView, [Record<string, never>, Actor]>('resumeCase');
export const cancelCaseUpdate = defineUpdate<CaseView, [CancelInput, Actor]>('cancelCase');
export const cancelInstallmentPlanUpdate = defineUpdate<CaseView, [CancelPlanInput, Actor]>('cancelInstallmentPlan');
/** POST /alerts/:id/acknowledge: the case stops counting the alert; "send it again" re-queues the message. */
export const acknowledgeAlertUpdate = defineUpdate<CaseView, [AlertAcknowledgement, Actor]>('acknowledgeAlert');

/** From the provider webhooks: a bounce or an opt-out closes a channel; an inbound SMS is a reply. */
export const channelClosedSignal = defineSignal<[ChannelClosedEvent]>('channelClosed');
export const debtorWroteSignal = defineSignal<[DebtorWroteEvent]>('debtorWrote');
export const formalNoticeReceivedSignal = defineSignal<[FormalNoticeReceivedEvent]>('formalNoticeReceived');
