/**
 * What the providers tell us, once their signatures are checked, in one shape that does not depend
 * on the provider's wire format. The sink decides what each event means for a case.
 */

export type EmailEventKind =
  | 'processed'
  | 'delivered'
  | 'deferred'
  | 'bounced'
  | 'dropped'
  | 'opened'
  | 'clicked'
  | 'spam_report'
  | 'unsubscribed';

export type SmsStatusKind =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'read'
  | 'accepted'
  | 'scheduled'
  | 'canceled';

export type InboundEvent =
  | {
      kind: 'email_event';
      provider: 'sendgrid';
      /** `sg_event_id`: unique per event, so a redelivered batch can be recognised. */
      eventId: string;
      event: EmailEventKind;
      /** Our custom args, which SendGrid returns as top-level fields of each event. */
      caseId?: string;
      idempotencyKey?: string;
      /** `sg_message_id` up to its first '.': the `X-Message-Id` the send returned and we stored. */
      providerMessageId?: string;
      bounceType?: 'bounce' | 'blocked';
      /** The provider's own text: it may quote the address, so it must not be logged (R7). */
      reason?: string;
      at: Date;
    }
  | {
      kind: 'sms_status';
      provider: 'twilio';
      /** A message goes through several statuses: the pair is what is unique. */
      eventId: string;
      providerMessageId: string;
      status: SmsStatusKind;
      errorCode?: string;
      at: Date;
    }
  | {
      kind: 'sms_incoming';
      provider: 'twilio';
      eventId: string;
      /** E.164, as Twilio gives it. */
      from: string;
      to: string;
      body: string;
      optOut: boolean;
      at: Date;
    }
  | LetterEvent;

export const LETTER_EVENT_KINDS = [
  'posted',
  'delivered',
  'returned_undeliverable',
  'refused_by_recipient',
  'not_collected',
] as const;
export type LetterEventKind = (typeof LETTER_EVENT_KINDS)[number];

/** What the registered-letter provider reports about a letter: the proof of sending and of receipt (R5, R6). */
export interface LetterEvent {
  kind: 'letter_event';
  provider: 'letter';
  eventId: string;
  /** The letter's `reference` as we sent it: our idempotency key. */
  idempotencyKey: string;
  event: LetterEventKind;
  /** Tracking number or LRE identifier, when the provider gives one. */
  trackingNumber?: string;
  at: Date;
}

/**
 * What the sink made of an event: `accepted` (on file, or of a kind that needs nothing), `ignored`
 * (not about us: no reference of ours in it, e.g. another application's e-mail on a shared
 * SendGrid account) or `unknown` (it names a message of ours that was never sent: refused, never
 * journaled). Nothing returned means accepted.
 */
export type InboundOutcome = 'accepted' | 'ignored' | 'unknown';

/**
 * Must be idempotent by `eventId`: providers redeliver on any 5xx or timeout, and a batch that failed
 * half-way is redelivered whole.
 */
export interface InboundSink {
  accept(event: InboundEvent): Promise<InboundOutcome | void>;
}

/**
 * Twilio's standard opt-out keywords plus ARRET, the word French-speaking debtors write for it;
 * compared once accents, case and separators are gone, so ARRÊT, "arret" and "Arrêt !" are one.
 */
const OPT_OUT_KEYWORDS = new Set([
  'STOP',
  'STOPALL',
  'STOP ALL',
  'ARRET',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'STOP SMS',
  'STOPSMS',
  // By analogy with STOP SMS: missing a real opt-out costs more (R4) than closing the channel.
  'ARRET SMS',
  'ARRETSMS',
]);

/**
 * Whether an SMS is an opt-out request. Whole message only: "stop appeler svp je paie demain" or
 * "je ne peux pas stopper" is not a keyword but a reply a person must read (it may carry a payment
 * promise or a dispute), and treating it as STOP would silence the channel on a guess. Such replies
 * still reach the case as debtor messages, where a person can act on them. The same goes for verbs
 * sent alone ("arrêtez"): the list is the keywords people are told to send, not every way to say no.
 * Separators between words count as one ("stop-sms" is "STOP SMS"), but letters are never joined
 * across them ("s.t.o.p" is not STOP).
 */
export function isOptOutKeyword(body: string): boolean {
  const words = body
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
  return OPT_OUT_KEYWORDS.has(words.join(' '));
}
