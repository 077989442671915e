/**
 * What each provider event does to a case (api/webhooks/case-sink.ts), with the real database and
 * a recording stand-in for the Temporal client: which events become journal entries, which become
 * signals, and that a redelivered event changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { InboundEvent } from '../../api/webhooks/inbound-events';
import { createCaseInboundSink } from '../../api/webhooks/case-sink';
import type { SealedText } from '../../domain/case/types';
import { caseRecordModel } from '../../models/case-record';
import { journalEntryModel, journalOf as journalOfCase } from '../../models/journal-entry';
import { messageSendModel, rememberProviderMessage } from '../../models/message-send';
import { caseViewModel } from '../../models/case-view';
import { createLogger } from '../../observability/logger';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';

let database: Connection;
beforeAll(async () => {
  database = await connectTestDatabase('case_sink');
  await Promise.all(
    [caseRecordModel, journalEntryModel, messageSendModel].map((model) => model(database).createIndexes()),
  );
});
afterAll(() => dropTestDatabase(database));

interface Signalled {
  workflowId: string;
  name: string;
  event: Record<string, unknown>;
}

/** The part of the Temporal client the sink uses; `closed` workflows answer as completed ones do. */
function recordingClient(closed: string[] = []) {
  const signals: Signalled[] = [];
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        signal: async (definition: { name: string }, event: Record<string, unknown>) => {
          if (closed.includes(workflowId)) throw new WorkflowNotFoundError('closed', workflowId, undefined);
          signals.push({ workflowId, name: definition.name, event });
        },
      }),
    },
  } as unknown as Client;
  return { client, signals };
}

let counter = 0;
async function caseWith(phone: string, status: 'active' | 'paid' = 'active') {
  const caseId = `c_sink${++counter}${randomBytes(3).toString('hex')}`;
  await caseRecordModel(database).create({
    caseId,
    creditorId: 'acme',
    reference: `INV-${caseId}`,
    payloadHash: 'sha256:test',
    workflowId: `case-${caseId}`,
    creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
    debtor: { kind: 'business', name: 'Dupont SARL', email: 'contact@dupont.example', phone },
    claim: {
      nature: 'Maintenance',
      basis: 'Bon de commande',
      currency: 'EUR',
      invoices: [{ number: 'F-1', issueDate: '2026-10-01', dueDate: '2026-10-31', amountCents: 1000 }],
    },
    policy: 'standard',
    paymentInstructions: 'virement',
    openedAt: new Date(),
    balanceCents: 1000,
    debtorKind: 'business',
  });
  // The case's status is its workflow's, in its stored view: only what the sink reads of it.
  if (status !== 'active')
    await caseViewModel(database).collection.insertOne({
      _id: caseId as never,
      revision: 0,
      view: { id: caseId, status },
    });
  await messageSendModel(database).create({
    idempotencyKey: `${caseId}:reminder_2:sms`,
    caseId,
    channel: 'sms',
    stage: 'reminder_2',
    state: 'sent',
    providerMessageId: `SM${caseId}`,
    claimedAt: new Date(),
  });
  await rememberProviderMessage(database, {
    providerMessageId: `SM${caseId}`,
    idempotencyKey: `${caseId}:reminder_2:sms`,
    caseId,
  });
  await messageSendModel(database).create({
    idempotencyKey: `${caseId}:reminder_1:email`,
    caseId,
    channel: 'email',
    stage: 'reminder_1',
    state: 'sent',
    claimedAt: new Date(),
  });
  return caseId;
}

function sinkWith(client: Client) {
  return createCaseInboundSink({
    database,
    client,
    seal: (plain) => `sealed:${plain}` as SealedText,
    logger: createLogger('test', 'silent'),
  });
}

/** As the product reads it: this case's entries, by instant, then in the order written. */
const journalOf = (caseId: string) => journalOfCase(database, caseId);
const at = new Date('2026-12-02T10:00:00Z');
const email = (caseId: string, event: string, extra: Record<string, unknown> = {}): InboundEvent =>
  ({
    kind: 'email_event',
    provider: 'sendgrid',
    eventId: `ev-${event}-${caseId}`,
    event,
    caseId,
    idempotencyKey: `${caseId}:reminder_1:email`,
    at,
    ...extra,
  }) as InboundEvent;
const smsStatus = (caseId: string, status: string, errorCode?: string): InboundEvent => ({
  kind: 'sms_status',
  provider: 'twilio',
  eventId: `SM${caseId}:${status}`,
  providerMessageId: `SM${caseId}`,
  status: status as 'delivered',
  ...(errorCode ? { errorCode } : {}),
  at,
});

describe('e-mail events', () => {
  test.each([
    ['a hard bounce closes e-mail', { event: 'bounced', bounceType: 'bounce' }, 'bounced'],
    ['a drop closes e-mail', { event: 'dropped' }, 'bounced'],
    ['an unsubscribe is an opt-out', { event: 'unsubscribed' }, 'opted_out'],
    ['a spam report is an opt-out', { event: 'spam_report' }, 'spam_report'],
    [
      'a "blocked" bounce is journaled only: the server refused for now',
      { event: 'bounced', bounceType: 'blocked' },
      undefined,
    ],
    ['a delivery is journaled only', { event: 'delivered' }, undefined],
  ])('%s', async (_title, { event, ...extra }, closure) => {
    const caseId = await caseWith('+33600000001');
    const { client, signals } = recordingClient();
    const sink = sinkWith(client);

    await sink.accept(email(caseId, event, extra));
    await sink.accept(email(caseId, event, extra));

    expect((await journalOf(caseId)).map((entry) => entry.type)).toEqual(['delivery_event']);
    expect(signals.map((signal) => signal.event.why)).toEqual(closure ? [closure, closure] : []);
  });

  test('processed and deferred events are not evidence of anything: nothing written', async () => {
    const caseId = await caseWith('+33600000002');
    const { client, signals } = recordingClient();
    await sinkWith(client).accept(email(caseId, 'processed'));
    await sinkWith(client).accept(email(caseId, 'deferred'));
    expect(await journalOf(caseId)).toEqual([]);
    expect(signals).toEqual([]);
  });

  test('an event for no known case is unknown: nothing written', async () => {
    const { client, signals } = recordingClient();
    const outcome = await sinkWith(client).accept(email('c_nosuchcase', 'bounced', { bounceType: 'bounce' }));
    expect(outcome).toBe('unknown');
    expect(await journalEntryModel(database).countDocuments({ caseId: 'c_nosuchcase' })).toBe(0);
    expect(signals).toEqual([]);
  });

  test.each([
    ['a key never claimed', (caseId: string) => ({ idempotencyKey: `${caseId}:formal_notice:email` })],
    ['the key of another case', () => ({ idempotencyKey: 'c_other:reminder_1:email' })],
    ['no key, an unknown message id', () => ({ idempotencyKey: undefined, providerMessageId: 'sg-nope' })],
  ])('a signed event for a real case naming %s is unknown: not journaled, no signal', async (_title, naming) => {
    const caseId = await caseWith('+33600000004');
    const { client, signals } = recordingClient();
    const outcome = await sinkWith(client).accept(
      email(caseId, 'bounced', { bounceType: 'bounce', ...naming(caseId) }),
    );
    expect(outcome).toBe('unknown');
    expect(await journalOf(caseId)).toEqual([]);
    expect(signals).toEqual([]);
  });

  test('an event with no reference of ours (another sender on the account) is ignored', async () => {
    const { client, signals } = recordingClient();
    const outcome = await sinkWith(client).accept(
      email('', 'delivered', { caseId: undefined, idempotencyKey: undefined, providerMessageId: 'sg-foreign' }),
    );
    expect(outcome).toBe('ignored');
    expect(signals).toEqual([]);
  });
});

describe('SMS status callbacks', () => {
  test.each([
    ['delivered', undefined, undefined],
    ['undelivered', '30003', undefined],
    ['undelivered', '30005', 'invalid_recipient'],
    ['failed', '21610', 'opted_out'],
  ])('%s (error %s) → closure %s', async (status, errorCode, closure) => {
    const caseId = await caseWith('+33600000003');
    const { client, signals } = recordingClient();
    await sinkWith(client).accept(smsStatus(caseId, status, errorCode));
    const [entry] = await journalOf(caseId);
    expect(entry).toMatchObject({ type: 'delivery_event', channel: 'sms', providerMessageId: `SM${caseId}` });
    expect(signals.map((signal) => signal.event.why)).toEqual(closure ? [closure] : []);
  });
});

test('a status callback for a message SID we never stored is unknown: nothing written', async () => {
  const { client, signals } = recordingClient();
  const outcome = await sinkWith(client).accept(smsStatus('c_neversent', 'undelivered', '30005'));
  expect(outcome).toBe('unknown');
  expect(await journalEntryModel(database).countDocuments({ caseId: 'c_neversent' })).toBe(0);
  expect(signals).toEqual([]);
});

describe('incoming SMS', () => {
  const incoming = (
    from: string,
    body: string,
    optOut: boolean,
    sid = `SM${randomBytes(8).toString('hex')}`,
  ): InboundEvent => ({
    kind: 'sms_incoming',
    provider: 'twilio',
    eventId: sid,
    from,
    to: '+33757000000',
    body,
    optOut,
    at,
  });

  test('STOP closes SMS on every open case of that number and is on file on the closed ones too', async () => {
    const phone = '+33611111111';
    const open = await caseWith(phone);
    const paid = await caseWith(phone, 'paid');
    const { client, signals } = recordingClient();

    await sinkWith(client).accept(incoming(phone, 'STOP', true));

    expect(signals).toEqual([
      {
        workflowId: `case-${open}`,
        name: 'channelClosed',
        event: expect.objectContaining({ channel: 'sms', why: 'opted_out' }),
      },
    ]);
    for (const caseId of [open, paid]) {
      expect((await journalOf(caseId)).map((entry) => [entry.type, entry.actor?.role])).toEqual([
        ['opt_out', 'debtor'],
      ]);
    }
  });

  test('a reply reaches the open case as a sealed signal; a case whose workflow closed keeps it as evidence', async () => {
    const phone = '+33622222222';
    const open = await caseWith(phone);
    const closedMeanwhile = await caseWith(phone);
    const { client, signals } = recordingClient([`case-${closedMeanwhile}`]);

    await sinkWith(client).accept(incoming(phone, 'Je paierai vendredi', false));

    expect(signals).toEqual([
      {
        workflowId: `case-${open}`,
        name: 'debtorWrote',
        event: expect.objectContaining({ channel: 'sms', message: 'sealed:Je paierai vendredi' }),
      },
    ]);
    expect(await journalOf(open)).toEqual([]);
    const [kept] = await journalOf(closedMeanwhile);
    expect(kept).toMatchObject({ type: 'debtor_reply', content: { body: 'Je paierai vendredi' } });
  });

  test('from a number of no case: ignored', async () => {
    const { client, signals } = recordingClient();
    await sinkWith(client).accept(incoming('+33699999999', 'Qui êtes-vous ?', false));
    expect(signals).toEqual([]);
  });
});

describe('letter events', () => {
  async function letterSent(stage: 'formal_notice' | 'reminder_2') {
    const caseId = await caseWith('+33633333333');
    await messageSendModel(database).create({
      idempotencyKey: `${caseId}:${stage}:letter`,
      caseId,
      channel: 'letter',
      stage,
      state: 'sent',
      providerMessageId: `LR-${caseId}`,
      claimedAt: new Date(),
    });
    return caseId;
  }
  const letterEvent = (caseId: string, stage: string, event: string): InboundEvent => ({
    kind: 'letter_event',
    provider: 'letter',
    eventId: `${event}-${caseId}`,
    idempotencyKey: `${caseId}:${stage}:letter`,
    event: event as 'delivered',
    trackingNumber: '1A23456789012',
    at: new Date('2026-12-09T23:30:00Z'), // 10 December in Paris
  });

  test.each(['delivered', 'refused_by_recipient', 'not_collected'])(
    'a mise en demeure %s: the deadline runs from that day (Paris date)',
    async (event) => {
      const caseId = await letterSent('formal_notice');
      const { client, signals } = recordingClient();
      await sinkWith(client).accept(letterEvent(caseId, 'formal_notice', event));
      expect(signals).toEqual([
        {
          workflowId: `case-${caseId}`,
          name: 'formalNoticeReceived',
          event: { receivedOn: '2026-12-10', providerEventId: `letter:${event}-${caseId}` },
        },
      ]);
      const [entry] = await journalOf(caseId);
      expect(entry).toMatchObject({ type: 'delivery_event', channel: 'letter', providerMessageId: `LR-${caseId}` });
    },
  );

  test('an event for a letter never sent is unknown: nothing written', async () => {
    const caseId = await caseWith('+33633333334');
    const { client, signals } = recordingClient();
    const outcome = await sinkWith(client).accept(letterEvent(caseId, 'formal_notice', 'delivered'));
    expect(outcome).toBe('unknown');
    expect(await journalOf(caseId)).toEqual([]);
    expect(signals).toEqual([]);
  });

  test('a letter returned undeliverable closes the postal channel; an ordinary letter delivered changes nothing', async () => {
    const returned = await letterSent('formal_notice');
    const ordinary = await letterSent('reminder_2');
    const { client, signals } = recordingClient();
    await sinkWith(client).accept(letterEvent(returned, 'formal_notice', 'returned_undeliverable'));
    await sinkWith(client).accept(letterEvent(ordinary, 'reminder_2', 'delivered'));
    expect(signals.map((signal) => [signal.workflowId, signal.name, signal.event.channel])).toEqual([
      [`case-${returned}`, 'channelClosed', 'letter'],
    ]);
  });
});
