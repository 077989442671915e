/**
 * What a provider (SendGrid, Twilio, a registered-letter service, or the simulation) is asked to do:
 * take one message. The activities own exactly-once, the journal and compliance; a transport only
 * talks to its provider and says, by the error it throws, whether trying again could help.
 */

/** A file that travels with the message: the mise en demeure PDF, a handoff dossier. */
export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/**
 * How a letter travels. `lrar`: paper registered letter with acknowledgement of receipt; `lre`: its
 * electronic form (lettre recommandée électronique, CPCE L100); `ordinary`: a plain paper letter.
 */
export type LetterForm = 'lrar' | 'lre' | 'ordinary';

export interface OutboundMessage {
  /** E-mail address, E.164 phone number, or for a letter the recipient's name and postal address. */
  to: string;
  subject?: string;
  /** The exact text checked by the compliance checker and stored in the journal. */
  body: string;
  /** Passed on so that a provider with idempotent requests can drop a duplicate on its side too. */
  idempotencyKey: string;
  /** Ids that come back in the provider's delivery events (SendGrid custom args, callback URLs). */
  caseId: string;
  attachments?: Attachment[];
  /** Letters only. For `lre`, `to` is still the postal identity and `email` the electronic address. */
  letter?: { form: LetterForm; email?: string };
}

export interface MessageTransport {
  /** True when nothing leaves the machine: the journal then says `simulated`, never `sent`. */
  readonly simulated: boolean;
  /**
   * Resolves once the provider has taken the message. Throws `PermanentDeliveryError` when the
   * provider refused it for good (invalid address or number, opt-out): the channel is closed and
   * the message is not retried. Any other error is retried with backoff. Thrown messages must not
   * quote the address or the content: they end up in logs.
   */
  send(message: OutboundMessage): Promise<{ providerMessageId?: string }>;
  /**
   * The provider drops a repeat of a request with the same `idempotencyKey` (the letter provider's
   * `Idempotency-Key`, by the interface's contract): a send whose outcome is unknown is simply sent
   * again under its key, and the provider keeps one.
   */
  readonly resendIsIdempotent?: boolean;
  /**
   * Asks the provider whether it has a message that a crash or a lost answer left unsettled.
   * Throws when the question could not be asked (network, 429, 5xx): it is asked again later.
   * Absent: the provider cannot be asked, and a person settles the send.
   */
  lookup?(query: SendLookup): Promise<SendLookupResult>;
  /**
   * How long after a call started the provider's records may still not show it (SendGrid's
   * activity feed lags): a `not_found` before then is not believed, the question is asked again.
   */
  readonly lookupSettleMs?: number;
}

/** What the lost call sent: enough for a provider to find it by its key, or by recipient, text and time. */
export interface SendLookup {
  idempotencyKey: string;
  caseId: string;
  to: string;
  body: string;
  /** When the call started (the worker's clock): the provider cannot have it from before. */
  sentAfter: Date;
}

/**
 * - `found`: the provider took it (it left; `providerMessageId` when the provider tells it).
 * - `not_found`: the provider's records do not show it (believed once `lookupSettleMs` passed).
 * - `cannot_tell`: the provider offers no way to ask (not enabled, refused): a person must check.
 */
export type SendLookupResult =
  | { outcome: 'found'; providerMessageId?: string }
  | { outcome: 'not_found' }
  | { outcome: 'cannot_tell'; reason: string };

export type PermanentReason = 'invalid_recipient' | 'opted_out' | 'rejected';

export class PermanentDeliveryError extends Error {
  readonly permanent = true;
  /**
   * `reason` goes to the journal: words and provider codes only, never personal data.
   * `kind` tells an opt-out (the debtor's choice) from an unusable address.
   */
  constructor(
    readonly reason: string,
    readonly kind: PermanentReason = 'invalid_recipient',
  ) {
    super(`permanent delivery failure: ${reason}`);
    this.name = 'PermanentDeliveryError';
  }
}

/**
 * The request may have reached the provider and no answer came back (a timeout, a connection cut
 * while waiting): the message may have left. Sending it again could send it twice, so it is not
 * retried; the case journals the unknown outcome and a manager checks the provider.
 */
export class OutcomeUnknownError extends Error {
  readonly outcomeUnknown = true;
  constructor(reason: string) {
    super(`outcome unknown: ${reason}`);
    this.name = 'OutcomeUnknownError';
  }
}

export function isOutcomeUnknown(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { outcomeUnknown?: unknown }).outcomeUnknown === true;
}

/** Failures that prove the request never reached the provider: retrying cannot send twice. */
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
]);

function networkCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A request that got no HTTP answer: retryable if it never connected, an unknown outcome otherwise.
 * The message names the provider and the error code only (the original may quote the recipient).
 */
export function noAnswer(provider: string, error: unknown): Error {
  const code = networkCodeOf(error);
  if (code && NEVER_CONNECTED.has(code))
    return new Error(`${provider}: could not connect (${code}), not sent, will be retried`);
  return new OutcomeUnknownError(
    `${provider}: no answer (${code ?? 'timeout or connection cut'}), it may have the message`,
  );
}
