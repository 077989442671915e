import { sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import express from 'express';
import pino from 'pino';
import type { InboundEvent, InboundOutcome, InboundSink } from '../../api/webhooks/inbound-events';
import { createWebhookRouter, type WebhookRouterOptions } from '../../api/webhooks/router';
import { withServer } from '../helpers/http';
import { sendgridSigner, twilioSignature as signTwilio } from '../helpers/provider-signatures';

const NOW = new Date('2025-03-03T10:00:00.000Z');
const nowSeconds = () => Math.floor(NOW.getTime() / 1000);

const signing = sendgridSigner();
const otherKey = sendgridSigner();
/** What SendGrid's Mail Settings show: the public key as base64 DER SPKI. */
const { verificationKey } = signing;

const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const PUBLIC_BASE = 'https://amiable.example.com';

const EMAIL = 'jeanne.martin@example.fr';
const PHONE = '+33612345678';
const OUR_NUMBER = '+33757000000';
const SMS_SID = 'SM0123456789abcdef0123456789abcdef';

class RecordingSink implements InboundSink {
  readonly events: InboundEvent[] = [];
  failing = false;
  /** Event ids the sink finds no message of ours for. */
  readonly neverSent = new Set<string>();
  async accept(event: InboundEvent): Promise<InboundOutcome | void> {
    if (this.failing) throw new Error(`refused event of ${EMAIL}`);
    if (this.neverSent.has(event.eventId)) return 'unknown';
    this.events.push(event);
  }
}

let sink: RecordingSink;
let logLines: string[];

beforeEach(() => {
  sink = new RecordingSink();
  logLines = [];
});

function appWith(overrides: Partial<WebhookRouterOptions> = {}): express.Express {
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const app = express();
  app.use(
    createWebhookRouter({
      sendgrid: { verificationKey },
      twilio: { authToken: AUTH_TOKEN, publicBaseUrl: PUBLIC_BASE },
      sink,
      logger,
      now: () => NOW,
      ...overrides,
    }),
  );
  // As in the app: the JSON parser comes after, and must still see the bodies of other routes.
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  return app;
}

// --- SendGrid -------------------------------------------------------------------------------

function sendgridHeaders(payload: string, options: { timestamp?: number; key?: KeyObject } = {}) {
  return signing.headers(payload, options.timestamp ?? nowSeconds(), options.key);
}

const postSendgrid = (url: string, payload: string, headers: Record<string, string>) =>
  fetch(`${url}/webhooks/sendgrid/events`, { method: 'POST', headers, body: payload });

const sendgridBatch = [
  {
    email: EMAIL,
    timestamp: 1740995000,
    event: 'bounce',
    type: 'blocked',
    reason: `550 5.1.1 <${EMAIL}>: Recipient address rejected`,
    status: '5.1.1',
    sg_event_id: 'ZGVsaXZlcmVkLTAtMjQ',
    sg_message_id: 'msg-abc123.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
    caseId: 'case_01HZX',
    idempotencyKey: 'case_01HZX:step-3:email',
    'smtp-id': '<msg-abc123@example.com>',
  },
  {
    email: EMAIL,
    timestamp: 1740995100,
    event: 'group_unsubscribe',
    asm_group_id: 42,
    sg_event_id: 'dW5zdWJzY3JpYmUtMQ',
    sg_message_id: 'msg-def456.filter0001p1las1-1234-5',
    caseId: 'case_01HZY',
  },
  {
    email: EMAIL,
    timestamp: 1740995200,
    event: 'delivered',
    response: '250 OK',
    sg_event_id: 'ZGVsaXZlcmVkLTI',
    sg_message_id: 'msg-ghi789.filter0001p1las1-1234-6',
  },
  { email: EMAIL, timestamp: 1740995300, event: 'group_resubscribe', sg_event_id: 'cmVzdWJzY3JpYmU' },
];

const expectedSendgridEvents: InboundEvent[] = [
  {
    kind: 'email_event',
    provider: 'sendgrid',
    eventId: 'ZGVsaXZlcmVkLTAtMjQ',
    event: 'bounced',
    caseId: 'case_01HZX',
    idempotencyKey: 'case_01HZX:step-3:email',
    providerMessageId: 'msg-abc123',
    bounceType: 'blocked',
    reason: `550 5.1.1 <${EMAIL}>: Recipient address rejected`,
    at: new Date(1740995000 * 1000),
  },
  {
    kind: 'email_event',
    provider: 'sendgrid',
    eventId: 'dW5zdWJzY3JpYmUtMQ',
    event: 'unsubscribed',
    caseId: 'case_01HZY',
    providerMessageId: 'msg-def456',
    at: new Date(1740995100 * 1000),
  },
  {
    kind: 'email_event',
    provider: 'sendgrid',
    eventId: 'ZGVsaXZlcmVkLTI',
    event: 'delivered',
    providerMessageId: 'msg-ghi789',
    at: new Date(1740995200 * 1000),
  },
];

async function expectUnauthorized(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('unauthorized');
  expect(body.error.message).toMatch(/sign/);
  expect(sink.events).toEqual([]);
}

describe('POST /webhooks/sendgrid/events', () => {
  const payload = JSON.stringify(sendgridBatch);

  test('a signed batch reaches the sink as normalised events; unknown kinds are counted, not passed', async () => {
    await withServer(appWith(), async (url) => {
      const response = await postSendgrid(url, payload, sendgridHeaders(payload));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ accepted: 3, ignored: 1, unknown: 0 });
    });
    expect(sink.events).toEqual(expectedSendgridEvents);
  });

  test('events naming a message we never sent: dropped from a batch with known ones, 422 when all are', async () => {
    // The batch's group_resubscribe is of no use to us and never reaches the sink.
    const ids = sendgridBatch.filter((event) => event.event !== 'group_resubscribe').map((event) => event.sg_event_id);
    sink.neverSent.add(ids[0]!);
    await withServer(appWith(), async (url) => {
      const mixed = await postSendgrid(url, payload, sendgridHeaders(payload));
      expect(mixed.status).toBe(200);
      expect(await mixed.json()).toEqual({ accepted: 2, ignored: 1, unknown: 1 });

      for (const id of ids) sink.neverSent.add(id);
      const none = await postSendgrid(url, payload, sendgridHeaders(payload));
      expect(none.status).toBe(422);
      const { error } = (await none.json()) as { error: { code: string; details: { path: string }[] } };
      expect(error.code).toBe('unprocessable');
      expect(error.details.map((detail) => detail.path)).toEqual(ids.map((id) => `body[sg_event_id=${id}]`));
    });
    expect(sink.events).toHaveLength(2);
    expect(logLines.join('\n')).not.toContain(EMAIL);
  });

  test('the event kinds SendGrid names are mapped to ours', async () => {
    const names = ['processed', 'deferred', 'dropped', 'open', 'click', 'spamreport', 'unsubscribe', 'bounce'];
    const batch = names.map((event, index) => ({ event, sg_event_id: `id-${index}`, timestamp: 1740995000 + index }));
    const body = JSON.stringify(batch);
    await withServer(appWith(), async (url) => {
      const response = await postSendgrid(url, body, sendgridHeaders(body));
      expect(await response.json()).toEqual({ accepted: names.length, ignored: 0, unknown: 0 });
    });
    expect(sink.events.map((event) => event.kind === 'email_event' && event.event)).toEqual([
      'processed',
      'deferred',
      'dropped',
      'opened',
      'clicked',
      'spam_report',
      'unsubscribed',
      'bounced',
    ]);
    // A bounce without a recognised `type` has no bounceType rather than a guessed one.
    expect(sink.events[7]).not.toHaveProperty('bounceType');
  });

  test('a signature by another key is refused', async () => {
    await withServer(appWith(), async (url) => {
      await expectUnauthorized(
        await postSendgrid(url, payload, sendgridHeaders(payload, { key: otherKey.privateKey })),
      );
    });
  });

  test('a body changed by one character after signing is refused', async () => {
    const headers = sendgridHeaders(payload);
    const tampered = payload.replace('"bounce"', '"bounci"');
    expect(tampered).not.toBe(payload);
    expect(tampered).toHaveLength(payload.length);
    await withServer(appWith(), async (url) => {
      await expectUnauthorized(await postSendgrid(url, tampered, headers));
    });
  });

  test('a signature over a different timestamp is refused', async () => {
    const headers = sendgridHeaders(payload);
    headers['x-twilio-email-event-webhook-timestamp'] = String(nowSeconds() - 1);
    await withServer(appWith(), async (url) => {
      await expectUnauthorized(await postSendgrid(url, payload, headers));
    });
  });

  test.each([
    ['no signature headers', ['x-twilio-email-event-webhook-signature', 'x-twilio-email-event-webhook-timestamp']],
    ['no signature', ['x-twilio-email-event-webhook-signature']],
    ['no timestamp', ['x-twilio-email-event-webhook-timestamp']],
  ] as const)('%s: refused', async (_label, removed) => {
    const headers: Record<string, string> = sendgridHeaders(payload);
    for (const name of removed) delete headers[name];
    await withServer(appWith(), async (url) => {
      await expectUnauthorized(await postSendgrid(url, payload, headers));
    });
  });

  test('a signature that is not base64 DER is refused, not a crash', async () => {
    const headers = { ...sendgridHeaders(payload), 'x-twilio-email-event-webhook-signature': 'not-a-signature' };
    await withServer(appWith(), async (url) => {
      await expectUnauthorized(await postSendgrid(url, payload, headers));
    });
  });

  test.each([
    ['older than the tolerance', -301],
    ['newer than the tolerance', 301],
  ])('a correctly signed request %s is refused (replay)', async (_label, offset) => {
    const headers = sendgridHeaders(payload, { timestamp: nowSeconds() + offset });
    await withServer(appWith(), async (url) => {
      const response = await postSendgrid(url, payload, headers);
      await expectUnauthorized(response);
    });
  });

  test('inside the tolerance it is accepted, and the tolerance is configurable', async () => {
    const headers = sendgridHeaders(payload, { timestamp: nowSeconds() - 299 });
    await withServer(appWith(), async (url) => {
      expect((await postSendgrid(url, payload, headers)).status).toBe(200);
    });
    await withServer(appWith({ sendgrid: { verificationKey, toleranceSeconds: 60 } }), async (url) => {
      const response = await postSendgrid(url, payload, headers);
      expect(response.status).toBe(401);
    });
  });

  test.each([
    ['not JSON', '[{"event": "delivered",', 'body'],
    ['not an array', '{"event":"delivered","sg_event_id":"a","timestamp":1740995000}', 'body'],
    ['an event without sg_event_id', '[{"event":"delivered","timestamp":1740995000}]', 'body[0].sg_event_id'],
    ['an event with a string timestamp', '[{"event":"open","sg_event_id":"a","timestamp":"now"}]', 'body[0].timestamp'],
    ['an event that is not an object', '[42]', 'body[0]'],
  ])('a signed body that is %s is 400 and nothing reaches the sink', async (_label, body, path) => {
    await withServer(appWith(), async (url) => {
      const response = await postSendgrid(url, body, sendgridHeaders(body));
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: { code: string; details: { path: string }[] } };
      expect(answer.error.code).toBe('validation_failed');
      expect(answer.error.details[0]?.path).toBe(path);
    });
    expect(sink.events).toEqual([]);
  });

  test('a batch with one bad event is refused whole', async () => {
    const body = JSON.stringify([sendgridBatch[0], { event: 'delivered', timestamp: 1740995000 }]);
    await withServer(appWith(), async (url) => {
      expect((await postSendgrid(url, body, sendgridHeaders(body))).status).toBe(400);
    });
    expect(sink.events).toEqual([]);
  });

  test('a body that is not UTF-8 is refused: the signature could not be checked over its bytes', async () => {
    const timestamp = String(nowSeconds());
    const bytes = Buffer.from([0x5b, 0xff, 0x5d]);
    const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), bytes]), signing.privateKey);
    await withServer(appWith(), async (url) => {
      const response = await fetch(`${url}/webhooks/sendgrid/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-twilio-email-event-webhook-timestamp': timestamp,
          'x-twilio-email-event-webhook-signature': signature.toString('base64'),
        },
        body: bytes,
      });
      await expectUnauthorized(response);
    });
  });

  test('a sink that fails is 503 so SendGrid delivers the batch again', async () => {
    sink.failing = true;
    await withServer(appWith(), async (url) => {
      const response = await postSendgrid(url, payload, sendgridHeaders(payload));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
    });
  });

  test('a body over 1 MB is 413', async () => {
    const body = JSON.stringify([{ event: 'open', sg_event_id: 'a', timestamp: 1, pad: 'x'.repeat(1024 * 1024) }]);
    await withServer(appWith(), async (url) => {
      const response = await postSendgrid(url, body, sendgridHeaders(body));
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    });
    expect(sink.events).toEqual([]);
  });

  test('without SendGrid configured the endpoint does not exist', async () => {
    await withServer(appWith({ sendgrid: undefined }), async (url) => {
      const response = await postSendgrid(url, payload, sendgridHeaders(payload));
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    });
    expect(sink.events).toEqual([]);
  });

  test('a verification key that is no key fails at start-up, not on every event', () => {
    expect(() => appWith({ sendgrid: { verificationKey: 'bm90IGEga2V5' } })).toThrow(/verification key/);
  });
});

// --- Twilio ---------------------------------------------------------------------------------

function postTwilio(
  url: string,
  path: string,
  params: Record<string, string>,
  signature: string | undefined,
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
    },
    body: new URLSearchParams(params).toString(),
  });
}

/** As Twilio signs: over the URL it was configured with, which is ours behind the proxy. */
const twilioSignature = (path: string, params: Record<string, string>, token = AUTH_TOKEN, base = PUBLIC_BASE) =>
  signTwilio(token, `${base}${path}`, params);

const statusParams = {
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  ApiVersion: '2010-04-01',
  From: OUR_NUMBER,
  To: PHONE,
  MessageSid: SMS_SID,
  SmsSid: SMS_SID,
  MessageStatus: 'undelivered',
  SmsStatus: 'undelivered',
  ErrorCode: '30003',
};

const incomingParams = (body: string) => ({
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  ApiVersion: '2010-04-01',
  MessageSid: 'SMfedcba9876543210fedcba9876543210',
  SmsMessageSid: 'SMfedcba9876543210fedcba9876543210',
  From: PHONE,
  FromCountry: 'FR',
  To: OUR_NUMBER,
  Body: body,
  NumMedia: '0',
  NumSegments: '1',
});

const STATUS = '/webhooks/twilio/status';
const INCOMING = '/webhooks/twilio/incoming';

describe('POST /webhooks/twilio/status', () => {
  test('a signed status callback is 204 and reaches the sink', async () => {
    await withServer(appWith(), async (url) => {
      const response = await postTwilio(url, STATUS, statusParams, twilioSignature(STATUS, statusParams));
      expect(response.status).toBe(204);
    });
    expect(sink.events).toEqual([
      {
        kind: 'sms_status',
        provider: 'twilio',
        eventId: `${SMS_SID}:undelivered`,
        providerMessageId: SMS_SID,
        status: 'undelivered',
        errorCode: '30003',
        at: NOW,
      },
    ]);
  });

  test('the query string Twilio called is part of what is signed', async () => {
    const path = `${STATUS}?attempt=2`;
    const params = { ...statusParams, MessageStatus: 'delivered', ErrorCode: '' };
    await withServer(appWith(), async (url) => {
      expect((await postTwilio(url, path, params, twilioSignature(STATUS, params))).status).toBe(401);
      expect((await postTwilio(url, path, params, twilioSignature(path, params))).status).toBe(204);
    });
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({ status: 'delivered', eventId: `${SMS_SID}:delivered` });
    // Twilio sends ErrorCode empty on success: no code, rather than an empty one.
    expect(sink.events[0]).not.toHaveProperty('errorCode');
  });

  test('a signed status for a message we never sent: 422 naming MessageSid, nothing recorded', async () => {
    sink.neverSent.add(`${SMS_SID}:undelivered`);
    await withServer(appWith(), async (url) => {
      const response = await postTwilio(url, STATUS, statusParams, twilioSignature(STATUS, statusParams));
      expect(response.status).toBe(422);
      const { error } = (await response.json()) as { error: { details: { path: string }[] } };
      expect(error.details).toEqual([{ path: 'body.MessageSid', reason: expect.any(String) }]);
    });
    expect(sink.events).toEqual([]);
  });

  test('a status we do not know is skipped, not an error', async () => {
    const params = { ...statusParams, MessageStatus: 'partially_delivered' };
    await withServer(appWith(), async (url) => {
      expect((await postTwilio(url, STATUS, params, twilioSignature(STATUS, params))).status).toBe(204);
    });
    expect(sink.events).toEqual([]);
  });

  test('signed with another auth token: refused', async () => {
    await withServer(appWith(), async (url) => {
      const signature = twilioSignature(STATUS, statusParams, 'another-token-0123456789abcdef00');
      await expectUnauthorized(await postTwilio(url, STATUS, statusParams, signature));
    });
  });

  test('signed for the URL the request reached rather than the public one: refused', async () => {
    await withServer(appWith(), async (url) => {
      // What a check built from the Host header would accept.
      const signature = twilioSignature(STATUS, statusParams, AUTH_TOKEN, url);
      await expectUnauthorized(await postTwilio(url, STATUS, statusParams, signature));
    });
  });

  test('Host and X-Forwarded-* headers do not change the URL checked', async () => {
    const forged = 'http://forged.example.com';
    const signature = twilioSignature(STATUS, statusParams, AUTH_TOKEN, forged);
    await withServer(appWith(), async (url) => {
      // node:http, not fetch: it sends the Host header as given.
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request(`${url}${STATUS}`, {
          method: 'POST',
          headers: {
            host: 'forged.example.com',
            'x-forwarded-host': 'forged.example.com',
            'x-forwarded-proto': 'http',
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature,
          },
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end(new URLSearchParams(statusParams).toString());
      });
      expect(status).toBe(401);
    });
    expect(sink.events).toEqual([]);
  });

  test('parameters changed after signing: refused', async () => {
    const signature = twilioSignature(STATUS, statusParams);
    await withServer(appWith(), async (url) => {
      await expectUnauthorized(
        await postTwilio(url, STATUS, { ...statusParams, MessageStatus: 'delivered' }, signature),
      );
      await expectUnauthorized(await postTwilio(url, STATUS, { ...statusParams, Extra: 'x' }, signature));
    });
  });

  test('no signature: refused', async () => {
    await withServer(appWith(), async (url) => {
      await expectUnauthorized(await postTwilio(url, STATUS, statusParams, undefined));
    });
  });

  test('signed but without MessageSid: 400', async () => {
    const { MessageSid: _sid, ...params } = statusParams;
    await withServer(appWith(), async (url) => {
      const response = await postTwilio(url, STATUS, params, twilioSignature(STATUS, params));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: { code: 'validation_failed', details: [{ path: 'body.MessageSid', reason: 'is required' }] },
      });
    });
    expect(sink.events).toEqual([]);
  });

  test('a sink that fails is 503 so Twilio retries', async () => {
    sink.failing = true;
    await withServer(appWith(), async (url) => {
      const response = await postTwilio(url, STATUS, statusParams, twilioSignature(STATUS, statusParams));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
    });
  });
});

describe('POST /webhooks/twilio/incoming', () => {
  test('a signed STOP is answered with empty TwiML and reaches the sink as an opt-out', async () => {
    const params = incomingParams('Stop');
    await withServer(appWith(), async (url) => {
      const response = await postTwilio(url, INCOMING, params, twilioSignature(INCOMING, params));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    });
    expect(sink.events).toEqual([
      {
        kind: 'sms_incoming',
        provider: 'twilio',
        eventId: 'SMfedcba9876543210fedcba9876543210',
        from: PHONE,
        to: OUR_NUMBER,
        body: 'Stop',
        optOut: true,
        at: NOW,
      },
    ]);
  });

  test('an ordinary reply is passed with its text and no opt-out', async () => {
    const text = 'Bonjour, je paierai le solde vendredi. Merci de stopper les relances d’ici là 🙏';
    const params = incomingParams(text);
    await withServer(appWith(), async (url) => {
      const response = await postTwilio(url, INCOMING, params, twilioSignature(INCOMING, params));
      expect(response.status).toBe(200);
    });
    expect(sink.events).toEqual([expect.objectContaining({ kind: 'sms_incoming', body: text, optOut: false })]);
  });

  test('an empty Body (a picture alone) is a message, a missing one is malformed', async () => {
    const empty = incomingParams('');
    const { Body: _body, ...missing } = incomingParams('');
    await withServer(appWith(), async (url) => {
      expect((await postTwilio(url, INCOMING, empty, twilioSignature(INCOMING, empty))).status).toBe(200);
      expect((await postTwilio(url, INCOMING, missing, twilioSignature(INCOMING, missing))).status).toBe(400);
    });
    expect(sink.events).toEqual([expect.objectContaining({ body: '', optOut: false })]);
  });

  test('forged, tampered or unsigned: refused before the sink', async () => {
    const params = incomingParams('STOP');
    await withServer(appWith(), async (url) => {
      await expectUnauthorized(
        await postTwilio(url, INCOMING, params, twilioSignature(INCOMING, params, 'x'.repeat(32))),
      );
      await expectUnauthorized(
        await postTwilio(url, INCOMING, { ...params, From: '+33699999999' }, twilioSignature(INCOMING, params)),
      );
      await expectUnauthorized(await postTwilio(url, INCOMING, params, twilioSignature(STATUS, params)));
      await expectUnauthorized(await postTwilio(url, INCOMING, params, undefined));
    });
  });

  test('a sink that fails is 503, without TwiML', async () => {
    sink.failing = true;
    const params = incomingParams('STOP');
    await withServer(appWith(), async (url) => {
      const response = await postTwilio(url, INCOMING, params, twilioSignature(INCOMING, params));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
    });
  });
});

describe('the router as a whole', () => {
  test('without Twilio configured its endpoints do not exist', async () => {
    await withServer(appWith({ twilio: undefined }), async (url) => {
      for (const path of [STATUS, INCOMING]) {
        const response = await postTwilio(url, path, statusParams, twilioSignature(path, statusParams));
        expect(response.status).toBe(404);
        expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
      }
    });
    expect(sink.events).toEqual([]);
  });

  test('other routes keep their bodies for the JSON parser mounted after it', async () => {
    await withServer(appWith(), async (url) => {
      const response = await fetch(`${url}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hello: 'world' }),
      });
      expect(await response.json()).toEqual({ hello: 'world' });
    });
  });

  test('a public base URL that is no URL fails at start-up', () => {
    expect(() => appWith({ twilio: { authToken: AUTH_TOKEN, publicBaseUrl: 'amiable.example.com' } })).toThrow(
      /public base URL/,
    );
  });

  test('logs say what happened, never addresses, numbers, texts or reasons', async () => {
    const text = 'Je conteste, appelez-moi';
    const params = incomingParams(text);
    const payload = JSON.stringify(sendgridBatch);
    await withServer(appWith(), async (url) => {
      await postSendgrid(url, payload, sendgridHeaders(payload));
      await postSendgrid(url, payload, sendgridHeaders(payload, { key: otherKey.privateKey }));
      await postTwilio(url, INCOMING, params, twilioSignature(INCOMING, params));
      await postTwilio(url, STATUS, statusParams, twilioSignature(STATUS, statusParams));
      sink.failing = true;
      await postTwilio(url, INCOMING, params, twilioSignature(INCOMING, params));
    });
    const logs = logLines.join('\n');
    expect(logLines.length).toBeGreaterThanOrEqual(5);
    expect(logs).toContain('"outcome":"accepted"');
    expect(logs).toContain('"outcome":"unauthorized"');
    expect(logs).toContain('"outcome":"unavailable"');
    for (const secret of [EMAIL, PHONE, OUR_NUMBER, text, 'Recipient address rejected', 'refused event']) {
      expect(logs).not.toContain(secret);
    }
  });
});
