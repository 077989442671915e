/**
 * The state of one créance as the case workflow holds it. It carries no personal data (R7):
 * names, addresses, e-mail addresses and phone numbers stay in the database, and free text that a
 * person typed (a reply, a note, a dispute reason) travels sealed (`SealedText`), so the Temporal
 * history that the Web UI shows holds ids, amounts, dates and decisions only.
 */
import type { Payment } from '../money';
import type { PrescriptionEvent } from '../prescription';
import type { CalendarDate, Channel, ClaimType, DebtorKind, Invoice, Stage } from '../types';
import type { DeferralReason } from '../contact-limits';
import type { HolidayRegion } from '../calendar';
import type { PlanOutcome } from '../installments';
import type { RateTable } from '../late-charges';
import type { OpenAlert } from './alerts';

export const OPEN_STATUSES = ['active', 'promise_to_pay', 'disputed', 'installment_plan', 'paused'] as const;
export const TERMINAL_STATUSES = ['paid', 'handed_off', 'cancelled', 'unrecoverable'] as const;
export const CASE_STATUSES = [...OPEN_STATUSES, ...TERMINAL_STATUSES] as const;
export type OpenStatus = (typeof OPEN_STATUSES)[number];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Text sealed by the API (AES-GCM): opaque to workflow code, opened only by the journal activity. */
export type SealedText = string;

/** Instants are ISO strings in state: state crosses Temporal payloads and continue-as-new as JSON. */
export type IsoInstant = string;

export interface CaseInput {
  caseId: string;
  reference: string;
  creditorId: string;
  debtorKind: DebtorKind;
  policyId: string;
  currency: string;
  invoices: Invoice[];
  claimType?: ClaimType;
  openedAt: IsoInstant;
  /**
   * The channels the debtor has an address or a number for (booleans, no contact data: R7). Absent
   * for cases opened before intake told it: every channel then counts as reachable, as it did.
   */
  reachableChannels?: Channel[];
  /**
   * The debtor's public-holiday calendar, from the postal code of their address at intake (R4:
   * Alsace-Moselle keeps Good Friday and 26 December). A flag, never the address (R7). Absent for
   * cases opened before intake told it: the general calendar, as they had.
   */
  holidayRegion?: HolidayRegion;
  /** Acknowledgements or mediation known at intake (R1). */
  prescriptionEvents?: PrescriptionEvent[];
  /** History length after which the workflow continues as new (default 5,000 events). */
  historyLimit?: number;
  /** The same for the case's installment-plan workflows (default 2,000 events). */
  planHistoryLimit?: number;
}

export const CALL_OUTCOMES = [
  'reached',
  'no_answer',
  'voicemail',
  'wrong_number',
  'refused',
  'callback_requested',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const DISPUTE_OUTCOMES = ['rejected', 'upheld', 'adjusted'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];

export const INBOUND_CHANNELS = ['email', 'sms', 'letter', 'phone', 'web'] as const;
export type InboundChannel = (typeof INBOUND_CHANNELS)[number];

export interface PaymentPromise {
  amountCents: number;
  promisedDate: CalendarDate;
  /** Paid total when the promise was made: the promise is kept when this grows by amountCents. */
  paidAtPromiseCents: number;
  recordedAt: IsoInstant;
  agentId?: string;
}

export interface Dispute {
  openedAt: IsoInstant;
  reason: SealedText;
  statusBefore: OpenStatus;
}

export interface Pause {
  since: IsoInstant;
  until?: IsoInstant;
  statusBefore: OpenStatus;
}

export interface CallTask {
  id: string;
  reason: string;
  dueAt: IsoInstant;
  status: 'open' | 'done';
}

export interface InstallmentPlanAgreement {
  agreedAt: IsoInstant;
  installments: { dueDate: CalendarDate; amountCents: number }[];
  /**
   * The fields below exist for plans monitored by their own workflow (workflows/installment-plan.ts).
   * A plan agreed before monitoring existed has none of them and is only recorded.
   */
  number?: number;
  /** Id of the plan's workflow: set once it is started. */
  workflowId?: string;
  /** Paid on the case when the plan was agreed: what is paid beyond it goes to the installments. */
  paidAtAgreementCents?: number;
  outcome?: PlanOutcome | null;
  /** Bookkeeping of what the plan's workflow has been told: payments forwarded, mode. */
  forwardedPayments?: number;
  toldMode?: 'running' | 'suspended' | 'ended';
}

/** A message about the plan rather than a step of the policy's sequence. */
export interface PlanContact {
  kind: 'installment_plan_confirmation' | 'installment_reminder' | 'installment_missed';
  planNumber: number;
  /** Which installment (0-based) a reminder or missed notice is about. */
  index?: number;
  amountDueCents?: number;
  dueDate?: CalendarDate;
}

/** A message or call the sequence still has to make, possibly deferred by the contact limits. */
export interface PendingContact {
  stage: Stage;
  channel: Channel;
  notBefore: IsoInstant;
  deferredFor?: DeferralReason[];
  /** Set for a message of the installment plan; its `stage` is then `none`: it is no step of the sequence. */
  plan?: PlanContact;
}

export interface FormalNotice {
  sentOn: CalendarDate;
  /**
   * Last day to pay: posting + assumed delivery + the policy's deadline (R5: from receipt), moved
   * later if the acknowledgement of receipt shows a later receipt. Never earlier than printed.
   */
  deadline: CalendarDate;
  /** From the letter provider's acknowledgement of receipt, when one came. */
  receivedOn?: CalendarDate;
}

export interface CaseState {
  input: CaseInput;
  status: CaseStatus;
  stage: Stage;
  /** Bumped on every change: the projection in the database only ever moves forward. */
  revision: number;
  /** Index in the policy's steps of the next step to run. */
  nextStepIndex: number;
  /** Calendar day the next step is due (spacing is kept from the step before it). */
  nextStepOn: CalendarDate | null;
  lastStepOn: CalendarDate | null;
  pending: PendingContact[];
  contacts: { at: IsoInstant; channel: Channel }[];
  optedOut: Channel[];
  writtenOnly: boolean;
  payments: Payment[];
  overpaidCents: number;
  adjustedPrincipalCents: number | null;
  prescriptionEvents: PrescriptionEvent[];
  prescriptionAlertFor: CalendarDate | null;
  promise: PaymentPromise | null;
  dispute: Dispute | null;
  pause: Pause | null;
  holdUntil: IsoInstant | null;
  callTasks: CallTask[];
  plan: InstallmentPlanAgreement | null;
  formalNotice: FormalNotice | null;
  closedAt: IsoInstant | null;
  /** What happened last, for the one-line summary of the case file. */
  lastEvent: { label: string; at: IsoInstant } | null;
  /** Counter for ids and idempotency keys that are deterministic under replay. */
  sequence: number;
  /** Recent provider event ids (webhooks retry); absent in states carried from before webhooks. */
  providerEventsSeen?: string[];
  /** Alerts not yet acknowledged (domain/case/alerts.ts); absent in states from before alerts were kept. */
  openAlerts?: OpenAlert[];
  /** The rules this case follows (domain/case/rules-version.ts); absent: the original ones. */
  rulesVersion?: number;
  /** Invoices whose bar was journaled (R1, per invoice); absent in states from before the compliance review. */
  barredInvoicesNoted?: string[];
  /**
   * The rate table as the store held it when the case last computed a message's amounts (an
   * activity result, so replay sees the same); absent: the table shipped with the code.
   */
  rateTable?: RateTable;
  /** Half-years whose missing legal rate the journal already stated (domain/case/rates.ts). */
  legalRateGapsNoted?: CalendarDate[];
}

export type { CalendarDate, Channel, Stage };
