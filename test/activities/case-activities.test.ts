import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Types, type Connection } from 'mongoose';
import pino from 'pino';
import {
  createCaseActivities,
  OutcomeUnknownError,
  PermanentDeliveryError,
  type MessageTransport,
  type OutboundMessage,
  type WordingTable,
} from '../../activities/case-activities';
import type { CaseView, JournalDraft, SendMessageInput } from '../../activities/contracts';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { renderMandatoryMentions, type MessageContext } from '../../domain/compliance';
import { formatAmount } from '../../domain/money';
import { alertModel } from '../../models/alert';
import { callTaskModel, listOpenCallTasks } from '../../models/call-task';
import { migrateActivityData } from '../../models/activity-data-migration';
import { caseRecordModel } from '../../models/case-record';
import { caseViewModel } from '../../models/case-view';
import { documentModel } from '../../models/document';
import { journalEntryModel, journalOf as journalOfCase } from '../../models/journal-entry';
import { messageSendModel, sendOfProviderMessage } from '../../models/message-send';
import { openText, parseDataKey, sealText, SealedTextError } from '../../models/sealed-text';
import { createLogger, type Logger } from '../../observability/logger';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';

let connection: Connection;
const dataKey = randomBytes(32);
const silent = createLogger('test', 'silent');

beforeAll(async () => {
  connection = await connectTestDatabase('case_activities');
  // Unique indexes must exist before the first write: idempotency rests on them.
  await Promise.all(
    [journalEntryModel, caseRecordModel, callTaskModel, messageSendModel, documentModel, alertModel].map((model) =>
      model(connection).createIndexes(),
    ),
  );
});

afterAll(async () => {
  await dropTestDatabase(connection);
});

afterEach(() => {
  jest.restoreAllMocks();
});

// ---------------------------------------------------------------------------------------------
// Fixtures

let caseCounter = 0;
const newCaseId = (): string => `c_test_${++caseCounter}_${randomBytes(3).toString('hex')}`;

const CREDITOR = {
  id: 'acme',
  name: 'ACME SAS',
  legalId: '552100554',
  address: '1 rue de la Paix, 75001 Paris',
  email: 'compta@acme.example',
};
const DEBTOR = {
  kind: 'business',
  name: 'Dupont SARL',
  email: 'contact@dupont.example',
  phone: '+33612345678',
  address: '5 avenue Foch, 69006 Lyon',
  legalId: '123456789',
} as const;
const CLAIM_BASIS = 'Bon de commande BC-778 signé le 2025-09-12';
const PAYMENT_INSTRUCTIONS = 'virement au compte IBAN FR76 3000 6000 0112 3456 7890 189';
const AMOUNTS = {
  principalCents: 185000,
  interestCents: 1234,
  accessoriesCents: 4000,
  paidCents: 0,
  totalCents: 190234,
  currency: 'EUR',
};

async function insertCase(
  caseId: string,
  debtor: Record<string, unknown> = DEBTOR,
  extra: Record<string, unknown> = {},
): Promise<{ reference: string }> {
  const reference = `INV-${caseId}`;
  await caseRecordModel(connection).create({
    caseId,
    creditorId: CREDITOR.id,
    reference,
    payloadHash: 'sha256:test',
    workflowId: `case-${caseId}`,
    creditor: CREDITOR,
    debtor,
    claim: {
      nature: 'Prestation de maintenance, octobre 2025',
      basis: CLAIM_BASIS,
      currency: 'EUR',
      invoices: [{ number: 'F-2025-118', issueDate: '2025-10-01', dueDate: '2025-10-31', amountCents: 185000 }],
    },
    policy: 'standard',
    paymentInstructions: PAYMENT_INSTRUCTIONS,
    openedAt: new Date('2026-03-01T09:00:00Z'),
    balanceCents: 185000,
    debtorKind: 'business',
    ...extra,
  });
  return { reference };
}

function messageInput(caseId: string, overrides: Partial<SendMessageInput> = {}): SendMessageInput {
  const stage = overrides.stage ?? 'reminder_1';
  const channel = overrides.channel ?? 'email';
  return {
    caseId,
    idempotencyKey: `${caseId}:${stage}:${channel}`,
    stage,
    channel,
    tone: 'courteous',
    template: `${stage}.courteous`,
    debtorKind: 'business',
    timeBarred: false,
    amounts: AMOUNTS,
    invoiceNumbers: ['F-2025-118'],
    at: '2026-03-03T09:00:00.000Z',
    ...overrides,
  };
}

interface Setup {
  transports?: Partial<Record<'email' | 'sms' | 'letter', MessageTransport>>;
  wording?: WordingTable;
  logger?: Logger;
}

function activitiesWith(setup: Setup = {}) {
  const simulated = new SimulatedTransport();
  const transports = { email: simulated, sms: simulated, letter: simulated, ...setup.transports };
  const activities = createCaseActivities({
    connection,
    dataKey,
    logger: setup.logger ?? silent,
    transports,
    ...(setup.wording ? { wording: setup.wording } : {}),
  });
  return { activities, outbox: simulated.outbox };
}

/** As the product reads it: this case's entries, by instant, then in the order written. */
const journalOf = (caseId: string) => journalOfCase(connection, caseId);

/** A provider that refuses a given number of times, then accepts; it is not simulated. */
class FlakyProvider implements MessageTransport {
  readonly simulated = false;
  readonly delivered: OutboundMessage[] = [];
  calls = 0;
  constructor(
    private failures: number,
    private readonly failure: () => Error,
  ) {}
  async send(message: OutboundMessage): Promise<{ providerMessageId: string }> {
    this.calls += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      throw this.failure();
    }
    this.delivered.push(message);
    return { providerMessageId: `prov-${this.calls}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Sealed text

describe('sealed text', () => {
  test('round-trips, with a fresh IV each time, in the compact v1 format', () => {
    const plain = 'Le débiteur conteste la facture F-2025-118 : « jamais livrée » 📦';
    const sealed = sealText(plain, dataKey);
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(sealed).not.toContain('débiteur');
    expect(openText(sealed, dataKey)).toBe(plain);
    expect(sealText(plain, dataKey)).not.toBe(sealed);
  });

  test('a tampered text, a text sealed under another key, or a malformed one does not open', () => {
    const sealed = sealText('rappeler lundi', dataKey);
    const [version, iv, tag, ciphertext] = sealed.split('.') as [string, string, string, string];
    const flipped = (part: string, at: number) =>
      `${part.slice(0, at)}${part[at] === 'A' ? 'B' : 'A'}${part.slice(at + 1)}`;
    const opening = (parts: string[]) => () => openText([version, ...parts].join('.'), dataKey);
    expect(opening([iv, tag, flipped(ciphertext, 0)])).toThrow(/altered/);
    expect(opening([iv, flipped(tag, 5), ciphertext])).toThrow(/altered/);
    expect(opening([flipped(iv, 5), tag, ciphertext])).toThrow(/altered/);
    // The last character of a 16-byte tag carries spare bits: changing only those is still refused.
    expect(opening([iv, flipped(tag, tag.length - 1), ciphertext])).toThrow(SealedTextError);
    expect(() => openText(sealed, randomBytes(32))).toThrow(/another key/);
    expect(() => openText('v2' + sealed.slice(2), dataKey)).toThrow(/not a sealed text/);
    expect(() => openText('rappeler lundi', dataKey)).toThrow(/not a sealed text/);
  });

  test('parseDataKey takes exactly 32 bytes of base64 and says so otherwise', () => {
    const key = randomBytes(32);
    expect(parseDataKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseDataKey(randomBytes(16).toString('base64'))).toThrow(/32 random bytes.*decodes to 16 bytes/);
    expect(() => parseDataKey(randomBytes(33).toString('base64'))).toThrow(/decodes to 33 bytes/);
    expect(() => parseDataKey('not base64 at all!')).toThrow(/not base64/);
    expect(() => parseDataKey('')).toThrow(/not base64/);
  });
});

// ---------------------------------------------------------------------------------------------
// Journal

describe('recordJournal', () => {
  const draft = (caseId: string, overrides: Partial<JournalDraft> = {}): JournalDraft => ({
    caseId,
    idempotencyKey: `${caseId}:journal:1`,
    at: '2026-03-03T10:00:00.000Z',
    type: 'payment_recorded',
    summary: 'Paiement reçu : 500,00 €',
    channel: 'api',
    actor: { role: 'operations', id: 'ops-1' },
    ...overrides,
  });

  test('the same key written twice (a retried activity) is one entry, the first', async () => {
    const caseId = newCaseId();
    const { activities } = activitiesWith();
    await activities.recordJournal([draft(caseId)]);
    await activities.recordJournal([draft(caseId, { summary: 'retry' }), draft(caseId, { summary: 'again' })]);
    const entries = await journalOf(caseId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      summary: 'Paiement reçu : 500,00 €',
      actor: { role: 'operations', id: 'ops-1' },
    });
  });

  test('sealed text is stored opened as the body; a call is journaled on the phone channel', async () => {
    const caseId = newCaseId();
    const { activities } = activitiesWith();
    const notes = 'Le gérant promet un virement vendredi';
    await activities.recordJournal([
      draft(caseId, {
        type: 'call_outcome',
        channel: 'call',
        actor: { role: 'agent' },
        sealedText: sealText(notes, dataKey),
      }),
    ]);
    const [entry] = await journalOf(caseId);
    expect(entry?.content?.body).toBe(notes);
    expect(entry?.channel).toBe('phone');
  });

  test('a batch with a text that does not open writes nothing', async () => {
    const caseId = newCaseId();
    const { activities } = activitiesWith();
    const foreign = sealText('secret', randomBytes(32));
    const batch = [draft(caseId), draft(caseId, { idempotencyKey: `${caseId}:journal:2`, sealedText: foreign })];
    await expect(activities.recordJournal(batch)).rejects.toThrow(SealedTextError);
    expect(await journalOf(caseId)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Projection

describe('saveCaseProjection', () => {
  const view = (caseId: string, revision: number, status: string, balanceCents: number): CaseView => ({
    id: caseId,
    reference: `INV-${caseId}`,
    creditorId: 'acme',
    debtorKind: 'business',
    policy: 'standard',
    status,
    stage: 'reminder_1',
    amounts: {
      principalCents: 185000,
      paidCents: 185000 - balanceCents,
      balanceCents,
      overpaidCents: 0,
      lateChargesCents: 0,
      currency: 'EUR',
    },
    openedAt: '2026-03-01T09:00:00.000Z',
    closedAt: null,
    nextAction: status === 'active' ? { type: 'reminder_2', at: '2026-03-10T09:00:00.000Z' } : null,
    prescription: { date: '2031-10-31', prescribed: false },
    promise: null,
    installmentPlan: null,
    dispute: null,
    pause: null,
    openCallTasks: [],
    summary: 'Relance 1 envoyée',
    workflowId: `case-${caseId}`,
    revision,
  });

  test('the stored view (case_views, by case id) moves forward and never back', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities } = activitiesWith();
    const views = caseViewModel(connection);

    await activities.saveCaseProjection(view(caseId, 3, 'active', 100000));
    await activities.saveCaseProjection(view(caseId, 2, 'paid', 0)); // a late retry of an older revision
    let stored = await views.findOne({ _id: caseId }).lean();
    expect(stored).toMatchObject({ revision: 3, view: { revision: 3, status: 'active', stage: 'reminder_1' } });

    await activities.saveCaseProjection(view(caseId, 4, 'paid', 0));
    stored = await views.findOne({ _id: caseId }).lean();
    expect(stored).toMatchObject({
      revision: 4,
      view: { status: 'paid', amounts: { balanceCents: 0 }, nextAction: null },
    });
    // The record is intake's alone: the projection never touches it.
    expect(await caseRecordModel(connection).findOne({ _id: caseId }).lean()).not.toHaveProperty('projection');
  });
});

// ---------------------------------------------------------------------------------------------
// Call tasks

describe('call tasks', () => {
  test('creating twice is one task; closing sets done once', async () => {
    const caseId = newCaseId();
    const taskId = `t_${caseId}_1`;
    const { activities } = activitiesWith();
    const CallTasks = callTaskModel(connection);
    const task = { caseId, taskId, reason: 'reminder_2', dueAt: '2026-03-10T09:00:00.000Z', balanceCents: 185000 };

    await activities.createCallTask(task);
    await activities.createCallTask({ ...task, reason: 'retry' });
    const created = await CallTasks.find({ taskId }).lean();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ status: 'open', reason: 'reminder_2', balanceCents: 185000 });

    await activities.closeCallTask({ caseId, taskId, outcome: 'no_answer' });
    const closed = await CallTasks.findOne({ taskId }).lean();
    expect(closed).toMatchObject({ status: 'done', outcome: 'no_answer' });
    expect(closed?.closedAt).toBeInstanceOf(Date);

    await activities.closeCallTask({ caseId, taskId, outcome: 'reached' });
    const again = await CallTasks.findOne({ taskId }).lean();
    expect(again).toMatchObject({ status: 'done', outcome: 'no_answer', closedAt: closed?.closedAt });
  });
});

// ---------------------------------------------------------------------------------------------
// Messages

function expectedContext(overrides: Partial<MessageContext> = {}): MessageContext {
  return {
    creditor: { name: CREDITOR.name, address: CREDITOR.address },
    claim: {
      basis: CLAIM_BASIS,
      invoiceNumbers: ['F-2025-118'],
      amounts: {
        principal: formatAmount(185000),
        interest: formatAmount(1234),
        accessories: formatAmount(4000),
        total: formatAmount(190234),
      },
    },
    paymentInstructions: PAYMENT_INSTRUCTIONS,
    debtorKind: 'business',
    channel: 'email',
    stage: 'reminder_1',
    timeBarred: false,
    ...overrides,
  };
}

describe('sendMessage', () => {
  test('a first reminder goes through the simulated transport with the mandatory mentions, journaled as sent', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities, outbox } = activitiesWith();
    const input = messageInput(caseId);

    const result = await activities.sendMessage(input);

    expect(result).toEqual({
      status: 'simulated',
      providerMessageId: `sim-${input.idempotencyKey}`,
      summary: 'E-mail simulé : relance 1 — aucun prestataire configuré, rien n’est sorti de la machine',
    });
    expect(outbox).toHaveLength(1);
    const [sent] = outbox as [OutboundMessage];
    expect(sent.to).toBe(DEBTOR.email);
    expect(sent.body).toContain(renderMandatoryMentions(expectedContext()));
    expect(sent.body).toContain(`la somme de ${formatAmount(190234)}`);
    expect(sent.body).toContain('responsable du traitement');
    expect(sent.body).not.toContain('premier courrier');
    // The text kept in the journal names nobody but the creditor.
    for (const personal of [DEBTOR.name, DEBTOR.email, DEBTOR.phone, DEBTOR.address]) {
      expect(sent.body).not.toContain(personal);
    }

    const entries = await journalOf(caseId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      idempotencyKey: input.idempotencyKey,
      type: 'message',
      channel: 'email',
      stage: 'reminder_1',
      status: 'simulated',
      providerMessageId: `sim-${input.idempotencyKey}`,
      content: { subject: sent.subject, body: sent.body },
      actor: { role: 'system' },
    });
  });

  test('retried with the same key, it is sent once and answers the same', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities, outbox } = activitiesWith();
    const input = messageInput(caseId);

    const first = await activities.sendMessage(input);
    const retried = await activities.sendMessage(input);
    // What was sent stays sent, even if the case record changed since.
    await caseRecordModel(connection).updateOne({ caseId }, { $unset: { 'debtor.email': 1 } });
    const retriedAfterChange = await activities.sendMessage(input);

    expect(retried).toEqual(first);
    expect(retriedAfterChange).toEqual(first);
    expect(outbox).toHaveLength(1);
    expect(await journalOf(caseId)).toHaveLength(1);
  });

  test('a crash between a provider call that cannot be checked and the journal write: not sent again, a person asked', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    // A real provider (not simulated) with no way to ask it whether it has the message.
    const provider = new FlakyProvider(0, () => new Error('never'));
    const { activities } = activitiesWith({ transports: { email: provider } });
    const input = messageInput(caseId);
    jest.spyOn(journalEntryModel(connection), 'create').mockRejectedValueOnce(new Error('connection reset'));

    await expect(activities.sendMessage(input)).rejects.toThrow('connection reset');
    expect(provider.delivered).toHaveLength(1);

    const retried = await activities.sendMessage(input);
    const retriedAgain = await activities.sendMessage(input);

    expect(retried).toEqual({
      status: 'failed',
      summary:
        'issue inconnue (le prestataire ne peut pas être interrogé) : non renvoyé ; un gestionnaire doit vérifier chez le prestataire',
      alertRaised: { idempotencyKey: `${input.idempotencyKey}:outcome-unknown-alert`, kind: 'message_outcome_unknown' },
    });
    expect(retriedAgain).toEqual(retried);
    expect(provider.delivered).toHaveLength(1);
    const entries = await journalOf(caseId);
    expect(entries.map((entry) => entry.type)).toEqual(['message', 'manager_alert']);
    expect(entries[0]).toMatchObject({ type: 'message', status: 'failed', summary: retried.summary });
    expect(entries[1]?.summary).toMatch(/relance 1 par e-mail/);
    expect(await messageSendModel(connection).findOne({ idempotencyKey: input.idempotencyKey }).lean()).toMatchObject({
      state: 'unknown',
    });
  });

  test('a crash after the simulated call: resent under the same key (nothing left the machine), journaled why', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities, outbox } = activitiesWith();
    const input = messageInput(caseId);
    jest.spyOn(journalEntryModel(connection), 'create').mockRejectedValueOnce(new Error('connection reset'));

    await expect(activities.sendMessage(input)).rejects.toThrow('connection reset');
    const retried = await activities.sendMessage(input);

    expect(retried).toMatchObject({ status: 'simulated' });
    expect(outbox.map((message) => message.idempotencyKey)).toEqual([input.idempotencyKey, input.idempotencyKey]);
    const entries = await journalOf(caseId);
    expect(entries.map((entry) => entry.summary)).toEqual([
      'tentative 1 interrompue : envoi simulé, rien n’est sorti de la machine ; envoyé à nouveau, sous la même clé',
      retried.summary,
    ]);
  });

  test('a send left in flight by a version before the narrowed claim (`sending`) is settled like a call', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const provider = new FlakyProvider(0, () => new Error('never'));
    const { activities } = activitiesWith({ transports: { email: provider } });
    const input = messageInput(caseId);
    await messageSendModel(connection).create({
      idempotencyKey: input.idempotencyKey,
      caseId,
      channel: 'email',
      stage: 'reminder_1',
      state: 'sending',
      claimedAt: new Date(),
    });

    const result = await activities.sendMessage(input);

    expect(result.status).toBe('failed');
    expect(result.summary).toMatch(/^issue inconnue/);
    expect(provider.calls).toBe(0);
  });

  test('a send claimed by an attempt that died before calling the provider is sent, once', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const provider = new FlakyProvider(0, () => new Error('never'));
    const { activities } = activitiesWith({ transports: { email: provider } });
    const input = messageInput(caseId);
    await messageSendModel(connection).create({
      idempotencyKey: input.idempotencyKey,
      caseId,
      channel: 'email',
      stage: 'reminder_1',
      state: 'claimed',
      claimedAt: new Date(),
    });

    const result = await activities.sendMessage(input);
    const again = await activities.sendMessage(input);

    expect(result).toMatchObject({ status: 'sent', providerMessageId: 'prov-1' });
    expect(again).toEqual(result);
    expect(provider.delivered).toHaveLength(1);
  });

  test('a crash after the journal write but before the bookkeeping: the retry answers what was sent', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities, outbox } = activitiesWith();
    const input = messageInput(caseId);
    jest.spyOn(messageSendModel(connection), 'updateOne').mockRejectedValueOnce(new Error('connection reset'));

    await expect(activities.sendMessage(input)).rejects.toThrow('connection reset');
    const retried = await activities.sendMessage(input);

    expect(retried).toMatchObject({ status: 'simulated', providerMessageId: `sim-${input.idempotencyKey}` });
    expect(outbox).toHaveLength(1);
    expect(await journalOf(caseId)).toHaveLength(1);
    expect(await messageSendModel(connection).findOne({ idempotencyKey: input.idempotencyKey }).lean()).toMatchObject({
      state: 'sent',
      status: 'simulated',
    });
  });

  test('a provider error is journaled and retried without personal data in the error; a real provider says sent', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const provider = new FlakyProvider(1, () => new Error(`451 mailbox busy for ${DEBTOR.email}`));
    const { activities } = activitiesWith({ transports: { email: provider } });
    const input = messageInput(caseId);

    const failure = await activities.sendMessage(input).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).not.toContain(DEBTOR.email);

    const result = await activities.sendMessage(input);

    expect(result).toMatchObject({ status: 'sent', providerMessageId: 'prov-2' });
    expect(provider.delivered).toHaveLength(1);
    const entries = await journalOf(caseId);
    expect(entries.map((entry) => entry.status)).toEqual(['failed', 'sent']);
    expect(entries.map((entry) => entry.idempotencyKey)).toEqual([
      `${input.idempotencyKey}:attempt-1`,
      input.idempotencyKey,
    ]);
  });

  test('a permanent refusal fails the message and closes the channel, without retrying', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const provider = new FlakyProvider(1, () => new PermanentDeliveryError('hard bounce'));
    const { activities } = activitiesWith({ transports: { email: provider } });

    const result = await activities.sendMessage(messageInput(caseId));
    const askedAgain = await activities.sendMessage(messageInput(caseId));

    expect(result).toEqual({
      status: 'failed',
      summary: 'refus définitif du prestataire (destinataire invalide) : canal fermé',
      closeChannel: true,
    });
    expect(askedAgain).toEqual(result);
    expect(provider.calls).toBe(1);
    expect((await journalOf(caseId)).map((entry) => entry.status)).toEqual(['failed']);
  });

  test('a provider that never answered (timeout, cut connection) and cannot be asked: not retried, a manager alerted', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const provider = new FlakyProvider(1, () => new OutcomeUnknownError('sendgrid: no answer (ECONNRESET)'));
    const { activities } = activitiesWith({ transports: { email: provider } });

    const result = await activities.sendMessage(messageInput(caseId));
    const askedAgain = await activities.sendMessage(messageInput(caseId));

    expect(result).toEqual({
      status: 'failed',
      summary:
        'issue inconnue (le prestataire ne peut pas être interrogé) : non renvoyé ; un gestionnaire doit vérifier chez le prestataire',
      alertRaised: {
        idempotencyKey: `${caseId}:reminder_1:email:outcome-unknown-alert`,
        kind: 'message_outcome_unknown',
      },
    });
    expect(askedAgain).toEqual(result);
    expect(provider.calls).toBe(1);
    const entries = await journalOf(caseId);
    expect(entries.map((entry) => `${entry.type}:${entry.status ?? ''}`)).toEqual(['message:failed', 'manager_alert:']);
    expect(await messageSendModel(connection).findOne({ caseId }).lean()).toMatchObject({ state: 'unknown' });
  });

  test('no e-mail address on file: blocked, the channel closed, nothing sent', async () => {
    const caseId = newCaseId();
    const { email: _email, ...withoutEmail } = DEBTOR;
    await insertCase(caseId, withoutEmail);
    const { activities, outbox } = activitiesWith();

    const result = await activities.sendMessage(messageInput(caseId));

    expect(result).toEqual({ status: 'blocked', summary: 'aucune adresse e-mail au dossier', closeChannel: true });
    expect(outbox).toHaveLength(0);
    const entries = await journalOf(caseId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      type: 'message',
      status: 'blocked',
      summary: 'aucune adresse e-mail au dossier',
    });
  });

  test('forbidden wording blocks the message: journaled with the rule, nothing sent, nothing claimed', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const wording: WordingTable = {
      reminder_1: {
        courteous: {
          subject: 'Rappel',
          opening: 'La somme de {{total}} est due, majorée de frais de dossier.',
          sms: 'Rappel',
        },
      },
    };
    const { activities, outbox } = activitiesWith({ wording });
    const input = messageInput(caseId);

    const result = await activities.sendMessage(input);

    expect(result.status).toBe('blocked');
    expect(result.summary).toMatch(/^formulation interdite « frais de dossier » \(/);
    expect(outbox).toHaveLength(0);
    expect(await messageSendModel(connection).countDocuments({ idempotencyKey: input.idempotencyKey })).toBe(0);
    const [entry] = await journalOf(caseId);
    expect(entry).toMatchObject({ status: 'blocked', summary: result.summary });
    expect(entry?.content?.body).toContain('frais de dossier');
  });

  test('later messages repeat the first letter’s reference and date, and drop the data-protection notice', async () => {
    const caseId = newCaseId();
    const { reference } = await insertCase(caseId);
    const { activities, outbox } = activitiesWith();

    await activities.sendMessage(messageInput(caseId, { at: '2026-03-03T09:00:00.000Z' }));
    await activities.sendMessage(
      messageInput(caseId, { stage: 'final_reminder', tone: 'firm', at: '2026-03-17T09:00:00.000Z' }),
    );

    expect(outbox).toHaveLength(2);
    const [first, later] = outbox as [OutboundMessage, OutboundMessage];
    expect(first.body).not.toContain('premier courrier');
    expect(later.body).toContain(`Rappel de notre premier courrier : référence ${reference}, envoyé le 3 mars 2026.`);
    expect(later.body).toContain(
      renderMandatoryMentions(
        expectedContext({ stage: 'final_reminder', firstMessage: { reference, date: '3 mars 2026' } }),
      ),
    );
    expect(later.body).not.toContain('responsable du traitement');
  });

  test('a mise en demeure by letter: titled, with the deadline, to the name and postal address', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities, outbox } = activitiesWith();
    const input = messageInput(caseId, {
      stage: 'formal_notice',
      channel: 'letter',
      tone: 'formal',
      formalNoticeDeadline: '2026-03-20',
    });

    const result = await activities.sendMessage(input);

    expect(result.status).toBe('simulated');
    const [letter] = outbox as [OutboundMessage];
    expect(letter.to).toBe(`${DEBTOR.name}\n${DEBTOR.address}`);
    expect(letter.subject).toBe('Mise en demeure');
    expect(letter.body).toContain('au plus tard le 20 mars 2026');
    expect(letter.body).toContain('procédure judiciaire');
  });

  test('a mise en demeure on a time-barred claim says nothing of court action', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities, outbox } = activitiesWith();
    const input = messageInput(caseId, {
      stage: 'formal_notice',
      channel: 'letter',
      tone: 'formal',
      formalNoticeDeadline: '2026-03-20',
      timeBarred: true,
    });

    const result = await activities.sendMessage(input);

    expect(result.status).toBe('simulated');
    expect(outbox[0]?.body).not.toMatch(/judiciaire|tribunal|juge/);
  });

  test('an SMS goes to the phone number, without a subject', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities, outbox } = activitiesWith();

    const result = await activities.sendMessage(
      messageInput(caseId, { stage: 'reminder_2', channel: 'sms', tone: 'firm' }),
    );

    expect(result.status).toBe('simulated');
    expect(outbox[0]).toMatchObject({ to: DEBTOR.phone });
    expect(outbox[0]?.subject).toBeUndefined();
    expect(outbox[0]?.body).toContain(formatAmount(190234));
  });

  test('the logs name no one and quote no message', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const caseId = newCaseId();
    await insertCase(caseId);
    const refusing = new FlakyProvider(5, () => new Error(`550 no such user ${DEBTOR.email}`));
    const { activities } = activitiesWith({ logger, transports: { letter: refusing } });

    await activities.sendMessage(messageInput(caseId));
    await activities
      .sendMessage(messageInput(caseId, { channel: 'letter', stage: 'reminder_2' }))
      .catch(() => undefined);
    await activities.raiseManagerAlert({
      caseId,
      idempotencyKey: `${caseId}:alert:1`,
      kind: 'test',
      message: DEBTOR.name,
    });

    const logged = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const personal of [DEBTOR.name, DEBTOR.email, DEBTOR.phone, DEBTOR.address, 'Madame, Monsieur']) {
      expect(logged).not.toContain(personal);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Handoff and alerts

describe('handoff and manager alerts', () => {
  test('each is journaled once per key', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities } = activitiesWith();
    const handoff = { caseId, idempotencyKey: `${caseId}:handoff`, at: '2026-04-01T09:00:00.000Z' };
    const alert = {
      caseId,
      idempotencyKey: `${caseId}:alert:7`,
      kind: 'formal_notice_failed',
      message: 'Mise en demeure non envoyée',
    };

    const { summary } = await activities.handOffCase(handoff);
    await activities.handOffCase(handoff);
    await activities.raiseManagerAlert(alert);
    await activities.raiseManagerAlert(alert);

    expect(summary).toMatch(/simulée : rien n’est sorti de la machine$/);
    const entries = await journalOf(caseId);
    expect(entries.map((entry) => entry.type).sort()).toEqual(['handoff', 'manager_alert']);
    expect(entries.find((entry) => entry.type === 'handoff')).toMatchObject({
      status: 'simulated',
      summary,
      actor: { role: 'system' },
    });
    expect(entries.find((entry) => entry.type === 'manager_alert')?.summary).toContain('Mise en demeure non envoyée');
  });
});

// ---------------------------------------------------------------------------------------------
// Keyed data (issue 14): FerretDB over SQLite answers only `{_id: value}` without reading the whole
// collection, and loses one of two concurrent updates of one document.

describe('keyed data', () => {
  /** Every filter the activities send to the database, as (collection, method, filter). */
  function recordQueries(): { queries: [string, string, unknown][]; stop: () => void } {
    const queries: [string, string, unknown][] = [];
    connection.set('debug', (collection: string, method: string, filter: unknown) => {
      queries.push([collection, method, filter]);
    });
    return { queries, stop: () => connection.set('debug', false) };
  }
  const WRITES_WITHOUT_FILTER = ['insertOne', 'insertMany', 'createIndex'];
  const byIdOnly = (filter: unknown): boolean =>
    typeof filter === 'object' &&
    filter !== null &&
    Object.keys(filter).length === 1 &&
    typeof (filter as { _id?: unknown })._id === 'string';

  test('sends, journal, tasks, alerts and the handoff look up by `_id` only', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const { activities } = activitiesWith();
    const { queries, stop } = recordQueries();
    try {
      await activities.sendMessage(messageInput(caseId));
      await activities.sendMessage(messageInput(caseId)); // a retry
      // The second letter reads the first one's date (R2): no journal search.
      await activities.sendMessage(messageInput(caseId, { stage: 'reminder_2', at: '2026-03-13T09:00:00.000Z' }));
      await activities.sendMessage(messageInput(caseId, { stage: 'reminder_2', channel: 'sms' }));
      await activities.createCallTask({
        taskId: `${caseId}:call:1`,
        caseId,
        reason: 'relance téléphonique',
        dueAt: '2026-03-20T09:00:00.000Z',
        balanceCents: 185000,
      });
      await activities.closeCallTask({ taskId: `${caseId}:call:1`, caseId, outcome: 'reached' });
      await activities.raiseManagerAlert({ caseId, idempotencyKey: `${caseId}:alert:1`, kind: 'x', message: 'm' });
      await activities.handOffCase({ caseId, idempotencyKey: `${caseId}:handoff`, at: '2026-04-01T09:00:00.000Z' });
    } finally {
      stop();
    }

    const scans = queries.filter(([, method, filter]) => !WRITES_WITHOUT_FILTER.includes(method) && !byIdOnly(filter));
    expect(scans).toEqual([]);
    expect(queries.length).toBeGreaterThan(20);
    const handoff = (await journalOf(caseId)).find((entry) => entry.type === 'handoff');
    expect(handoff?.status).toBe('simulated');
  });

  test('attempts racing on a send whose attempt died before calling: one call, one journal entry', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const provider = new FlakyProvider(0, () => new Error('never'));
    const { activities } = activitiesWith({ transports: { email: provider } });
    const input = messageInput(caseId);
    await messageSendModel(connection).create({
      idempotencyKey: input.idempotencyKey,
      caseId,
      channel: 'email',
      stage: 'reminder_1',
      state: 'claimed',
      claimedAt: new Date(),
    });

    const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => activities.sendMessage(input)));
    const settled = await activities.sendMessage(input);

    expect(provider.calls).toBe(1);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect(settled).toMatchObject({ status: 'sent', providerMessageId: 'prov-1' });
    expect((await journalOf(caseId)).map((entry) => entry.status)).toEqual(['sent']);
  });

  test('documents keyed the old way are moved once at start and still found', async () => {
    const caseId = newCaseId();
    await insertCase(caseId);
    const key = `${caseId}:reminder_1:email`;
    const at = new Date('2026-03-03T09:00:00Z');
    // As versions before keyed documents wrote them: ObjectId `_id`s, looked up by field.
    await messageSendModel(connection).collection.insertOne({
      _id: new Types.ObjectId() as never,
      idempotencyKey: key,
      caseId,
      channel: 'email',
      stage: 'reminder_1',
      state: 'sent',
      status: 'sent',
      attempts: 1,
      summary: 'E-mail envoyé : relance 1',
      providerMessageId: 'sg-old-1',
      claimedAt: at,
    });
    const entry = (idempotencyKey: string, summary: string) => ({
      _id: new Types.ObjectId() as never,
      caseId,
      idempotencyKey,
      at,
      type: 'message',
      channel: 'email',
      stage: 'reminder_1',
      status: 'sent',
      summary,
      actor: { role: 'system' },
    });
    // Same instant, written in this order: the order must survive the move.
    await journalEntryModel(connection).collection.insertOne(entry(`${key}:z-first`, 'premier'));
    await journalEntryModel(connection).collection.insertOne(entry(`${key}:a-second`, 'second'));
    await callTaskModel(connection).collection.insertOne({
      _id: new Types.ObjectId() as never,
      taskId: `${caseId}:call:1`,
      caseId,
      reason: 'relance téléphonique',
      dueAt: at,
      status: 'open',
      balanceCents: 185000,
    });

    const first = await migrateActivityData(connection);
    const second = await migrateActivityData(connection);

    expect(first.moved).toMatchObject({ message_sends: 1, journal_entries: 2, call_tasks: 1 });
    expect(second.moved).toEqual({ message_sends: 0, journal_entries: 0, call_tasks: 0, documents: 0, alerts: 0 });
    expect((await journalOf(caseId)).map((stored) => stored.summary)).toEqual(['premier', 'second']);
    expect(await sendOfProviderMessage(connection, 'sg-old-1')).toMatchObject({ caseId, idempotencyKey: key });
    expect((await listOpenCallTasks(connection, { limit: 500 })).map((task) => task._id)).toContain(`${caseId}:call:1`);
    // The send is found by its key: asked again, it answers what was sent, and sends nothing.
    const provider = new FlakyProvider(0, () => new Error('never'));
    const { activities } = activitiesWith({ transports: { email: provider } });
    await expect(activities.sendMessage(messageInput(caseId))).resolves.toMatchObject({
      status: 'sent',
      providerMessageId: 'sg-old-1',
    });
    expect(provider.calls).toBe(0);
    await activities.closeCallTask({ taskId: `${caseId}:call:1`, caseId, outcome: 'paid' });
    expect((await listOpenCallTasks(connection, { limit: 500 })).map((task) => task._id)).not.toContain(
      `${caseId}:call:1`,
    );
    expect(
      await callTaskModel(connection)
        .findOne({ _id: `${caseId}:call:1` })
        .lean(),
    ).toMatchObject({
      status: 'done',
      outcome: 'paid',
    });
  });
});
