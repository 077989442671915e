/**
 * The Twilio transport with the real twilio client, against a local stand-in of the 2010-04-01
 * API: what goes on the wire, and how each kind of refusal reaches the activity.
 */
import { TwilioSmsTransport } from '../../activities/transports/twilio-sms';
import {
  OutcomeUnknownError,
  PermanentDeliveryError,
  type OutboundMessage,
} from '../../activities/transports/transport';
import { closedPort, startTwilioStandIn, type StandIn } from '../helpers/provider-stand-ins';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'test-auth-token';
const TO = '+33612345678';
const BODY =
  'Durand & Fils : sauf erreur, la facture F-2024-017 (1\u202f234,56\u00a0€) reste impayée. ' +
  'Réglez sur https://pay.example/r/7Hq ou appelez le 01 23 45 67 89. STOP au 36180';

const message: OutboundMessage = { to: TO, body: BODY, idempotencyKey: 'case-42:reminder_1:sms', caseId: 'case-42' };

let twilio: StandIn;
beforeEach(async () => (twilio = await startTwilioStandIn()));
afterEach(() => twilio.close());

function transport(sender: { from?: string; messagingServiceSid?: string } = { from: '+33700000001' }) {
  return new TwilioSmsTransport({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    statusCallbackUrl: 'https://amiable.example/webhooks/twilio/status',
    baseUrl: twilio.baseUrl,
    ...sender,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the send to fail');
  return outcome;
}

function expectNoPersonalData(error: Error) {
  for (const text of [error.message, String(error.stack), JSON.stringify(error)]) {
    expect(text).not.toContain(TO);
    expect(text).not.toContain('impayée');
  }
  expect(error.cause).toBeUndefined();
}

/** Twilio's error body, which quotes the number, as the real API does. */
function twilioError(status: number, code: number, text: string) {
  return {
    status,
    body: { code, message: text, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

test('posts the message form to the account’s Messages.json, and returns the SM sid', async () => {
  const result = await transport().send(message);

  expect(twilio.requests).toHaveLength(1);
  const [request] = twilio.requests;
  expect(request?.method).toBe('POST');
  expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  expect(request?.headers.authorization).toBe(
    `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
  );
  expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  expect(request?.body).toEqual({
    To: TO,
    From: '+33700000001',
    Body: BODY,
    StatusCallback: 'https://amiable.example/webhooks/twilio/status',
  });
  expect(result).toEqual({ providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
});

test('returns exactly the sid Twilio answered', async () => {
  twilio.respondWith({ status: 201, body: { sid: 'SM2f1c0e5a9b7d4c3e8f6a1b2c3d4e5f60', status: 'queued' } });

  expect(await transport().send(message)).toEqual({ providerMessageId: 'SM2f1c0e5a9b7d4c3e8f6a1b2c3d4e5f60' });
});

test('sends through the messaging service when one is configured, without a From', async () => {
  const service = `MG${'fedcba9876543210'.repeat(2)}`;

  await transport({ messagingServiceSid: service }).send(message);

  expect(twilio.requests[0]?.body).toEqual({
    To: TO,
    MessagingServiceSid: service,
    Body: BODY,
    StatusCallback: 'https://amiable.example/webhooks/twilio/status',
  });
});

test('refuses to be built without a sender', () => {
  expect(() => transport({})).toThrow(/from number or a messaging service SID/);
});

test('21610 (the debtor replied STOP) is a permanent opt-out', async () => {
  twilio.respondWith(twilioError(400, 21610, `Attempt to send to unsubscribed recipient ${TO}`));

  const error = await failureOf(transport().send(message));

  expect(error).toBeInstanceOf(PermanentDeliveryError);
  expect(error).toMatchObject({ kind: 'opted_out', reason: 'twilio 21610: recipient opted out (STOP)' });
  expectNoPersonalData(error);
});

test.each([21211, 21614])('%i (unusable number) is a permanent invalid recipient', async (code) => {
  twilio.respondWith(twilioError(400, code, `The 'To' number ${TO} is not a valid phone number.`));

  const error = await failureOf(transport().send(message));

  expect(error).toBeInstanceOf(PermanentDeliveryError);
  expect(error).toMatchObject({ kind: 'invalid_recipient', reason: `twilio ${code}: invalid or unreachable number` });
  expectNoPersonalData(error);
});

test('another 400 is a permanent rejection', async () => {
  twilio.respondWith(twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'));

  const error = await failureOf(transport().send(message));

  expect(error).toBeInstanceOf(PermanentDeliveryError);
  expect(error).toMatchObject({ kind: 'rejected', reason: 'twilio 21617: request rejected' });
});

test.each([
  ['401 20003 (credentials)', twilioError(401, 20003, 'Authenticate'), /^twilio 20003: .*\(configuration\)/],
  [
    '400 21606 (our From number)',
    twilioError(400, 21606, `The From phone number is not a valid, SMS-capable number for ${TO}`),
    /^twilio 21606: .*\(configuration\)/,
  ],
  ['429', twilioError(429, 20429, 'Too Many Requests'), /^twilio 20429: rate limited/],
  [
    '500',
    { status: 500, body: { status: 500, message: `Internal error for ${TO}` } },
    /^twilio 500: provider unavailable/,
  ],
  ['503', { status: 503, body: 'Service Unavailable' }, /^twilio 503: provider unavailable/],
])('%s is retried: a plain error, not a permanent one', async (_name, reply, expected) => {
  twilio.respondWith(reply);

  const error = await failureOf(transport().send(message));

  expect(error).not.toBeInstanceOf(PermanentDeliveryError);
  expect(error.message).toMatch(expected);
  expectNoPersonalData(error);
});

test('a connection cut before the answer is an unknown outcome: not retried, it may have left', async () => {
  twilio.respondWith({ destroySocket: true });

  const error = await failureOf(transport().send(message));

  expect(error).toBeInstanceOf(OutcomeUnknownError);
  expect(error.message).toMatch(/^outcome unknown: twilio: no answer \(ECONNRESET\), it may have the message$/);
  expect(twilio.requests).toHaveLength(1);
  expectNoPersonalData(error);
});

test('a provider that cannot be reached at all is retried: nothing left', async () => {
  const closedPortUrl = await closedPort();
  const error = await failureOf(
    new TwilioSmsTransport({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: '+33700000001',
      baseUrl: closedPortUrl,
    }).send(message),
  );

  expect(error).not.toBeInstanceOf(OutcomeUnknownError);
  expect(error).not.toBeInstanceOf(PermanentDeliveryError);
  expect(error.message).toBe('twilio: could not connect (ECONNREFUSED), not sent, will be retried');
  expectNoPersonalData(error);
});
