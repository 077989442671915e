/**
 * The registered-letter provider's callbacks: HMAC-signed JSON, checked before anything is read.
 */
import express from 'express';
import { signBody } from '../../activities/transports/hmac-signature';
import type { InboundEvent, InboundSink } from '../../api/webhooks/inbound-events';
import { createWebhookRouter } from '../../api/webhooks/router';
import { createLogger } from '../../observability/logger';
import { withServer } from '../helpers/http';

const SECRET = 'letter-provider-shared-secret';
const NOW = new Date('2026-12-10T09:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

class RecordingSink implements InboundSink {
  readonly events: InboundEvent[] = [];
  async accept(event: InboundEvent): Promise<void> {
    this.events.push(event);
  }
}

function appWith(sink: InboundSink, letters: { secret: string } | null = { secret: SECRET }) {
  const app = express();
  app.use(
    createWebhookRouter({
      ...(letters ? { letters } : {}),
      sink,
      logger: createLogger('test', 'silent'),
      now: () => NOW,
    }),
  );
  return app;
}

const delivered = {
  events: [
    {
      eventId: 'evt-1',
      reference: 'c_42:formal_notice:letter',
      event: 'delivered',
      trackingNumber: '1A23456789012',
      at: '2026-12-09T11:02:00+01:00',
    },
  ],
};

function post(baseUrl: string, body: string, headers: Record<string, string>) {
  return fetch(`${baseUrl}/webhooks/letters/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

const signed = (body: string, secret = SECRET, timestamp = nowSeconds) => ({
  'x-amiable-timestamp': String(timestamp),
  'x-amiable-signature': signBody(secret, body, timestamp),
});

test('a signed acknowledgement of receipt becomes a letter event', async () => {
  const sink = new RecordingSink();
  await withServer(appWith(sink), async (baseUrl) => {
    const body = JSON.stringify(delivered);
    const response = await post(baseUrl, body, signed(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, ignored: 0, unknown: 0 });
  });
  expect(sink.events).toEqual([
    {
      kind: 'letter_event',
      provider: 'letter',
      eventId: 'evt-1',
      idempotencyKey: 'c_42:formal_notice:letter',
      event: 'delivered',
      trackingNumber: '1A23456789012',
      at: new Date('2026-12-09T10:02:00Z'),
    },
  ]);
});

test.each([
  ['unsigned', () => ({}), 401],
  ['signed with another secret', (body: string) => signed(body, 'not-the-shared-secret'), 401],
  ['signed for another body', (body: string) => signed(body.replace('delivered', 'posted')), 401],
  ['signed ten minutes ago (a replay)', (body: string) => signed(body, SECRET, nowSeconds - 600), 401],
])('%s: refused, nothing recorded', async (_title, headersFor, status) => {
  const sink = new RecordingSink();
  await withServer(appWith(sink), async (baseUrl) => {
    const body = JSON.stringify(delivered);
    const response = await post(baseUrl, body, headersFor(body));
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });
  expect(sink.events).toEqual([]);
});

test('signed but malformed: 400 naming the field', async () => {
  const sink = new RecordingSink();
  await withServer(appWith(sink), async (baseUrl) => {
    const body = JSON.stringify({ events: [{ ...delivered.events[0], event: 'lost_in_the_mail' }] });
    const response = await post(baseUrl, body, signed(body));
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; details: { path: string }[] } };
    expect(error.code).toBe('validation_failed');
    expect(error.details[0]?.path).toBe('body.events[0].event');
  });
  expect(sink.events).toEqual([]);
});

test('without a configured secret the endpoint does not exist', async () => {
  await withServer(appWith(new RecordingSink(), null), async (baseUrl) => {
    const body = JSON.stringify(delivered);
    expect((await post(baseUrl, body, signed(body))).status).toBe(404);
  });
});
