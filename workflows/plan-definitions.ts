/**
 * The installment-plan workflow's public surface, shared by the case workflow (its parent), the
 * plan workflow itself and their clients. The two workflows talk by signals to each other's
 * workflow id, never by run: either may continue as new without the other noticing.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PlanEventForCase } from '../domain/case/installment-plan';
import type { AgreedInstallment, InstallmentView, PlanOutcome, PlanProgress, PlanRules } from '../domain/installments';
import type { Payment } from '../domain/money';
import type { CalendarDate } from '../domain/types';

export const PLAN_WORKFLOW_TYPE = 'installmentPlan';
export { planWorkflowIdOf as planWorkflowId } from '../domain/case/state';

export interface InstallmentPlanInput {
  caseId: string;
  /** Where the plan reports: reminders and missed installments to send, its default. */
  caseWorkflowId: string;
  planNumber: number;
  agreedOn: CalendarDate;
  rules: PlanRules;
  installments: AgreedInstallment[];
  currency: string;
  /** History length after which the plan continues as new (default 2,000 events). */
  historyLimit?: number;
}

/** Case → plan: a payment recorded on the case since the agreement. */
export const planPaymentSignal = defineSignal<[Payment]>('planPayment');

/** Case → plan: the case was disputed or paused (suspend), is back (resume), or the plan stops (end). */
export type PlanControl =
  | { action: 'suspend' }
  | { action: 'resume' }
  | { action: 'end'; outcome: Exclude<PlanOutcome, 'completed' | 'defaulted'> };
export const planControlSignal = defineSignal<[PlanControl]>('planControl');

/** Plan → case: what the plan's course asks of the case. `planNumber` lets the case ignore a replaced plan. */
export type { PlanEventForCase };
export const planEventSignal = defineSignal<[PlanEventForCase]>('installmentPlanEvent');

export interface PlanView {
  caseId: string;
  planNumber: number;
  agreedOn: CalendarDate;
  installments: InstallmentView[];
  progress: PlanProgress;
  suspended: boolean;
  outcome: PlanOutcome | null;
  summary: string;
}

export const getPlanQuery = defineQuery<PlanView>('getPlan');
