/**
 * The channels end to end: a case's messages leave through the real SendGrid and Twilio clients
 * (pointed at local stand-ins, so every request is seen exactly), the providers' webhooks come
 * back signed, and what they say changes the case: a bounce closes e-mail, STOP closes SMS, a reply
 * holds the sequence. Then the mise en demeure goes as a PDF letter and the case is handed off with
 * its dossier — over six weeks of virtual time.
 */
import { signBody } from '../../activities/transports/hmac-signature';
import { SendGridEmailTransport } from '../../activities/transports/sendgrid-email';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { TwilioSmsTransport } from '../../activities/transports/twilio-sms';
import { recordHistory } from '../helpers/histories';
import { normalised, pdfText } from '../helpers/pdf-text';
import { sendgridSigner, twilioSignature } from '../helpers/provider-signatures';
import { startSendGridStandIn, startTwilioStandIn, type StandIn } from '../helpers/provider-stand-ins';
import { advanceUntil, eventually, KEYS, openCase, setUpApiFile, type ApiTestContext } from './api-harness';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const OUR_NUMBER = '+33757000000';
const PUBLIC_BASE = 'https://amiable.example.com';
const FROM_EMAIL = 'relances@acme.example';
const LETTER_SECRET = 'letter-provider-shared-secret';
const signer = sendgridSigner();

let sendgrid: StandIn;
let twilioApi: StandIn;
const letters = new SimulatedTransport();

const context: ApiTestContext = setUpApiFile('channels', {
  channels: async () => {
    [sendgrid, twilioApi] = await Promise.all([startSendGridStandIn(), startTwilioStandIn()]);
    return {
      transports: {
        email: new SendGridEmailTransport({
          apiKey: 'SG.test-key',
          from: { email: FROM_EMAIL, name: 'ACME Recouvrement' },
          baseUrl: sendgrid.baseUrl,
        }),
        sms: new TwilioSmsTransport({
          accountSid: ACCOUNT_SID,
          authToken: AUTH_TOKEN,
          from: OUR_NUMBER,
          statusCallbackUrl: `${PUBLIC_BASE}/webhooks/twilio/status`,
          baseUrl: twilioApi.baseUrl,
        }),
        letter: letters,
      },
    };
  },
  webhooks: {
    sendgrid: { verificationKey: signer.verificationKey },
    twilio: { authToken: AUTH_TOKEN, publicBaseUrl: PUBLIC_BASE },
    letters: { secret: LETTER_SECRET },
  },
});

afterAll(async () => {
  await Promise.all([sendgrid?.close(), twilioApi?.close()]);
});

interface JournalEntryBody {
  type: string;
  channel?: string;
  stage?: string;
  status?: string;
  summary: string;
  providerMessageId?: string;
  content?: { subject?: string; body?: string };
  document?: { id: string; sha256: string; form?: string };
  actor: { role: string };
}

async function journal(caseId: string): Promise<JournalEntryBody[]> {
  const response = await context.request('GET', `/cases/${caseId}/journal`, { as: 'agent' });
  expect(response.status).toBe(200);
  return response.body.entries as JournalEntryBody[];
}

async function postSendgridEvents(events: unknown[], signedBy = signer) {
  const payload = JSON.stringify(events);
  const seconds = Math.floor(Date.now() / 1000);
  return fetch(`${context.baseUrl}/webhooks/sendgrid/events`, {
    method: 'POST',
    headers: signedBy.headers(payload, seconds),
    body: payload,
  });
}

async function postTwilio(path: string, params: Record<string, string>, token = AUTH_TOKEN) {
  return fetch(`${context.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(token, `${PUBLIC_BASE}${path}`, params),
    },
    body: new URLSearchParams(params).toString(),
  });
}

test('a case through SendGrid, Twilio and their webhooks, to the mise en demeure and the handoff', async () => {
  const opened = await openCase(context);
  const caseId = opened.id as string;
  const debtor = { email: 'contact@dupont.example', phone: '+33612345678' };

  // 1. The first reminder, by e-mail, through the real SendGrid client: at once inside the contact
  // hours, else at the next window (the test clock may start at 07:00, 21:00 or on a Sunday).
  await advanceUntil(context, caseId, () => sendgrid.requests.length > 0);
  const [mail] = await eventually(
    async () => sendgrid.requests,
    (requests) => requests.length === 1,
  );
  expect(mail!.method).toBe('POST');
  expect(mail!.path).toBe('/v3/mail/send');
  expect(mail!.headers.authorization).toBe('Bearer SG.test-key');
  const sent = mail!.body as {
    personalizations: { to: { email: string }[] }[];
    from: { email: string; name: string };
    subject: string;
    content: { type: string; value: string }[];
    custom_args: Record<string, string>;
  };
  expect(sent.personalizations[0]!.to).toEqual([{ email: debtor.email }]);
  expect(sent.from).toEqual({ email: FROM_EMAIL, name: 'ACME Recouvrement' });
  expect(sent.subject).toMatch(/^Rappel : facture F-\d+ en attente de règlement$/);
  expect(sent.custom_args).toEqual({ caseId, idempotencyKey: `${caseId}:reminder_1:email` });
  const text = sent.content.find((part) => part.type === 'text/plain')!.value;
  for (const mention of ['ACME SAS', '1 rue de la Paix, 75001 Paris', 'Bon de commande BC-778 signé', '1 850,00']) {
    expect(normalised(text)).toContain(normalised(mention));
  }
  expect(text).toMatch(/responsable du traitement/);
  // Outside the contact hours the journal first says the reminder was deferred.
  const isReminder1 = (entry: JournalEntryBody) => entry.stage === 'reminder_1' && entry.status !== 'deferred';
  let entries = await eventually(
    () => journal(caseId),
    (found) => found.some(isReminder1),
  );
  const reminder = entries.find(isReminder1)!;
  expect(reminder).toMatchObject({ status: 'sent', channel: 'email', providerMessageId: expect.any(String) });
  expect(reminder.content?.body).toBe(text);

  // 2. SendGrid's Event Webhook: a forged batch is refused; the signed one lands, and the bounce closes e-mail.
  const events = [
    {
      event: 'delivered',
      sg_event_id: 'ev-1',
      sg_message_id: `${reminder.providerMessageId}.filter0001`,
      timestamp: 1,
      caseId,
      idempotencyKey: `${caseId}:reminder_1:email`,
      email: debtor.email,
    },
    {
      event: 'bounce',
      type: 'bounce',
      sg_event_id: 'ev-2',
      sg_message_id: `${reminder.providerMessageId}.filter0001`,
      timestamp: 2,
      caseId,
      idempotencyKey: `${caseId}:reminder_1:email`,
      email: debtor.email,
      reason: '550 5.1.1 user unknown',
    },
  ];
  const before = (await journal(caseId)).length;
  expect((await postSendgridEvents(events, sendgridSigner())).status).toBe(401);
  expect((await journal(caseId)).length).toBe(before);
  expect((await postSendgridEvents(events)).status).toBe(200);
  entries = await eventually(
    () => journal(caseId),
    (found) => found.some((entry) => entry.type === 'channel_closed' && entry.channel === 'email'),
  );
  expect(entries.filter((entry) => entry.type === 'delivery_event').map((entry) => entry.summary)).toEqual([
    'e-mail remis au serveur du destinataire (SendGrid)',
    'e-mail rejeté par le serveur du destinataire (SendGrid) [rejet définitif]',
  ]);
  // Redelivered by SendGrid: nothing new.
  expect((await postSendgridEvents(events)).status).toBe(200);
  await context.env.sleep('1 minute');
  expect((await journal(caseId)).length).toBe(entries.length);

  // 3. A week on, the second reminder by SMS through the real Twilio client.
  await advanceUntil(context, caseId, () => twilioApi.requests.length > 0);
  const [sms] = await eventually(
    async () => twilioApi.requests,
    (requests) => requests.length === 1,
  );
  expect(sms!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  expect(sms!.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
  const form = sms!.body as Record<string, string>;
  expect(form).toMatchObject({
    To: debtor.phone,
    From: OUR_NUMBER,
    StatusCallback: `${PUBLIC_BASE}/webhooks/twilio/status`,
  });
  expect(form.Body).toMatch(/Deuxième relance : la somme de .* reste due/);
  entries = await journal(caseId);
  const smsEntry = entries.find(
    (entry) => entry.stage === 'reminder_2' && entry.channel === 'sms' && entry.status !== 'deferred',
  )!;
  expect(smsEntry).toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^SM/) });
  expect(smsEntry.content?.body).toBe(form.Body);

  // 4. Twilio's status callback, then the debtor's replies.
  const base = { AccountSid: ACCOUNT_SID, From: OUR_NUMBER, To: debtor.phone, ApiVersion: '2010-04-01' };
  expect(
    (
      await postTwilio(
        '/webhooks/twilio/status',
        { ...base, MessageSid: smsEntry.providerMessageId!, MessageStatus: 'delivered' },
        'wrong-token',
      )
    ).status,
  ).toBe(401);
  expect(
    (
      await postTwilio('/webhooks/twilio/status', {
        ...base,
        MessageSid: smsEntry.providerMessageId!,
        MessageStatus: 'delivered',
      })
    ).status,
  ).toBe(204);
  const inbound = { AccountSid: ACCOUNT_SID, From: debtor.phone, To: OUR_NUMBER, ApiVersion: '2010-04-01' };
  const reply = await postTwilio('/webhooks/twilio/incoming', {
    ...inbound,
    MessageSid: `SM${'1'.repeat(32)}`,
    Body: 'Je paierai vendredi',
  });
  expect(reply.status).toBe(200);
  expect(await reply.text()).toMatch(/<Response\/>/);
  const stop = await postTwilio('/webhooks/twilio/incoming', {
    ...inbound,
    MessageSid: `SM${'2'.repeat(32)}`,
    Body: 'STOP',
  });
  expect(stop.status).toBe(200);
  entries = await eventually(
    () => journal(caseId),
    (found) =>
      found.some((entry) => entry.type === 'debtor_reply') &&
      found.some((entry) => entry.type === 'channel_closed' && entry.channel === 'sms'),
  );
  expect(entries.find((entry) => entry.type === 'debtor_reply')).toMatchObject({
    channel: 'sms',
    actor: { role: 'debtor' },
    content: { body: 'Je paierai vendredi' },
  });
  expect(
    entries.some((entry) => entry.type === 'delivery_event' && entry.summary === 'SMS remis au destinataire (Twilio)'),
  ).toBe(true);

  // 5. Weeks on: no e-mail and no SMS any more; the mise en demeure as a PDF letter, and the
  // provider's signed acknowledgement of receipt; then the handoff, whose dossier cites both.
  await context.env.sleep('20 days');
  entries = await journal(caseId);
  const notice = entries.find((entry) => entry.stage === 'formal_notice' && entry.type === 'message')!;
  expect(notice).toMatchObject({ status: 'simulated', channel: 'letter', document: { form: 'lrar' } });
  const receipt = JSON.stringify({
    events: [
      {
        eventId: 'ar-1',
        reference: `${caseId}:formal_notice:letter`,
        event: 'delivered',
        trackingNumber: '1A23456789012',
        at: new Date(await context.env.currentTimeMs()).toISOString(),
      },
    ],
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const acknowledged = await fetch(`${context.baseUrl}/webhooks/letters/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-amiable-timestamp': String(timestamp),
      'x-amiable-signature': signBody(LETTER_SECRET, receipt, timestamp),
    },
    body: receipt,
  });
  expect(acknowledged.status).toBe(200);
  const received = await eventually(
    () => journal(caseId),
    (found) => found.some((entry) => entry.type === 'formal_notice_received'),
  );
  expect(received.find((entry) => entry.type === 'formal_notice_received')?.summary).toMatch(
    /^Mise en demeure reçue le \d\d\/\d\d\/\d{4} \(accusé de réception\) : délai de paiement jusqu'au \d\d\/\d\d\/\d{4}/,
  );
  await context.env.sleep('20 days');
  expect(sendgrid.requests).toHaveLength(1);
  expect(twilioApi.requests).toHaveLength(1);
  entries = await eventually(
    () => journal(caseId),
    (found) => found.some((entry) => entry.type === 'handoff' && entry.status !== undefined),
  );
  const pdf = await fetch(`${context.baseUrl}/cases/${caseId}/documents/${notice.document!.id}`, {
    headers: { authorization: `Bearer ${KEYS.agent}` },
  });
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get('content-type')).toBe('application/pdf');
  const letterText = normalised(await pdfText(Buffer.from(await pdf.arrayBuffer())));
  expect(letterText).toContain('Mise en demeure');
  expect(letterText).toContain('Lettre recommandée avec accusé de réception');
  const documents = await context.request('GET', `/cases/${caseId}/documents`, { as: 'agent' });
  expect(documents.body.items.map((item: { kind: string }) => item.kind)).toEqual([
    'formal_notice',
    'handoff_manifest',
    'handoff_summary',
  ]);
  const manifestId = documents.body.items.find((item: { kind: string }) => item.kind === 'handoff_manifest').id;
  const manifest = await context.request('GET', `/cases/${caseId}/documents/${manifestId}`, { as: 'agent' });
  expect(manifest.body.formalNotices).toEqual([
    expect.objectContaining({
      form: 'lrar',
      deliveryEvents: [
        { at: expect.any(String), summary: 'courrier distribué : accusé de réception signé — n° 1A23456789012' },
      ],
    }),
  ]);
  expect(entries.find((entry) => entry.type === 'handoff' && entry.status)).toMatchObject({
    status: 'simulated',
    summary: expect.stringMatching(/^dossier de transmission préparé .*simulée : rien n’est sorti de la machine$/),
    document: { kind: 'handoff_summary' },
  });
  const final = await context.request('GET', `/cases/${caseId}`, { as: 'agent' });
  expect(final.body.status).toBe('handed_off');
  await recordHistory(
    context.env.client.workflow.getHandle(final.body.workflowId as string),
    'collection-case',
    'bounce-stop-reply-receipt-to-handoff',
  );
});
