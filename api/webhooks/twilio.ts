/**
 * Twilio's webhooks: form-encoded parameters signed with `X-Twilio-Signature`, an HMAC-SHA1 under
 * the account's auth token of the URL Twilio called followed by the sorted parameters.
 */
import twilio from 'twilio';
import type { FieldProblem } from '../errors';
import { isOptOutKeyword, type InboundEvent, type SmsStatusKind } from './inbound-events';

export const TWILIO_SIGNATURE_HEADER = 'X-Twilio-Signature';

export type TwilioParams = Record<string, string | string[] | undefined>;

export interface TwilioVerifierOptions {
  authToken: string;
  /** Scheme, host and any path prefix a proxy strips: what Twilio's URL has before the path we see. */
  publicBaseUrl: string;
}

export type TwilioVerifier = (signature: string | undefined, pathAndQuery: string, params: TwilioParams) => boolean;

export function createTwilioVerifier(options: TwilioVerifierOptions): TwilioVerifier {
  if (!options.authToken) throw new Error('the Twilio auth token is empty');
  const base = publicBase(options.publicBaseUrl);
  return (signature, pathAndQuery, params) => {
    // Absolute-form request targets ("POST https://elsewhere/...") would let the caller pick the URL.
    if (!signature || !pathAndQuery.startsWith('/')) return false;
    try {
      return twilio.validateRequest(options.authToken, signature, base + pathAndQuery, params);
    } catch {
      // The library parses the URL to try its normalised forms; one it cannot parse is not signed.
      return false;
    }
  };
}

/**
 * The URL Twilio signed is the one it was configured with, which a proxy in front of us may not
 * pass on (TLS ends there, the Host changes): it comes from configuration, never from the request's
 * Host header, which whoever sends the request chooses.
 */
function publicBase(configured: string): string {
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new Error('the public base URL for Twilio webhooks is not a URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new Error('the public base URL for Twilio webhooks must be http(s)://host[/prefix], without query');
  }
  return configured.replace(/\/+$/, '');
}

const SMS_STATUSES: ReadonlySet<string> = new Set<SmsStatusKind>([
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'accepted',
  'scheduled',
  'canceled',
]);

export type TwilioParse = { ok: true; event: InboundEvent | undefined } | { ok: false; problems: FieldProblem[] };

/** A status we do not know (Twilio adds some) is no error: `event` is then undefined and it is skipped. */
export function parseTwilioStatus(params: TwilioParams, at: Date): TwilioParse {
  const problems: FieldProblem[] = [];
  const sid = field(params, 'MessageSid', 'non-empty', problems);
  const status = field(params, 'MessageStatus', 'non-empty', problems);
  const errorCode = field(params, 'ErrorCode', 'optional', problems);
  if (sid === undefined || status === undefined || problems.length > 0) return { ok: false, problems };
  if (!SMS_STATUSES.has(status)) return { ok: true, event: undefined };
  return {
    ok: true,
    event: {
      kind: 'sms_status',
      provider: 'twilio',
      eventId: `${sid}:${status}`,
      providerMessageId: sid,
      status: status as SmsStatusKind,
      ...(errorCode ? { errorCode } : {}),
      at,
    },
  };
}

export function parseTwilioIncoming(params: TwilioParams, at: Date): TwilioParse {
  const problems: FieldProblem[] = [];
  const sid = field(params, 'MessageSid', 'non-empty', problems);
  const from = field(params, 'From', 'non-empty', problems);
  const to = field(params, 'To', 'non-empty', problems);
  // An MMS without text comes with an empty Body: still a message, not a malformed request.
  const body = field(params, 'Body', 'present', problems);
  if (sid === undefined || from === undefined || to === undefined || body === undefined || problems.length > 0) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    event: {
      kind: 'sms_incoming',
      provider: 'twilio',
      eventId: sid,
      from,
      to,
      body,
      optOut: isOptOutKeyword(body),
      at,
    },
  };
}

/** We never answer an SMS automatically: what to say is the case's decision, later. */
export function emptyTwiml(): string {
  return new twilio.twiml.MessagingResponse().toString();
}

/** A repeated parameter arrives as an array: Twilio sends each field once, so that is malformed. */
function field(
  params: TwilioParams,
  name: string,
  need: 'non-empty' | 'present' | 'optional',
  problems: FieldProblem[],
): string | undefined {
  const value = Object.hasOwn(params, name) ? params[name] : undefined;
  if (Array.isArray(value)) {
    problems.push({ path: `body.${name}`, reason: 'must be given once' });
    return undefined;
  }
  if ((need === 'non-empty' && !value) || (need === 'present' && value === undefined)) {
    problems.push({ path: `body.${name}`, reason: 'is required' });
    return undefined;
  }
  // An empty optional field (ErrorCode= on success) says nothing.
  return need === 'optional' && value === '' ? undefined : value;
}
