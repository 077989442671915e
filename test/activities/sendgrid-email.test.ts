/**
 * The SendGrid transport with the real @sendgrid/mail client, against a local stand-in of the v3
 * API: what goes on the wire, and how each kind of refusal reaches the activity.
 */
import { SendGridEmailTransport } from '../../activities/transports/sendgrid-email';
import {
  OutcomeUnknownError,
  PermanentDeliveryError,
  type OutboundMessage,
} from '../../activities/transports/transport';
import { closedPort, startSendGridStandIn, type StandIn } from '../helpers/provider-stand-ins';

const TO = 'contact@dupont.example';
// Narrow and ordinary no-break spaces, as French formatting writes an amount: they must arrive intact.
const AMOUNT = '1\u202f234,56\u00a0€';
const BODY =
  'Madame, Monsieur,\n\n' +
  `Sauf erreur de notre part, la facture F-2024-017 d’un montant de ${AMOUNT} reste impayée à ce jour.\n` +
  'Nous vous remercions de bien vouloir procéder à son règlement sous huit jours.\n\n' +
  'Bien cordialement,\nDurand & Fils <recouvrement>';
const PDF = Buffer.from('%PDF-1.7\n\u00e9\u20ac binary \x00\x01\x02', 'latin1');

const message: OutboundMessage = {
  to: TO,
  subject: 'Rappel : facture F-2024-017 échue',
  body: BODY,
  idempotencyKey: 'case-42:reminder_1:email',
  caseId: 'case-42',
};

let sendgrid: StandIn;
beforeEach(async () => (sendgrid = await startSendGridStandIn()));
afterEach(() => sendgrid.close());

function transport(extra: { sandboxMode?: boolean } = {}) {
  return new SendGridEmailTransport({
    apiKey: 'SG.test-key',
    from: { email: 'relances@durand.example', name: 'Durand & Fils' },
    replyTo: 'compta@durand.example',
    baseUrl: sendgrid.baseUrl,
    ...extra,
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

test('posts the message to /v3/mail/send exactly as given, and returns the x-message-id', async () => {
  sendgrid.respondWith({ status: 202, headers: { 'x-message-id': 'W0aYbCGvSm2Ugo5a0-5Eug' } });

  const result = await transport().send({
    ...message,
    attachments: [{ filename: 'mise-en-demeure.pdf', contentType: 'application/pdf', content: PDF }],
  });

  expect(result).toEqual({ providerMessageId: 'W0aYbCGvSm2Ugo5a0-5Eug' });
  expect(sendgrid.requests).toHaveLength(1);
  const [request] = sendgrid.requests;
  expect(request?.method).toBe('POST');
  expect(request?.path).toBe('/v3/mail/send');
  expect(request?.headers.authorization).toBe('Bearer SG.test-key');
  expect(request?.headers['content-type']).toMatch(/^application\/json/);
  const body = request?.body as { attachments: { content: string }[] };
  expect(body).toEqual({
    from: { email: 'relances@durand.example', name: 'Durand & Fils' },
    reply_to: { email: 'compta@durand.example' },
    subject: 'Rappel : facture F-2024-017 échue',
    personalizations: [{ to: [{ email: TO }] }],
    content: [
      { type: 'text/plain', value: BODY },
      {
        type: 'text/html',
        value:
          '<p>Madame, Monsieur,</p>\n' +
          `<p>Sauf erreur de notre part, la facture F-2024-017 d’un montant de ${AMOUNT} reste impayée à ce jour.<br>\n` +
          'Nous vous remercions de bien vouloir procéder à son règlement sous huit jours.</p>\n' +
          '<p>Bien cordialement,<br>\nDurand &amp; Fils &lt;recouvrement&gt;</p>',
      },
    ],
    attachments: [
      {
        content: expect.any(String),
        filename: 'mise-en-demeure.pdf',
        type: 'application/pdf',
        disposition: 'attachment',
      },
    ],
    custom_args: { caseId: 'case-42', idempotencyKey: 'case-42:reminder_1:email' },
    headers: { 'X-Amiable-Idempotency-Key': 'case-42:reminder_1:email' },
  });
  expect(Buffer.from(body.attachments[0]!.content, 'base64').equals(PDF)).toBe(true);
});

test('asks for sandbox mode when configured', async () => {
  await transport({ sandboxMode: true }).send(message);

  expect(sendgrid.requests[0]?.body).toMatchObject({ mail_settings: { sandbox_mode: { enable: true } } });
});

test('refuses an e-mail without a subject before calling SendGrid', async () => {
  const { subject: _subject, ...withoutSubject } = message;

  const error = await failureOf(transport().send(withoutSubject));

  expect(error).not.toBeInstanceOf(PermanentDeliveryError);
  expect(error.message).toMatch(/subject/);
  expect(sendgrid.requests).toHaveLength(0);
});

test('an invalid recipient address is a permanent failure that closes the channel', async () => {
  sendgrid.respondWith({
    status: 400,
    body: {
      errors: [
        {
          message: `Does not contain a valid address: ${TO}`,
          field: 'personalizations.0.to.0.email',
          help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to',
        },
      ],
    },
  });

  const error = await failureOf(transport().send(message));

  expect(error).toBeInstanceOf(PermanentDeliveryError);
  expect(error).toMatchObject({ kind: 'invalid_recipient', reason: 'sendgrid 400: invalid recipient address' });
  expectNoPersonalData(error);
});

test.each([
  [400, { errors: [{ message: 'The subject is required.', field: 'subject', help: null }] }],
  [400, { errors: [{ message: 'Does not contain a valid address.', field: 'from.email', help: null }] }],
  [413, { errors: [{ message: 'Payload too large', field: null, help: null }] }],
])('any other %i is a permanent rejection, not an address problem', async (status, body) => {
  sendgrid.respondWith({ status, body });

  const error = await failureOf(transport().send(message));

  expect(error).toBeInstanceOf(PermanentDeliveryError);
  expect(error).toMatchObject({ kind: 'rejected', reason: `sendgrid ${status}: request rejected` });
});

test.each([
  [401, /^sendgrid 401: API key or sender refused \(configuration\)/],
  [403, /^sendgrid 403: API key or sender refused \(configuration\)/],
  [429, /^sendgrid 429: rate limited/],
  [500, /^sendgrid 500: provider unavailable/],
  [503, /^sendgrid 503: provider unavailable/],
])('%i is retried: a plain error, not a permanent one', async (status, expected) => {
  sendgrid.respondWith({ status, body: { errors: [{ message: `failed for ${TO}`, field: null, help: null }] } });

  const error = await failureOf(transport().send(message));

  expect(error).not.toBeInstanceOf(PermanentDeliveryError);
  expect(error.message).toMatch(expected);
  expectNoPersonalData(error);
});

test('a connection cut before the answer is an unknown outcome: not retried, it may have left', async () => {
  sendgrid.respondWith({ destroySocket: true });

  const error = await failureOf(transport().send(message));

  expect(error).toBeInstanceOf(OutcomeUnknownError);
  expect(error.message).toMatch(/^outcome unknown: sendgrid: no answer \(ECONNRESET\), it may have the message$/);
  expect(sendgrid.requests).toHaveLength(1);
  expectNoPersonalData(error);
});

test('a provider that cannot be reached at all is retried: nothing left', async () => {
  const closedPortUrl = await closedPort();
  const error = await failureOf(
    new SendGridEmailTransport({
      apiKey: 'SG.test-key',
      from: { email: 'relances@durand.example' },
      baseUrl: closedPortUrl,
    }).send(message),
  );

  expect(error).not.toBeInstanceOf(OutcomeUnknownError);
  expect(error).not.toBeInstanceOf(PermanentDeliveryError);
  expect(error.message).toBe('sendgrid: could not connect (ECONNREFUSED), not sent, will be retried');
  expectNoPersonalData(error);
});
