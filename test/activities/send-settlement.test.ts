/**
 * Exactly once means neither twice nor zero times. A send left unsettled — by a crash, or by a
 * provider that did not answer — is settled by asking the provider, with the real SendGrid and
 * Twilio clients talking to local stand-ins that keep what they took:
 * - killed before the call: the claim is retaken and the message leaves once;
 * - the provider took it: found by the lookup, journaled as sent, never sent again;
 * - the provider never had it: sent once, but only after its records had time to show it;
 * - the provider cannot be asked: a person settles it (unknown, manager alert).
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import { createCaseActivities, type MessageTransport } from '../../activities/case-activities';
import type { SendMessageInput } from '../../activities/contracts';
import { HttpLetterTransport } from '../../activities/transports/http-letter';
import { SendGridEmailTransport } from '../../activities/transports/sendgrid-email';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { TwilioSmsTransport } from '../../activities/transports/twilio-sms';
import { alertModel } from '../../models/alert';
import { caseRecordModel } from '../../models/case-record';
import { documentModel } from '../../models/document';
import { journalEntryModel, journalOf as journalOfCase } from '../../models/journal-entry';
import { currentSend, messageSendLockModel, messageSendModel } from '../../models/message-send';
import { createLogger } from '../../observability/logger';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';
import {
  startJsonStandIn,
  startSendGridStandIn,
  startTwilioStandIn,
  type StandIn,
} from '../helpers/provider-stand-ins';

let connection: Connection;
const TEN_MINUTES = 10 * 60_000;
const TWILIO_SID = `AC${'0'.repeat(32)}`;

beforeAll(async () => {
  connection = await connectTestDatabase('send_settlement');
  await Promise.all(
    [journalEntryModel, caseRecordModel, messageSendModel, documentModel, alertModel].map((model) =>
      model(connection).createIndexes(),
    ),
  );
});

afterAll(async () => {
  await dropTestDatabase(connection);
});

let standIns: StandIn[] = [];
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(standIns.map((standIn) => standIn.close()));
  standIns = [];
});

const DEBTOR = {
  kind: 'business',
  name: 'Dupont SARL',
  email: 'contact@dupont.example',
  phone: '+33612345678',
  address: '5 avenue Foch, 69006 Lyon',
} as const;

async function openCase(): Promise<string> {
  const caseId = `c_settle_${randomBytes(4).toString('hex')}`;
  await caseRecordModel(connection).create({
    caseId,
    creditorId: 'acme',
    reference: `INV-${caseId}`,
    payloadHash: 'sha256:test',
    workflowId: `case-${caseId}`,
    creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris', legalId: '552100554' },
    debtor: DEBTOR,
    claim: {
      nature: 'Prestation de maintenance, octobre 2025',
      basis: 'Bon de commande BC-778 signé le 2025-09-12',
      currency: 'EUR',
      invoices: [{ number: 'F-2025-118', issueDate: '2025-10-01', dueDate: '2025-10-31', amountCents: 185000 }],
    },
    policy: 'standard',
    paymentInstructions: 'virement au compte IBAN FR76 3000 6000 0112 3456 7890 189',
    openedAt: new Date('2026-03-01T09:00:00Z'),
    balanceCents: 185000,
    debtorKind: 'business',
  });
  return caseId;
}

function messageInput(caseId: string, channel: 'email' | 'sms' | 'letter' = 'email'): SendMessageInput {
  return {
    caseId,
    idempotencyKey: `${caseId}:reminder_1:${channel}`,
    stage: 'reminder_1',
    channel,
    tone: 'courteous',
    template: 'reminder_1.courteous',
    debtorKind: 'business',
    timeBarred: false,
    amounts: {
      principalCents: 185000,
      interestCents: 1234,
      accessoriesCents: 4000,
      paidCents: 0,
      totalCents: 190234,
      currency: 'EUR',
    },
    invoiceNumbers: ['F-2025-118'],
    at: '2026-03-03T09:00:00.000Z',
  };
}

/** The worker's clock, moved by the test: the stand-ins stamp messages with the real one. */
let clock: Date;
beforeEach(() => {
  clock = new Date();
});
const advance = (ms: number) => void (clock = new Date(clock.getTime() + ms));

async function sendGrid(options: { emailActivity?: boolean; standInActivity?: boolean } = {}) {
  const standIn = await startSendGridStandIn({ emailActivity: options.standInActivity ?? true });
  standIns.push(standIn);
  const transport = new SendGridEmailTransport({
    apiKey: 'SG.test-key',
    from: { email: 'relances@acme.example' },
    baseUrl: standIn.baseUrl,
    ...(options.emailActivity === false ? {} : { emailActivity: { settleMs: TEN_MINUTES } }),
  });
  return { standIn, activities: activitiesWith({ email: transport }) };
}

function activitiesWith(transports: Partial<Record<'email' | 'sms' | 'letter', MessageTransport>>) {
  const simulated = new SimulatedTransport();
  return createCaseActivities({
    connection,
    dataKey: randomBytes(32),
    logger: createLogger('test', 'silent'),
    transports: { email: simulated, sms: simulated, letter: simulated, ...transports },
    now: () => clock,
  });
}

const sends = (standIn: StandIn) => standIn.requests.filter((request) => request.method === 'POST');
const lookups = (standIn: StandIn) => standIn.requests.filter((request) => request.method === 'GET');
/** As the product reads it: this case's entries, by instant, then in the order written. */
const journalOf = (caseId: string) => journalOfCase(connection, caseId);
/** The send as its locks tell it (a started call is recorded by its call lock). */
const sendOf = (key: string) => currentSend(connection, key);

/** What a worker killed at that write leaves behind: the write never happens, the attempt dies. */
function killedAt(model: { create: unknown } | { updateOne: unknown }, method: 'create' | 'updateOne') {
  jest.spyOn(model as never, method).mockRejectedValueOnce(new Error('worker killed (SIGKILL)') as never);
}

test('killed after the claim, before the call: the claim is retaken and the e-mail leaves once', async () => {
  const caseId = await openCase();
  const { standIn, activities } = await sendGrid();
  const input = messageInput(caseId);
  killedAt(messageSendLockModel(connection), 'create'); // the write that marks the call as started (its lock)

  await expect(activities.sendMessage(input)).rejects.toThrow('worker killed');
  expect(await sendOf(input.idempotencyKey)).toMatchObject({ state: 'claimed', attempts: 1 });
  expect(standIn.requests).toHaveLength(0);

  const result = await activities.sendMessage(input);

  expect(result).toMatchObject({ status: 'sent', providerMessageId: standIn.taken[0]?.id });
  expect(standIn.taken.map((message) => message.idempotencyKey)).toEqual([input.idempotencyKey]);
  // Known not to have left: nothing to ask the provider.
  expect(lookups(standIn)).toHaveLength(0);
  expect((await journalOf(caseId)).map((entry) => entry.status)).toEqual(['sent']);
  expect(await sendOf(input.idempotencyKey)).toMatchObject({ state: 'sent', attempts: 2 });
});

test('killed after SendGrid took it, before the journal: found by its key, journaled sent, never sent again', async () => {
  const caseId = await openCase();
  const { standIn, activities } = await sendGrid();
  const input = messageInput(caseId);
  killedAt(journalEntryModel(connection), 'create');

  await expect(activities.sendMessage(input)).rejects.toThrow('worker killed');
  expect(await sendOf(input.idempotencyKey)).toMatchObject({ state: 'calling' });
  const retried = await activities.sendMessage(input);
  const askedAgain = await activities.sendMessage(input);

  expect(sends(standIn)).toHaveLength(1);
  expect(standIn.taken).toHaveLength(1);
  expect(lookups(standIn)).toHaveLength(1);
  expect(decodeURIComponent(lookups(standIn)[0]!.path)).toContain(
    `query=unique_args['idempotencyKey']="${input.idempotencyKey}"`,
  );
  expect(retried).toEqual({
    status: 'sent',
    providerMessageId: standIn.taken[0]!.id,
    summary: 'E-mail envoyé : relance 1 (retrouvé chez le prestataire après une interruption)',
  });
  expect(askedAgain).toEqual(retried);
  const journal = await journalOf(caseId);
  expect(journal).toHaveLength(1);
  expect(journal[0]).toMatchObject({ status: 'sent', providerMessageId: standIn.taken[0]!.id });
  expect(journal[0]?.content?.body).toBe(standIn.taken[0]!.body);
  expect(await alertModel(connection).countDocuments({ caseId })).toBe(0);
});

test('SendGrid took it but the answer was lost: asked at once, found, not sent again', async () => {
  const caseId = await openCase();
  const { standIn, activities } = await sendGrid();
  standIn.respondWith({ take: 'destroySocket' });

  const result = await activities.sendMessage(messageInput(caseId));

  expect(result).toMatchObject({ status: 'sent', providerMessageId: standIn.taken[0]?.id });
  expect(sends(standIn)).toHaveLength(1);
  expect((await journalOf(caseId)).map((entry) => entry.status)).toEqual(['sent']);
});

test('SendGrid never had it: not believed before the feed settles, then sent once under the same key', async () => {
  const caseId = await openCase();
  const { standIn, activities } = await sendGrid();
  const input = messageInput(caseId);
  standIn.respondWith({ destroySocket: true }); // cut before SendGrid took anything

  const tooEarly = await activities.sendMessage(input).catch((error: unknown) => error);
  expect(tooEarly).toBeInstanceOf(ApplicationFailure);
  expect(tooEarly).toMatchObject({ type: 'SendNotSettledYet', nonRetryable: false, nextRetryDelay: TEN_MINUTES });
  advance(TEN_MINUTES / 2);
  await expect(activities.sendMessage(input)).rejects.toMatchObject({ nextRetryDelay: TEN_MINUTES / 2 });
  expect(sends(standIn)).toHaveLength(1);

  advance(TEN_MINUTES / 2);
  const result = await activities.sendMessage(input);

  expect(result).toMatchObject({ status: 'sent', providerMessageId: standIn.taken[0]?.id });
  expect(sends(standIn)).toHaveLength(2);
  expect(standIn.taken.map((message) => message.idempotencyKey)).toEqual([input.idempotencyKey]);
  const journal = await journalOf(caseId);
  expect(journal.map((entry) => [entry.idempotencyKey, entry.status])).toEqual([
    [`${input.idempotencyKey}:attempt-1`, 'failed'],
    [input.idempotencyKey, 'sent'],
  ]);
  expect(journal[0]?.summary).toBe(
    'tentative 1 interrompue : le prestataire ne l’a jamais reçu ; envoyé à nouveau, sous la même clé',
  );
});

test.each([
  ['the account has no Email Activity API (not configured)', { emailActivity: false }],
  ['the Email Activity API refuses the key (403)', { standInActivity: false }],
])('%s: the send goes to a person, never sent again', async (_label, options) => {
  const caseId = await openCase();
  const { standIn, activities } = await sendGrid(options);
  const input = messageInput(caseId);
  killedAt(journalEntryModel(connection), 'create');
  await expect(activities.sendMessage(input)).rejects.toThrow('worker killed');

  const result = await activities.sendMessage(input);
  const askedAgain = await activities.sendMessage(input);

  expect(result).toMatchObject({
    status: 'failed',
    summary: expect.stringMatching(/^issue inconnue \(.+\) : non renvoyé ; un gestionnaire doit vérifier/),
    alertRaised: { kind: 'message_outcome_unknown' },
  });
  expect(askedAgain).toEqual(result);
  expect(sends(standIn)).toHaveLength(1);
  expect(await sendOf(input.idempotencyKey)).toMatchObject({ state: 'unknown' });
  expect((await journalOf(caseId)).map((entry) => `${entry.type}:${entry.status ?? ''}`)).toEqual([
    'message:failed',
    'manager_alert:',
  ]);
  expect(await alertModel(connection).findOne({ caseId }).lean()).toMatchObject({
    kind: 'message_outcome_unknown',
    status: 'open',
    send: { idempotencyKey: input.idempotencyKey },
  });
});

test('the lookup keeps failing: asked again while it may recover, then a person', async () => {
  const caseId = await openCase();
  const { standIn, activities } = await sendGrid();
  const input = messageInput(caseId);
  killedAt(journalEntryModel(connection), 'create');
  await expect(activities.sendMessage(input)).rejects.toThrow('worker killed');

  standIn.respondWith({ status: 503 });
  await expect(activities.sendMessage(input)).rejects.toThrow(/sendgrid email activity: 503, will be asked again/);
  advance(6 * 3_600_000);
  standIn.respondWith({ status: 503 });
  const result = await activities.sendMessage(input);

  expect(result).toMatchObject({ status: 'failed', alertRaised: { kind: 'message_outcome_unknown' } });
  expect(sends(standIn)).toHaveLength(1);
});

test('killed after Twilio took the SMS: found in the list by number and text, never sent again', async () => {
  const caseId = await openCase();
  const standIn = await startTwilioStandIn();
  standIns.push(standIn);
  const activities = activitiesWith({
    sms: new TwilioSmsTransport({
      accountSid: TWILIO_SID,
      authToken: 'token',
      from: '+33700000000',
      baseUrl: standIn.baseUrl,
    }),
  });
  const input = messageInput(caseId, 'sms');
  killedAt(journalEntryModel(connection), 'create');
  await expect(activities.sendMessage(input)).rejects.toThrow('worker killed');

  const result = await activities.sendMessage(input);

  expect(result).toMatchObject({ status: 'sent', providerMessageId: standIn.taken[0]?.id });
  expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
  expect(sends(standIn)).toHaveLength(1);
  expect(lookups(standIn)[0]?.path).toMatch(/\/Messages\.json\?.*To=%2B33612345678/);
});

test('an attempt presumed dead whose claim was retaken never calls the provider', async () => {
  const caseId = await openCase();
  const { standIn, activities } = await sendGrid();
  const input = messageInput(caseId);
  const locks = messageSendLockModel(connection);
  const original = locks.create.bind(locks);
  let retry: Promise<unknown> = Promise.resolve();
  // The first attempt stalls right before its call starts; meanwhile the retry retakes and sends.
  jest.spyOn(locks, 'create').mockImplementationOnce(((...args: Parameters<typeof original>) => {
    retry = activities.sendMessage(input);
    return retry.then(() => original(...args));
  }) as never);

  await expect(activities.sendMessage(input)).rejects.toThrow(/claim 1 retaken by another attempt/);

  await expect(retry).resolves.toMatchObject({ status: 'sent' });
  expect(sends(standIn)).toHaveLength(1);
  expect((await journalOf(caseId)).map((entry) => entry.status)).toEqual(['sent']);
});

test('Twilio never had it: another SMS to the same number does not pass for it; sent once after the settle delay', async () => {
  const caseId = await openCase();
  const standIn = await startTwilioStandIn();
  standIns.push(standIn);
  const twilio = new TwilioSmsTransport({
    accountSid: TWILIO_SID,
    authToken: 'token',
    from: '+33700000000',
    baseUrl: standIn.baseUrl,
  });
  const activities = activitiesWith({ sms: twilio });
  const input = messageInput(caseId, 'sms');
  // An earlier SMS of another case to the same debtor, minutes ago.
  await twilio.send({ to: DEBTOR.phone, body: 'Autre dossier : rappel', idempotencyKey: 'other', caseId: 'other' });
  standIn.respondWith({ destroySocket: true });

  await expect(activities.sendMessage(input)).rejects.toMatchObject({
    type: 'SendNotSettledYet',
    nextRetryDelay: twilio.lookupSettleMs,
  });
  advance(twilio.lookupSettleMs);
  const result = await activities.sendMessage(input);

  expect(result).toMatchObject({ status: 'sent', providerMessageId: standIn.taken[1]?.id });
  expect(standIn.taken.map((message) => message.body.slice(0, 22))).toEqual([
    'Autre dossier : rappel',
    expect.not.stringMatching(/^Autre dossier/),
  ]);
});

test('killed after the letter provider took the letter: posted again under the same Idempotency-Key, kept once', async () => {
  const caseId = await openCase();
  const standIn = await startJsonStandIn({ id: 'letter-1', trackingNumber: '1A00000000001' });
  standIns.push(standIn);
  const activities = activitiesWith({
    letter: new HttpLetterTransport({ url: `${standIn.baseUrl}/letters`, token: 'letter-token' }),
  });
  const input = messageInput(caseId, 'letter');
  killedAt(journalEntryModel(connection), 'create');
  await expect(activities.sendMessage(input)).rejects.toThrow('worker killed');

  const result = await activities.sendMessage(input);

  expect(result).toMatchObject({ status: 'sent', providerMessageId: '1A00000000001' });
  expect(sends(standIn).map((request) => request.headers['idempotency-key'])).toEqual([
    input.idempotencyKey,
    input.idempotencyKey,
  ]);
  expect(sends(standIn)[1]?.rawBody).toBe(sends(standIn)[0]?.rawBody);
  expect(standIn.taken).toHaveLength(1);
  expect((await journalOf(caseId)).map((entry) => entry.summary)).toEqual([
    'tentative 1 interrompue : le prestataire écarte une demande répétée sous la même clé ; envoyé à nouveau, sous la même clé',
    expect.stringMatching(/^Courrier envoyé : relance 1/),
  ]);
});
