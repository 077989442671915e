/**
 * Issue 13, defect 9: what the activities write is dated by the case, not by the worker. A call
 * task the case closes carries the case's instant; a manager alert carries the case's instant; a
 * letter's file name carries the Paris day printed in it, not the UTC day (between midnight and
 * 01:00 Paris in winter, 02:00 in summer, UTC is still the day before).
 */
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { createCaseActivities } from '../../activities/case-activities';
import type { SendMessageInput } from '../../activities/contracts';
import { SimulatedTransport } from '../../activities/transports/simulated-transport';
import { alertModel } from '../../models/alert';
import { callTaskModel } from '../../models/call-task';
import { caseRecordModel } from '../../models/case-record';
import { documentModel } from '../../models/document';
import { journalEntryModel } from '../../models/journal-entry';
import { messageSendModel } from '../../models/message-send';
import { createLogger } from '../../observability/logger';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';
import { normalised, pdfText } from '../helpers/pdf-text';

let connection: Connection;

beforeAll(async () => {
  connection = await connectTestDatabase('case_time_stamps');
  await Promise.all(
    [journalEntryModel, caseRecordModel, messageSendModel, documentModel, callTaskModel, alertModel].map((model) =>
      model(connection).createIndexes(),
    ),
  );
});

afterAll(async () => {
  await dropTestDatabase(connection);
});

let counter = 0;

async function insertCase() {
  const caseId = `c_stamps_${++counter}_${randomBytes(3).toString('hex')}`;
  const reference = `INV-${counter}`;
  await caseRecordModel(connection).create({
    caseId,
    creditorId: 'acme',
    reference,
    payloadHash: 'sha256:test',
    workflowId: `case-${caseId}`,
    creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
    debtor: { kind: 'business', name: 'Dupont SARL', address: '5 avenue Foch, 69006 Lyon' },
    claim: {
      nature: 'Maintenance',
      basis: 'Bon de commande BC-778',
      currency: 'EUR',
      invoices: [{ number: 'F-1', issueDate: '2026-01-01', dueDate: '2026-01-31', amountCents: 185000 }],
    },
    policy: 'standard',
    paymentInstructions: 'virement IBAN FR76 3000 6000 0112 3456 7890 189',
    openedAt: new Date('2026-02-03T09:00:00Z'),
    balanceCents: 185000,
    debtorKind: 'business',
  });
  return { caseId, reference };
}

function activities(workerClock = new Date('2020-01-01T12:00:00Z')) {
  const letters = new SimulatedTransport();
  const created = createCaseActivities({
    connection,
    dataKey: randomBytes(32),
    logger: createLogger('test', 'silent'),
    transports: { email: new SimulatedTransport(), sms: new SimulatedTransport(), letter: letters },
    now: () => workerClock,
  });
  return { activities: created, letters };
}

function reminderLetter(caseId: string, at: string): SendMessageInput {
  return {
    caseId,
    idempotencyKey: `${caseId}:reminder_2:letter`,
    stage: 'reminder_2',
    channel: 'letter',
    tone: 'firm',
    template: 'reminder_2.firm',
    debtorKind: 'business',
    timeBarred: false,
    amounts: {
      principalCents: 185000,
      interestCents: 0,
      accessoriesCents: 4000,
      paidCents: 0,
      totalCents: 189000,
      currency: 'EUR',
    },
    invoiceNumbers: ['F-1'],
    at,
  };
}

describe('a letter file is named after the Paris day printed in it', () => {
  test.each([
    ['00:30 Paris in winter (23:30 UTC the day before)', '2027-02-04T23:30:00.000Z', '2027-02-05', '5 février 2027'],
    ['01:30 Paris in summer (23:30 UTC the day before)', '2027-06-30T23:30:00.000Z', '2027-07-01', '1 juillet 2027'],
    ['23:30 Paris in winter (22:30 UTC, the same day)', '2027-02-04T22:30:00.000Z', '2027-02-04', '4 février 2027'],
  ])('%s', async (_when, at, parisDay, printed) => {
    const { caseId, reference } = await insertCase();
    const { activities: acts, letters } = activities();
    await acts.sendMessage(reminderLetter(caseId, at));
    const [stored] = await documentModel(connection).find({ caseId }).lean();
    expect(stored?.filename).toBe(`courrier-${reference}-${parisDay}.pdf`);
    const text = normalised(await pdfText(letters.outbox[0]!.attachments![0]!.content));
    expect(text).toContain(normalised(`Le ${printed}`));
  });
});

describe('the case’s time, not the worker’s clock', () => {
  test('a call task the case closes carries the instant the case gives', async () => {
    const { caseId } = await insertCase();
    const taskId = `t_${caseId}_1`;
    const { activities: acts } = activities();
    await acts.createCallTask({
      caseId,
      taskId,
      reason: 'reminder_2',
      dueAt: '2027-02-08T09:00:00.000Z',
      balanceCents: 185000,
    });
    await acts.closeCallTask({ caseId, taskId, outcome: 'case_paid', at: '2027-02-10T14:05:00.000Z' });
    const closed = await callTaskModel(connection).findOne({ taskId }).lean();
    expect(closed).toMatchObject({ status: 'done', outcome: 'case_paid' });
    expect(closed?.closedAt?.toISOString()).toBe('2027-02-10T14:05:00.000Z');
  });

  test('a manager alert is raised at the instant the case gives: the alert and its journal entry', async () => {
    const { caseId } = await insertCase();
    const { activities: acts } = activities();
    await acts.raiseManagerAlert({
      caseId,
      idempotencyKey: `${caseId}:alert:3`,
      kind: 'prescription',
      message: 'La créance sera prescrite après le 05/02/2027 : agir avant cette date',
      at: '2027-02-10T14:05:00.000Z',
    });
    const alert = await alertModel(connection).findOne({ caseId }).lean();
    expect(alert?.raisedAt.toISOString()).toBe('2027-02-10T14:05:00.000Z');
    const entry = await journalEntryModel(connection).findOne({ caseId, type: 'manager_alert' }).lean();
    expect(entry?.at.toISOString()).toBe('2027-02-10T14:05:00.000Z');
  });
});
