/**
 * Local HTTP stand-ins for SendGrid and Twilio: the real SDK clients talk to them over a socket, so
 * a test sees the exact request each client builds, and can make the provider answer anything,
 * including an error body or a connection cut mid-request.
 *
 * They also keep what a provider would have taken (`taken`: one entry per message it accepted,
 * answered or not) and answer the lookups a worker makes to settle a send lost in a crash:
 * SendGrid's Email Activity search on a custom arg, Twilio's message list by recipient. That is
 * what "delivered exactly once" is checked against.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON for SendGrid, the decoded form for Twilio. */
  body: unknown;
}

/**
 * One answer. `destroySocket` cuts the connection before the provider takes anything, as a
 * network failure would. `take` makes the provider take the message and then lose the answer
 * (`destroySocket`) or never give it (`hold`): the sender cannot know it left.
 */
export type StandInReply =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { destroySocket: true }
  | { take: 'destroySocket' | 'hold' };

/** A message the provider took (a 2xx answer, or `take`), whatever became of the answer. */
export interface TakenMessage {
  /** The provider's id: SendGrid's X-Message-Id, Twilio's SID. */
  id: string;
  /** SendGrid: the custom arg `idempotencyKey`; Twilio keeps none. */
  idempotencyKey?: string;
  to: string;
  body: string;
  at: Date;
}

export interface StandIn {
  baseUrl: string;
  requests: RecordedRequest[];
  /** The messages the provider took, in order. */
  taken: TakenMessage[];
  /** Queues answers for the next requests, one each, in order; then the default success again. */
  respondWith(...replies: StandInReply[]): void;
  /** Resolves with the first request (already received or to come) that `matches`. */
  waitForRequest(matches: (request: RecordedRequest) => boolean): Promise<RecordedRequest>;
  close(): Promise<void>;
}

interface Provider {
  parse(raw: string): unknown;
  /** The message a send request carries, or undefined for any other request (a lookup). */
  messageOf(request: RecordedRequest): Omit<TakenMessage, 'id' | 'at'> | undefined;
  /** The answer when none is queued; `id` is the id the provider gives a message it takes. */
  defaultReply(request: RecordedRequest, id: string, taken: TakenMessage[]): StandInReply;
  /** The id the provider gives the message a request carries, from the reply that took it. */
  idOf(reply: StandInReply, fresh: string): string;
  /** The provider keeps one message per idempotency key (an `Idempotency-Key` header): a repeat is not taken again. */
  dropsRepeats?: boolean;
}

async function startStandIn(provider: Provider): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const taken: TakenMessage[] = [];
  const queued: StandInReply[] = [];
  const waiting: { matches: (request: RecordedRequest) => boolean; resolve: (request: RecordedRequest) => void }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawBody,
        body: rawBody ? provider.parse(rawBody) : undefined,
      };
      requests.push(recorded);
      const message = provider.messageOf(recorded);
      const fresh = randomBytes(16).toString('hex');
      const reply = queued.shift() ?? provider.defaultReply(recorded, fresh, taken);
      const takes = 'take' in reply || ('status' in reply && reply.status >= 200 && reply.status < 300);
      const repeat =
        provider.dropsRepeats && taken.some((earlier) => earlier.idempotencyKey === message?.idempotencyKey);
      if (message && takes && !repeat) taken.push({ ...message, id: provider.idOf(reply, fresh), at: new Date() });
      for (const waiter of waiting.filter((candidate) => candidate.matches(recorded))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
      if ('destroySocket' in reply || ('take' in reply && reply.take === 'destroySocket')) {
        req.socket.destroy();
        return;
      }
      if ('take' in reply) return; // held: never answered
      const isJson = reply.body !== undefined && typeof reply.body !== 'string';
      const payload = reply.body === undefined ? '' : isJson ? JSON.stringify(reply.body) : String(reply.body);
      res.writeHead(reply.status, {
        ...(isJson ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...reply.headers,
      });
      res.end(payload);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    taken,
    respondWith: (...replies) => void queued.push(...replies),
    waitForRequest: (matches) => {
      const already = requests.find(matches);
      return already ? Promise.resolve(already) : new Promise((resolve) => waiting.push({ matches, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        // The clients keep connections alive: without this, close waits for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SendGridStandInOptions {
  /** False: the account has no Email Activity add-on, its search answers 403. Default true. */
  emailActivity?: boolean;
}

interface SendGridMail {
  personalizations?: { to?: { email?: string }[] }[];
  subject?: string;
  content?: { type?: string; value?: string }[];
  custom_args?: Record<string, string>;
}

/** `unique_args['name']="value"`, the Email Activity query on a custom arg (quotes escaped by `\`). */
const UNIQUE_ARG_QUERY = /^\(?unique_args\['([^']+)'\]="((?:[^"\\]|\\.)*)"\)?$/;

/**
 * SendGrid's v3 API. Mail Send takes the message with 202, an empty body and the message id
 * header. Email Activity (`GET /v3/messages?query=…`) lists the messages taken whose custom arg
 * matches, as `{ messages: [{ msg_id, to_email, subject, status, … }] }`, with msg_id the
 * X-Message-Id followed by ".filter…" as SendGrid's feed gives it.
 */
export function startSendGridStandIn(options: SendGridStandInOptions = {}): Promise<StandIn> {
  return startStandIn({
    parse: (raw) => JSON.parse(raw) as unknown,
    messageOf: (request) => {
      if (request.method !== 'POST' || !request.path.startsWith('/v3/mail/send')) return undefined;
      const mail = (request.body ?? {}) as SendGridMail;
      return {
        ...(mail.custom_args?.idempotencyKey ? { idempotencyKey: mail.custom_args.idempotencyKey } : {}),
        to: mail.personalizations?.[0]?.to?.[0]?.email ?? '',
        body: mail.content?.find((part) => part.type === 'text/plain')?.value ?? '',
      };
    },
    idOf: (reply, fresh) => ('headers' in reply && reply.headers?.['x-message-id']) || fresh,
    defaultReply: (request, id, taken) => {
      const url = new URL(request.path, 'http://stand-in');
      if (request.method === 'GET' && url.pathname === '/v3/messages') {
        if (options.emailActivity === false) {
          return { status: 403, body: { errors: [{ field: null, message: 'access forbidden' }] } };
        }
        const query = UNIQUE_ARG_QUERY.exec(url.searchParams.get('query') ?? '');
        if (!query) return { status: 400, body: { errors: [{ field: 'query', message: 'invalid query' }] } };
        const [, name, escaped = ''] = query;
        const value = escaped.replace(/\\(.)/g, '$1');
        const limit = Number(url.searchParams.get('limit') ?? '10');
        const matching = taken.filter((message) => name === 'idempotencyKey' && message.idempotencyKey === value);
        return {
          status: 200,
          body: {
            messages: matching.slice(0, limit).map((message) => ({
              from_email: 'relances@acme.example',
              msg_id: `${message.id}.filter0001-16816-5A023E36-1.0`,
              subject: '',
              to_email: message.to,
              status: 'delivered',
              opens_count: 0,
              clicks_count: 0,
              last_event_time: message.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            })),
          },
        };
      }
      return { status: 202, headers: { 'x-message-id': id } };
    },
  });
}

/** Twilio's Message resource as its API writes it (RFC 2822 dates). */
function twilioMessage(accountSid: string, message: TakenMessage, form: Record<string, string | undefined> = {}) {
  const date = message.at.toUTCString().replace('GMT', '+0000');
  return {
    sid: message.id,
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: message.body,
    date_created: date,
    date_updated: date,
    date_sent: null,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: form.From ?? null,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'EUR',
    status: form.MessagingServiceSid ? 'accepted' : 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${message.id}/Media.json` },
    to: message.to,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.id}.json`,
  };
}

/**
 * Twilio's 2010-04-01 API: creating a Message answers 201 with the queued message resource;
 * listing Messages (`GET …/Messages.json?To=…`) answers the messages taken for that number,
 * newest first, in one page.
 */
export function startTwilioStandIn(): Promise<StandIn> {
  return startStandIn({
    parse: (raw) => {
      const form: Record<string, string | string[]> = {};
      for (const [key, value] of new URLSearchParams(raw)) {
        const earlier = form[key];
        form[key] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
      }
      return form;
    },
    messageOf: (request) => {
      if (request.method !== 'POST' || !/\/Messages\.json$/.test(request.path)) return undefined;
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      return { to: form.To ?? '', body: form.Body ?? '' };
    },
    idOf: (reply, fresh) =>
      ('body' in reply && (reply.body as { sid?: string } | undefined)?.sid) || `SM${fresh.slice(0, 32)}`,
    defaultReply: (request, id, taken) => {
      const url = new URL(request.path, 'http://stand-in');
      const accountSid = /\/Accounts\/([^/]+)\//.exec(url.pathname)?.[1] ?? '';
      if (request.method === 'GET' && url.pathname.endsWith('/Messages.json')) {
        const to = url.searchParams.get('To');
        const listed = taken.filter((message) => to === null || message.to === to).reverse();
        return {
          status: 200,
          body: {
            messages: listed.map((message) => twilioMessage(accountSid, message)),
            end: Math.max(0, listed.length - 1),
            first_page_uri: url.pathname,
            next_page_uri: null,
            page: 0,
            page_size: listed.length,
            previous_page_uri: null,
            start: 0,
            uri: `${url.pathname}${url.search}`,
          },
        };
      }
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      const sid = `SM${id.slice(0, 32)}`;
      return {
        status: 201,
        body: twilioMessage(accountSid, { id: sid, to: form.To ?? '', body: form.Body ?? '', at: new Date() }, form),
      };
    },
  });
}

/** A local URL nothing listens on: a connection to it is refused before anything is sent. */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * Any JSON API (a registered-letter provider, a commissaire de justice's intake): 201 with `body`.
 * A POST with an `Idempotency-Key` is taken once per key, as the letter provider interface promises.
 */
export function startJsonStandIn(body: unknown = { id: 'stand-in-1' }): Promise<StandIn> {
  return startStandIn({
    parse: (raw) => JSON.parse(raw) as unknown,
    dropsRepeats: true,
    messageOf: (request) => {
      const key = request.headers['idempotency-key'];
      if (request.method !== 'POST' || typeof key !== 'string') return undefined;
      const letter = (request.body ?? {}) as { recipient?: { name?: string }; document?: { sha256?: string } };
      return { idempotencyKey: key, to: letter.recipient?.name ?? '', body: letter.document?.sha256 ?? '' };
    },
    idOf: (_reply, fresh) => fresh,
    defaultReply: () => ({ status: 201, body }),
  });
}
