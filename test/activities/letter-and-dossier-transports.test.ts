/**
 * The registered-letter provider interface and the e-mail delivery of a handoff dossier, against
 * local stand-ins: the exact requests, and how their answers are sorted (retry, refusal, unknown).
 */
import { createHash } from 'node:crypto';
import { EmailDossierDelivery } from '../../activities/handoff/delivery';
import { HttpLetterTransport } from '../../activities/transports/http-letter';
import { SendGridEmailTransport } from '../../activities/transports/sendgrid-email';
import {
  OutcomeUnknownError,
  PermanentDeliveryError,
  type OutboundMessage,
} from '../../activities/transports/transport';
import { closedPort, startJsonStandIn, startSendGridStandIn, type StandIn } from '../helpers/provider-stand-ins';

const PDF = Buffer.from('%PDF-1.3 a letter as posted');
const notice: OutboundMessage = {
  to: 'Jeanne Martin\n3 rue Basse\n13001 Marseille',
  subject: 'Mise en demeure',
  body: 'Madame, Monsieur, …',
  idempotencyKey: 'c_42:formal_notice:letter',
  caseId: 'c_42',
  attachments: [{ filename: 'mise-en-demeure-INV-1.pdf', contentType: 'application/pdf', content: PDF }],
  letter: { form: 'lre', email: 'jeanne@martin.example' },
};

let standIn: StandIn;
afterEach(() => standIn?.close());

describe('the registered-letter provider interface (HTTP)', () => {
  test('one request: the PDF, its SHA-256, the form, the recipient, the token and an idempotency key', async () => {
    standIn = await startJsonStandIn({ trackingNumber: '1A23456789012' });
    const transport = new HttpLetterTransport({ url: `${standIn.baseUrl}/letters`, token: 'letter-token' });

    const result = await transport.send(notice);

    expect(result).toEqual({ providerMessageId: '1A23456789012' });
    const [request] = standIn.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/letters' });
    expect(request!.headers.authorization).toBe('Bearer letter-token');
    expect(request!.headers['idempotency-key']).toBe(notice.idempotencyKey);
    expect(request!.body).toEqual({
      reference: notice.idempotencyKey,
      form: 'lre',
      recipient: {
        name: 'Jeanne Martin',
        postalAddress: '3 rue Basse\n13001 Marseille',
        email: 'jeanne@martin.example',
      },
      document: {
        filename: 'mise-en-demeure-INV-1.pdf',
        contentType: 'application/pdf',
        sha256: createHash('sha256').update(PDF).digest('hex'),
        contentBase64: PDF.toString('base64'),
      },
    });
  });

  test('a 4xx is a refusal (not retried), a 5xx is retried, a cut connection is an unknown outcome', async () => {
    standIn = await startJsonStandIn();
    const transport = new HttpLetterTransport({ url: `${standIn.baseUrl}/letters`, token: 't' });
    standIn.respondWith({ status: 422, body: {} }, { status: 503 }, { destroySocket: true });

    await expect(transport.send(notice)).rejects.toBeInstanceOf(PermanentDeliveryError);
    const retryable = await transport.send(notice).then(
      () => new Error('sent'),
      (error: unknown) => error as Error,
    );
    expect(retryable).not.toBeInstanceOf(PermanentDeliveryError);
    expect(retryable).not.toBeInstanceOf(OutcomeUnknownError);
    expect(retryable.message).toBe('letter provider answered 503: will be retried');
    await expect(transport.send(notice)).rejects.toBeInstanceOf(OutcomeUnknownError);
  });

  test('a provider nobody answers at is retried: nothing was sent', async () => {
    const transport = new HttpLetterTransport({ url: `${await closedPort()}/letters`, token: 't' });
    const error = await transport.send(notice).then(
      () => new Error('sent'),
      (thrown: unknown) => thrown as Error,
    );
    expect(error.message).toBe('letter provider: could not connect (ECONNREFUSED), not sent, will be retried');
  });
});

describe('the handoff dossier by e-mail', () => {
  test('goes through SendGrid with the manifest and the summary attached', async () => {
    standIn = await startSendGridStandIn();
    const email = new SendGridEmailTransport({
      apiKey: 'SG.test-key',
      from: { email: 'recouvrement@acme.example' },
      baseUrl: standIn.baseUrl,
    });
    const delivery = new EmailDossierDelivery(email, 'etude@cj.example');
    const manifest = { filename: 'dossier-INV-1.json', contentType: 'application/json', content: Buffer.from('{}') };
    const summary = { filename: 'dossier-INV-1.pdf', contentType: 'application/pdf', content: PDF };

    await delivery.deliver({ caseId: 'c_42', reference: 'INV-1', idempotencyKey: 'c_42:handoff', manifest, summary });

    const body = standIn.requests[0]!.body as {
      personalizations: { to: { email: string }[] }[];
      subject: string;
      attachments: { filename: string; type: string; content: string }[];
    };
    expect(body.personalizations[0]!.to).toEqual([{ email: 'etude@cj.example' }]);
    expect(body.subject).toBe('Transmission de dossier — créance INV-1');
    expect(
      body.attachments.map(({ filename, type, content }) => [filename, type, Buffer.from(content, 'base64')]),
    ).toEqual([
      ['dossier-INV-1.json', 'application/json', Buffer.from('{}')],
      ['dossier-INV-1.pdf', 'application/pdf', PDF],
    ]);
    expect(delivery.simulated).toBe(false);
  });
});
