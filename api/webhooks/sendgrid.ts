/**
 * SendGrid's Signed Event Webhook: an ECDSA (P-256, SHA-256) signature over the timestamp header
 * followed by the body exactly as sent, checked with the verification key from Mail Settings.
 */
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import type { FieldProblem } from '../errors';
import type { EmailEventKind, InboundEvent } from './inbound-events';

export const SENDGRID_SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE();
export const SENDGRID_TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP();
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface SendgridVerifierOptions {
  /** The base64 DER public key SendGrid shows (a PEM block works too). */
  verificationKey: string;
  /** How far the signed timestamp may be from our clock, either way: a captured request replays only that long. */
  toleranceSeconds?: number;
  now?: () => Date;
}

export type SignatureCheck = { ok: true } | { ok: false; why: 'missing' | 'timestamp' | 'encoding' | 'signature' };

export type SendgridVerifier = (
  headers: { signature: string | undefined; timestamp: string | undefined },
  rawBody: Buffer,
) => SignatureCheck;

/** Throws at start-up on a key that cannot be one, rather than refusing every event later. */
export function createSendgridVerifier(options: SendgridVerifierOptions): SendgridVerifier {
  const webhook = new EventWebhook();
  let publicKey: ReturnType<EventWebhook['convertPublicKeyToECDSA']>;
  try {
    publicKey = webhook.convertPublicKeyToECDSA(options.verificationKey.trim());
  } catch {
    throw new Error('the SendGrid webhook verification key is not a base64 EC public key');
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance <= 0) throw new Error('toleranceSeconds must be a positive number');
  const now = options.now ?? (() => new Date());
  // The library turns a Buffer into a string before hashing it: on bytes that are not UTF-8 that is
  // lossy (two bodies, one hash), so only bodies whose decoding is exact get that far.
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  return ({ signature, timestamp }, rawBody) => {
    if (!signature || !timestamp) return { ok: false, why: 'missing' };
    if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, why: 'timestamp' };
    if (Math.abs(now().getTime() / 1000 - Number(timestamp)) > tolerance) return { ok: false, why: 'timestamp' };
    let payload: string;
    try {
      payload = utf8.decode(rawBody);
    } catch {
      return { ok: false, why: 'encoding' };
    }
    try {
      return webhook.verifySignature(publicKey, payload, signature, timestamp)
        ? { ok: true }
        : { ok: false, why: 'signature' };
    } catch {
      // A signature that is not base64 DER makes the library throw: it is just as unsigned.
      return { ok: false, why: 'signature' };
    }
  };
}

const EVENT_KINDS: Readonly<Record<string, EmailEventKind>> = {
  processed: 'processed',
  delivered: 'delivered',
  deferred: 'deferred',
  bounce: 'bounced',
  dropped: 'dropped',
  open: 'opened',
  click: 'clicked',
  spamreport: 'spam_report',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
};

export type SendgridParse =
  { ok: true; events: InboundEvent[]; ignored: number } | { ok: false; problems: FieldProblem[] };

/**
 * All or nothing: a batch with one unusable event is refused whole, before the sink sees any of it,
 * so what was applied never depends on where in the batch the bad event sat. Events of a kind we do
 * not use (group_resubscribe, machine_opened, ...) are skipped and counted.
 */
export function parseSendgridEvents(payload: string): SendgridParse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return { ok: false, problems: [{ path: 'body', reason: 'is not valid JSON' }] };
  }
  if (!Array.isArray(parsed)) return { ok: false, problems: [{ path: 'body', reason: 'must be an array of events' }] };

  const events: InboundEvent[] = [];
  const problems: FieldProblem[] = [];
  let ignored = 0;
  parsed.forEach((item: unknown, index) => {
    const at = (field: string) => `body[${index}]${field ? `.${field}` : ''}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ path: at(''), reason: 'must be an object' });
      return;
    }
    const raw = item as Record<string, unknown>;
    if (typeof raw.event !== 'string') {
      problems.push({ path: at('event'), reason: 'must be a string' });
      return;
    }
    const kind = Object.hasOwn(EVENT_KINDS, raw.event) ? EVENT_KINDS[raw.event] : undefined;
    if (!kind) {
      ignored += 1;
      return;
    }
    if (typeof raw.sg_event_id !== 'string' || raw.sg_event_id === '') {
      problems.push({ path: at('sg_event_id'), reason: 'must be a non-empty string' });
      return;
    }
    if (typeof raw.timestamp !== 'number' || !Number.isFinite(raw.timestamp) || raw.timestamp < 0) {
      problems.push({ path: at('timestamp'), reason: 'must be a unix time in seconds' });
      return;
    }
    const messageId = typeof raw.sg_message_id === 'string' ? raw.sg_message_id.split('.')[0] : undefined;
    const bounceType = kind === 'bounced' && (raw.type === 'bounce' || raw.type === 'blocked') ? raw.type : undefined;
    events.push({
      kind: 'email_event',
      provider: 'sendgrid',
      eventId: raw.sg_event_id,
      event: kind,
      ...(nonEmpty(raw.caseId) ? { caseId: raw.caseId } : {}),
      ...(nonEmpty(raw.idempotencyKey) ? { idempotencyKey: raw.idempotencyKey } : {}),
      ...(nonEmpty(messageId) ? { providerMessageId: messageId } : {}),
      ...(bounceType ? { bounceType } : {}),
      ...(nonEmpty(raw.reason) ? { reason: raw.reason } : {}),
      at: new Date(raw.timestamp * 1000),
    });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events, ignored };
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';
