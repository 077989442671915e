/**
 * What a decision about a case asks the outside world to do. The rules in this folder only return
 * effects; the case workflow carries them out through activities. That keeps every decision a pure
 * function of (state, input, now), testable without Temporal.
 */
import type { CallTask, IsoInstant, PendingContact, SealedText } from './types';
import type { Channel, Stage } from '../types';
import type { PlanRules } from '../installments';
import type { Payment } from '../money';

/** Statuses a journal entry about a message can carry (docs/api.md, Journal entry). */
export type MessageStatusForJournal = 'sent' | 'simulated' | 'failed' | 'deferred' | 'blocked';

export type ActorRole = 'system' | 'operations' | 'agent' | 'manager' | 'debtor';

export interface JournalNote {
  type: string;
  summary: string;
  channel?: Channel | 'api' | 'system';
  stage?: Stage;
  status?: MessageStatusForJournal;
  actor: { role: ActorRole; id?: string };
  sealedText?: SealedText;
}

export type CaseEffect =
  /**
   * `decidedAt`: the instant of the change that wrote the note, set by the workflow when it queues
   * it. The entry carries that time, not the later one at which the bookkeeping ran (the view is
   * saved in between, and workflow time moves on with each local activity).
   */
  | { kind: 'journal'; note: JournalNote; decidedAt?: IsoInstant }
  | { kind: 'contact'; contact: PendingContact; tone: string; template: string }
  | { kind: 'create_call_task'; task: CallTask }
  | { kind: 'close_call_task'; taskId: string; outcome: string; agentId?: string }
  | { kind: 'alert'; alert: string; message: string }
  /** A manager said "send it again": the unknown send becomes claimable under its key. */
  | { kind: 'reopen_send'; idempotencyKey: string }
  | { kind: 'handoff' }
  | { kind: 'start_installment_plan'; start: InstallmentPlanStart }
  | { kind: 'signal_installment_plan'; workflowId: string; signal: PlanSignal };

/** What the case workflow needs to start a plan's own workflow (workflows/installment-plan.ts). */
export interface InstallmentPlanStart {
  workflowId: string;
  planNumber: number;
  agreedOn: string;
  installments: { dueDate: string; amountCents: number }[];
  rules: PlanRules;
}

/** A payment to forward, or a change of mode (suspend, resume, end). */
export type PlanSignal =
  | { kind: 'payment'; payment: Payment }
  | {
      kind: 'control';
      control:
        | { action: 'suspend' }
        | { action: 'resume' }
        | { action: 'end'; outcome: 'cancelled' | 'replaced' | 'case_closed' };
    };
