/**
 * Local HTTP stand-ins for SendGrid and Twilio: the real SDK clients talk to them over a socket, so
 * a test sees the exact request each client builds, and can make the provider answer anything,
 * including an error body or a connection cut mid-request.
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

/** One answer; `destroySocket` cuts the connection instead, as a network failure would. */
export type StandInReply =
  { status: number; headers?: Record<string, string>; body?: unknown } | { destroySocket: true };

export interface StandIn {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Queues answers for the next requests, one each, in order; then the default success again. */
  respondWith(...replies: StandInReply[]): void;
  close(): Promise<void>;
}

type DefaultReply = (request: RecordedRequest) => StandInReply;

async function startStandIn(parse: (raw: string) => unknown, defaultReply: DefaultReply): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const queued: StandInReply[] = [];
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
        body: rawBody ? parse(rawBody) : undefined,
      };
      requests.push(recorded);
      const reply = queued.shift() ?? defaultReply(recorded);
      if ('destroySocket' in reply) {
        req.socket.destroy();
        return;
      }
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
    respondWith: (...replies) => void queued.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        // The clients keep connections alive: without this, close waits for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** SendGrid's v3 API: Mail Send takes the message with 202, an empty body and the message id header. */
export function startSendGridStandIn(): Promise<StandIn> {
  return startStandIn(
    (raw) => JSON.parse(raw) as unknown,
    () => ({ status: 202, headers: { 'x-message-id': randomBytes(16).toString('base64url') } }),
  );
}

/** Twilio's 2010-04-01 API: creating a Message answers 201 with the queued message resource. */
export function startTwilioStandIn(): Promise<StandIn> {
  return startStandIn(
    (raw) => {
      const form: Record<string, string | string[]> = {};
      for (const [key, value] of new URLSearchParams(raw)) {
        const earlier = form[key];
        form[key] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
      }
      return form;
    },
    (request) => {
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      const accountSid = /\/Accounts\/([^/]+)\//.exec(request.path)?.[1] ?? '';
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const now = new Date().toUTCString().replace('GMT', '+0000');
      return {
        status: 201,
        body: {
          sid,
          account_sid: accountSid,
          api_version: '2010-04-01',
          body: form.Body ?? '',
          date_created: now,
          date_updated: now,
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
          subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
          to: form.To ?? '',
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
        },
      };
    },
  );
}

/** A local URL nothing listens on: a connection to it is refused before anything is sent. */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Any JSON API (a registered-letter provider, a commissaire de justice's intake): 201 with `body`. */
export function startJsonStandIn(body: unknown = { id: 'stand-in-1' }): Promise<StandIn> {
  return startStandIn(
    (raw) => JSON.parse(raw) as unknown,
    () => ({ status: 201, body }),
  );
}
