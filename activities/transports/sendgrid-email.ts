import { Client } from '@sendgrid/client';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import {
  noAnswer,
  PermanentDeliveryError,
  type MessageTransport,
  type OutboundMessage,
  type SendLookup,
  type SendLookupResult,
} from './transport';

export interface SendGridEmailOptions {
  apiKey: string;
  from: { email: string; name?: string };
  replyTo?: string;
  /** A local stand-in (http://127.0.0.1:4010) or a regional endpoint; SendGrid's global API otherwise. */
  baseUrl?: string;
  /** SendGrid validates the request and answers as usual, but delivers nothing. */
  sandboxMode?: boolean;
  timeoutMs?: number;
  /**
   * The account has the Email Activity API (a paid add-on, and a key with its scope): a send left
   * unsettled by a crash is looked up by its custom arg `idempotencyKey`. The feed lags behind
   * the sends, so "not there" is believed only `settleMs` after the call started.
   */
  emailActivity?: { settleMs: number };
}

/** The header SendGrid gives the id that its Event Webhook events carry as `sg_message_id`. */
const MESSAGE_ID_HEADER = 'x-message-id';

/** The part of `@sendgrid/helpers`' ResponseError read here (its typings say the body is a string). */
interface SendGridResponseError {
  code: number;
  response?: { body?: unknown };
}

interface SendGridErrorItem {
  message?: unknown;
  field?: unknown;
}

/**
 * E-mail through SendGrid's v3 Mail Send API, with the official client. Each instance has its own
 * `Client` rather than the module's singleton, so that the API key and base URL of one transport
 * (a test's stand-in, a second account) never leak into another.
 */
export class SendGridEmailTransport implements MessageTransport {
  readonly simulated = false;
  private readonly mail: MailService;
  private readonly client: Client;
  readonly lookupSettleMs: number;

  constructor(private readonly options: SendGridEmailOptions) {
    const client = new Client();
    this.client = client;
    this.lookupSettleMs = options.emailActivity?.settleMs ?? 0;
    // setApiKey resets the base URL to the region's host, so the override has to come after it.
    client.setApiKey(options.apiKey);
    if (options.baseUrl) client.setDefaultRequest('baseUrl', options.baseUrl);
    this.mail = new MailService();
    this.mail.setClient(client);
    // Without it a silent connection holds the attempt until the activity's own timeout.
    this.mail.setTimeout(options.timeoutMs ?? 30_000);
  }

  async send(message: OutboundMessage): Promise<{ providerMessageId?: string }> {
    if (message.subject === undefined || message.subject.trim() === '') {
      throw new Error('sendgrid: an e-mail needs a subject');
    }
    const data: MailDataRequired = {
      to: { email: message.to },
      from: this.options.from,
      ...(this.options.replyTo ? { replyTo: this.options.replyTo } : {}),
      subject: message.subject,
      text: message.body,
      html: bodyAsHtml(message.body),
      ...(message.attachments?.length
        ? {
            attachments: message.attachments.map((attachment) => ({
              content: attachment.content.toString('base64'),
              filename: attachment.filename,
              type: attachment.contentType,
              disposition: 'attachment',
            })),
          }
        : {}),
      // Echoed in every Event Webhook event: that is how a bounce or an open finds its case.
      customArgs: { caseId: message.caseId, idempotencyKey: message.idempotencyKey },
      headers: { 'X-Amiable-Idempotency-Key': message.idempotencyKey },
      ...(this.options.sandboxMode ? { mailSettings: { sandboxMode: { enable: true } } } : {}),
    };
    const [response] = await this.mail.send(data).catch((error: unknown) => {
      throw classifySendGridError(error);
    });
    const id: unknown = response.headers?.[MESSAGE_ID_HEADER];
    return typeof id === 'string' && id !== '' ? { providerMessageId: id } : {};
  }

  /**
   * Email Activity API, `GET /v3/messages` filtered on the custom arg (the feed's query language
   * calls them `unique_args`). A message it lists was taken by SendGrid, whatever became of it since.
   */
  async lookup(query: SendLookup): Promise<SendLookupResult> {
    const activity = this.options.emailActivity;
    if (!activity) return { outcome: 'cannot_tell', reason: 'API Email Activity de SendGrid non activée' };
    const filter = `unique_args['idempotencyKey']="${query.idempotencyKey.replace(/["\\]/g, '\\$&')}"`;
    let body: unknown;
    try {
      [, body] = await this.client.request({ method: 'GET', url: '/v3/messages', qs: { limit: 10, query: filter } });
    } catch (error) {
      const status = isResponseError(error) ? error.code : undefined;
      // No add-on, or a key without its scope: asking again will not help, a person must look.
      if (status === 400 || status === 401 || status === 403 || status === 404) {
        return { outcome: 'cannot_tell', reason: `API Email Activity de SendGrid : réponse ${status}` };
      }
      throw new Error(`sendgrid email activity: ${status ?? 'no answer'}, will be asked again`);
    }
    const messages = (body as { messages?: unknown } | null)?.messages;
    if (!Array.isArray(messages)) throw new Error('sendgrid email activity: unexpected answer, will be asked again');
    const [message] = messages as { msg_id?: unknown }[];
    if (message) {
      // The feed's msg_id is the X-Message-Id the send answered, followed by ".filter…" per recipient.
      const id = typeof message.msg_id === 'string' ? message.msg_id.split('.')[0] : undefined;
      return { outcome: 'found', ...(id ? { providerMessageId: id } : {}) };
    }
    return { outcome: 'not_found' };
  }
}

/**
 * The body as HTML: escaped, blank-line separated paragraphs as `<p>`, single line breaks as
 * `<br>`. The wording stays exactly the text the compliance checker approved, only laid out.
 */
export function bodyAsHtml(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/^\n+|\n+$/g, ''))
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function isResponseError(error: unknown): error is SendGridResponseError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'number';
}

function errorItems(error: SendGridResponseError): SendGridErrorItem[] {
  const body = error.response?.body;
  const errors = typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  return Array.isArray(errors) ? errors.filter((item): item is SendGridErrorItem => typeof item === 'object') : [];
}

const RECIPIENT_FIELD = /^personalizations\.\d+\.(to|cc|bcc)(\.\d+(\.email)?)?$/;
const INVALID_ADDRESS = /invalid e-?mail|valid (e-?mail )?address/i;

/** An error about the recipient's address, not the sender's (a bad `from` is configuration). */
function concernsRecipient(item: SendGridErrorItem): boolean {
  const field = typeof item.field === 'string' ? item.field : undefined;
  if (field !== undefined && RECIPIENT_FIELD.test(field)) return true;
  const aboutNoOtherField = field === undefined || field.startsWith('personalizations');
  return aboutNoOtherField && typeof item.message === 'string' && INVALID_ADDRESS.test(item.message);
}

/**
 * The error the activity sees. SendGrid's own messages and the client's may quote the address, so
 * none of them is passed on, not even as `cause` (Temporal records the cause chain in history).
 */
function classifySendGridError(error: unknown): Error {
  if (!isResponseError(error)) {
    const network = typeof error === 'object' && error !== null && (error as { isAxiosError?: unknown }).isAxiosError;
    return network
      ? noAnswer('sendgrid', error)
      : new Error('sendgrid: request failed before reaching the provider, will be retried');
  }
  const status = error.code;
  if (status === 400 && errorItems(error).some(concernsRecipient)) {
    return new PermanentDeliveryError('sendgrid 400: invalid recipient address', 'invalid_recipient');
  }
  if (status === 400 || status === 413) {
    return new PermanentDeliveryError(`sendgrid ${status}: request rejected`, 'rejected');
  }
  // A refused key or an unverified sender is fixed by the operator, after which a retry succeeds.
  if (status === 401 || status === 403) {
    return new Error(`sendgrid ${status}: API key or sender refused (configuration), will be retried`);
  }
  if (status === 429) return new Error('sendgrid 429: rate limited, will be retried');
  if (status >= 500) return new Error(`sendgrid ${status}: provider unavailable, will be retried`);
  // 404, 405, 415…: a wrong base URL or a client bug, neither a reason to give up on the debtor.
  return new Error(`sendgrid ${status}: unexpected answer, will be retried`);
}
