/**
 * What the case workflow asks of the outside world. Workflows import these types only (never the
 * implementations), so the activities can change transport (simulated, SendGrid, Twilio, a
 * registered-letter provider) without touching workflow code or its recorded histories.
 *
 * Inputs and results carry no personal data (R7): the activities read the debtor's contact details
 * from the database by case id.
 */
import type { DeferralReason } from '../domain/contact-limits';
import type { IsoInstant, SealedText } from '../domain/case/types';
import type { CaseSnapshot } from '../domain/case/view';
import type { ClaimPrescription } from '../domain/prescription';
import type { RateTable } from '../domain/late-charges';
import type { Statement } from '../domain/statement';
import type { CalendarDate, Channel, DebtorKind, Stage, Tone } from '../domain/types';

export type WrittenChannel = Exclude<Channel, 'call'>;
export type MessageStatus = 'sent' | 'simulated' | 'failed' | 'deferred' | 'blocked';

export type { MessageAmounts, MessageLateCharges } from '../domain/case/message-amounts';
import type { MessageAmounts } from '../domain/case/message-amounts';

export interface SendMessageInput {
  caseId: string;
  /** (case, step, channel): a retried or replayed send with this key is never sent twice. */
  idempotencyKey: string;
  stage: Stage;
  channel: WrittenChannel;
  tone: Tone;
  template: string;
  debtorKind: DebtorKind;
  timeBarred: boolean;
  amounts: MessageAmounts;
  /** The invoices the message demands (R1: never a time-barred one). */
  invoiceNumbers: string[];
  /** Time-barred invoices still owed: stated as payable voluntarily, never demanded (R1, per invoice). */
  barredInvoices?: { number: string; outstandingCents: number }[];
  /**
   * Final reminder only: whether the mise en demeure it would announce will really come (R4). False:
   * the message must not mention one (domain/compliance/check-message.ts blocks it).
   */
  formalNoticeFollows?: boolean;
  /** Mise en demeure only: the last day to pay. */
  formalNoticeDeadline?: CalendarDate;
  /** A message of an installment plan: the schedule, and the installment it is about. */
  installmentPlan?: {
    planNumber: number;
    schedule: { dueDate: CalendarDate; amountCents: number }[];
    installment?: { number: number; dueDate: CalendarDate; amountDueCents: number };
  };
  at: IsoInstant;
}

export interface SendMessageResult {
  status: Exclude<MessageStatus, 'deferred'>;
  providerMessageId?: string;
  /** Why it was blocked or failed, in words for the journal (never personal data). */
  summary: string;
  /** The channel turned out to be unusable (bounce, invalid number, opt-out): close it. */
  closeChannel?: boolean;
  /** A manager alert was raised about this send (its outcome is unknown): the case counts it open. */
  alertRaised?: RaisedAlert;
}

/** An alert an activity raised, named by the key that raised it. */
export interface RaisedAlert {
  idempotencyKey: string;
  kind: string;
}

export interface ManagerAlertInput {
  caseId: string;
  idempotencyKey: string;
  kind: string;
  /** French, the system's own words: no personal data. */
  message: string;
  /** The case's time; absent in histories from before, when the activity's clock is used. */
  at?: IsoInstant;
  /** For an unknown message outcome: the send it is about. */
  send?: { idempotencyKey: string; stage: Stage; channel: WrittenChannel };
}

export interface CallTaskInput {
  caseId: string;
  taskId: string;
  reason: string;
  dueAt: IsoInstant;
  balanceCents: number;
}

export interface CloseCallTaskInput {
  caseId: string;
  taskId: string;
  outcome: string;
  agentId?: string;
  /** The case's time; absent in histories from before, when the activity's clock is used. */
  at?: IsoInstant;
}

export type ActorRole = 'system' | 'operations' | 'agent' | 'manager' | 'debtor';

/** A journal entry as the workflow drafts it; the activity writes it once per idempotency key. */
export interface JournalDraft {
  caseId: string;
  idempotencyKey: string;
  at: IsoInstant;
  type: string;
  summary: string;
  channel?: Channel | 'api' | 'system';
  stage?: Stage;
  status?: MessageStatus;
  actor: { role: ActorRole; id?: string };
  /** Free text a person typed, sealed: the activity opens it and stores it as the entry's body. */
  sealedText?: SealedText;
}

export interface HandOffInput {
  caseId: string;
  idempotencyKey: string;
  at: IsoInstant;
  /**
   * The dated breakdown and the prescription status as the case computes them at handoff. Absent
   * in histories recorded before the dossier existed: the activity then works from the projection.
   */
  statement?: Statement;
  prescription?: ClaimPrescription;
}

/** The live Case without personal data; the API merges the debtor's details from the database. */
export type CaseView = CaseSnapshot;

export interface CaseActivities {
  sendMessage(input: SendMessageInput): Promise<SendMessageResult>;
  createCallTask(input: CallTaskInput): Promise<void>;
  /** `agentId`: who recorded the outcome that closed it (none when the case closed it). */
  closeCallTask(input: CloseCallTaskInput): Promise<void>;
  recordJournal(entries: JournalDraft[]): Promise<void>;
  saveCaseProjection(view: CaseView): Promise<void>;
  /** The file goes to a commissaire de justice: build and deliver the dossier (R6). */
  handOffCase(input: HandOffInput): Promise<{ summary: string; alertRaised?: RaisedAlert }>;
  raiseManagerAlert(input: ManagerAlertInput): Promise<void>;
  /** A manager said "send it again" about a send of unknown outcome: make it claimable once more. */
  reopenUnknownSend(input: { caseId: string; idempotencyKey: string }): Promise<void>;
  /** The rate table in force (config/rates.json and the managers' entries), without the sources. */
  currentRates(): Promise<RateTable>;
}

export type { DeferralReason };
