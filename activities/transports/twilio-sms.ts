import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import {
  noAnswer,
  PermanentDeliveryError,
  type MessageTransport,
  type OutboundMessage,
  type SendLookup,
  type SendLookupResult,
} from './transport';

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** An E.164 Twilio number; one of `from` and `messagingServiceSid` is required. */
  from?: string;
  /** Preferred over `from` when both are set: the service picks the sender from its pool. */
  messagingServiceSid?: string;
  /** Where Twilio posts the message's status changes (delivered, undelivered…). */
  statusCallbackUrl?: string;
  /** A local stand-in (http://127.0.0.1:4011) instead of https://api.twilio.com. */
  baseUrl?: string;
  timeoutMs?: number;
  /**
   * How long after a call started a message list without it is believed (default 2 minutes):
   * longer than a request can stay in flight, so that a call still under way is not missed.
   */
  lookupSettleMs?: number;
}

/** A message created a little before the worker's clock said the call started is still ours. */
const CLOCK_SKEW_MS = 60_000;

/** The recipient replied STOP (or is on the account's opt-out list): their choice, not a bad number. */
const OPTED_OUT = 21610;

/** The number itself cannot receive this SMS: invalid, a landline, unroutable, blocked region. */
const UNUSABLE_NUMBER = new Set([21211, 21214, 21217, 21401, 21407, 21408, 21421, 21612, 21614, 21635]);

/**
 * Refusals the operator fixes (credentials, account, sender number), after which a retry succeeds:
 * they must not close a debtor's channel. 20003: authentication; 20404: unknown account or
 * resource; 21212, 21606, 21659, 21660: a `from` that is invalid, not SMS-capable or not ours.
 */
const CONFIGURATION = new Set([20003, 20404, 21212, 21606, 21659, 21660]);

/**
 * Twilio's client has no base-URL option; its documented extension point is a custom `httpClient`.
 * This one hands every request for a Twilio host (api.twilio.com, or an edge/region variant when
 * TWILIO_EDGE/TWILIO_REGION are set) to the stand-in instead, keeping path and query.
 */
class RebasingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    options: RequestClient.RequestClientOptions,
  ) {
    super(options);
  }

  override request<TData>(options: RequestClient.RequestOptions<TData>) {
    const url = new URL(options.uri);
    if (url.protocol !== 'https:' || !(url.hostname === 'twilio.com' || url.hostname.endsWith('.twilio.com'))) {
      return super.request(options);
    }
    const uri = `${this.baseUrl.replace(/\/+$/, '')}${url.pathname}${url.search}`;
    return super.request({ ...options, uri });
  }
}

/** SMS through Twilio's Programmable Messaging API, with the official client. */
export class TwilioSmsTransport implements MessageTransport {
  readonly simulated = false;
  private readonly client: twilio.Twilio;
  private readonly sender: { messagingServiceSid: string } | { from: string };
  readonly lookupSettleMs: number;

  constructor(private readonly options: TwilioSmsOptions) {
    if (options.messagingServiceSid) this.sender = { messagingServiceSid: options.messagingServiceSid };
    else if (options.from) this.sender = { from: options.from };
    else throw new Error('twilio: a from number or a messaging service SID is required');
    const timeout = options.timeoutMs ?? 30_000;
    this.lookupSettleMs = options.lookupSettleMs ?? 120_000;
    this.client = twilio(options.accountSid, options.authToken, {
      // Temporal retries with backoff; the client's own 429 retries would only hide the wait.
      autoRetry: false,
      timeout,
      ...(options.baseUrl ? { httpClient: new RebasingRequestClient(options.baseUrl, { timeout }) } : {}),
    });
  }

  async send(message: OutboundMessage): Promise<{ providerMessageId?: string }> {
    const created = await this.client.messages
      .create({
        to: message.to,
        body: message.body,
        ...this.sender,
        ...(this.options.statusCallbackUrl ? { statusCallback: this.options.statusCallbackUrl } : {}),
      })
      .catch((error: unknown) => {
        throw classifyTwilioError(error);
      });
    return created.sid ? { providerMessageId: created.sid } : {};
  }

  /**
   * Twilio keeps no key of ours on a message: the account's messages to this number (newest
   * first; the list is read-after-write consistent) are matched by text and creation time.
   * Filtering on DateSent would miss a message still queued, whose date_sent is empty.
   */
  async lookup(query: SendLookup): Promise<SendLookupResult> {
    const messages = await this.client.messages
      .list({ to: query.to, ...('from' in this.sender ? { from: this.sender.from } : {}), limit: 50 })
      .catch((error: unknown) => {
        const status = isRestError(error) ? error.status : 'no answer';
        throw new Error(`twilio message list: ${status}, will be asked again`);
      });
    const since = query.sentAfter.getTime() - CLOCK_SKEW_MS;
    const match = messages.find(
      (message) =>
        message.body === query.body && message.dateCreated instanceof Date && message.dateCreated.getTime() >= since,
    );
    if (match) return { outcome: 'found', ...(match.sid ? { providerMessageId: match.sid } : {}) };
    return { outcome: 'not_found' };
  }
}

/** What RestException (and its RFC 9457 sibling, TwilioServiceException) carry. */
interface TwilioRestError {
  status: number;
  code?: unknown;
}

function isRestError(error: unknown): error is TwilioRestError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

/**
 * The error the activity sees. Twilio's messages quote the number ("The 'To' number +336… is not
 * valid"), so none is passed on, not even as `cause` (Temporal records the cause chain in history).
 */
function classifyTwilioError(error: unknown): Error {
  if (!isRestError(error)) return noAnswer('twilio', error);
  const { status } = error;
  const code = typeof error.code === 'number' ? error.code : undefined;
  const label = `twilio ${code ?? status}`;
  if (code === OPTED_OUT)
    return new PermanentDeliveryError(`twilio ${OPTED_OUT}: recipient opted out (STOP)`, 'opted_out');
  if (code !== undefined && UNUSABLE_NUMBER.has(code)) {
    return new PermanentDeliveryError(`${label}: invalid or unreachable number`, 'invalid_recipient');
  }
  if ((code !== undefined && CONFIGURATION.has(code)) || status === 401 || status === 403 || status === 404) {
    return new Error(`${label}: account, credentials or sender refused (configuration), will be retried`);
  }
  if (status === 429 || code === 20429) return new Error(`${label}: rate limited, will be retried`);
  if (status >= 500) return new Error(`${label}: provider unavailable, will be retried`);
  if (status === 408) return new Error(`${label}: provider timed out, will be retried`);
  // Any other 4xx is this request refused as it stands: sending it again changes nothing.
  if (status >= 400) return new PermanentDeliveryError(`${label}: request rejected`, 'rejected');
  return new Error(`${label}: unexpected answer, will be retried`);
}
