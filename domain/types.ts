/**
 * The vocabulary shared by the domain rules. Everything in domain/ is pure: no Temporal, no I/O,
 * no clock. The current instant is always an argument, so workflow code can call these functions
 * deterministically and tests can pin any date.
 *
 * Conventions:
 * - money is an integer number of cents (`…Cents`), never a float;
 * - a calendar day is a `CalendarDate` string `YYYY-MM-DD`, read in Europe/Paris;
 * - an instant is a `Date`.
 */

/** `YYYY-MM-DD`, a day in Europe/Paris. */
export type CalendarDate = string;

export const PARIS = 'Europe/Paris';

export const DEBTOR_KINDS = ['consumer', 'business'] as const;
export type DebtorKind = (typeof DEBTOR_KINDS)[number];

/**
 * What the claim is, for the limitation period (R1). When not given it follows from the debtor:
 * a consumer owes a professional for goods or services, a business owes a commercial claim.
 */
export const CLAIM_TYPES = ['consumer_goods_services', 'commercial', 'civil', 'residential_rent'] as const;
export type ClaimType = (typeof CLAIM_TYPES)[number];

export interface Invoice {
  number: string;
  issueDate: CalendarDate;
  dueDate: CalendarDate;
  amountCents: number;
  /** Date the goods were delivered or the service performed, when known (prescription start). */
  performanceDate?: CalendarDate;
}

export interface Claim {
  /** What was sold or done, e.g. "Prestation de maintenance, octobre 2025". */
  nature: string;
  /** The evidence the claim exists (contract, order, delivery proof): what makes it *certaine*. */
  basis: string;
  currency: string;
  invoices: Invoice[];
  type?: ClaimType;
}

export const STAGES = ['none', 'reminder_1', 'reminder_2', 'final_reminder', 'formal_notice', 'handoff'] as const;
export type Stage = (typeof STAGES)[number];

/** Automated channels are sent by the system; `call` creates a task for a person. */
export const CHANNELS = ['email', 'sms', 'letter', 'call'] as const;
export type Channel = (typeof CHANNELS)[number];

export const TONES = ['courteous', 'firm', 'formal'] as const;
export type Tone = (typeof TONES)[number];

export const DAY_MS = 24 * 60 * 60 * 1000;
