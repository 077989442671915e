/**
 * Records stored before cases were keyed by case id (an ObjectId `_id`, the workflow's projection
 * inside the record) are moved by the API's start-up migration: the record to `_id` = case id, the
 * projection to `case_views`, an intake never marked started to `pending_intakes`; then the old
 * copy is deleted. Bounded per run, and a second run finds nothing to do.
 */
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { caseRecordModel, migrateCaseRecords } from '../../models/case-record';
import { caseViewModel } from '../../models/case-view';
import { pendingIntakeModel } from '../../models/pending-intake';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';

let database: Connection;
beforeAll(async () => {
  database = await connectTestDatabase('record_migration');
});
afterAll(async () => {
  await dropTestDatabase(database);
});

function oldRecord(caseId: string, started: boolean) {
  return {
    _id: new Types.ObjectId(),
    caseId,
    creditorId: 'acme',
    reference: `INV-${caseId}`,
    payloadHash: 'sha256:old',
    workflowId: `case-${caseId}`,
    creditor: { id: 'acme', name: 'ACME SAS', address: '1 rue de la Paix, 75001 Paris' },
    debtor: { kind: 'business', name: 'Dupont SARL', email: 'contact@dupont.example' },
    claim: {
      nature: 'Maintenance',
      basis: 'Bon de commande',
      currency: 'EUR',
      invoices: [{ number: 'F-1', issueDate: '2026-10-01', dueDate: '2026-10-31', amountCents: 1000 }],
    },
    policy: 'standard',
    paymentInstructions: 'virement',
    openedAt: new Date('2026-11-02T09:00:00Z'),
    workflowStartedAt: started ? new Date('2026-11-02T09:00:01Z') : null,
    projection: started ? { id: caseId, revision: 4, status: 'active', stage: 'reminder_1' } : null,
    projectionRevision: started ? 4 : -1,
    status: 'active',
    stage: started ? 'reminder_1' : 'none',
    balanceCents: 1000,
    debtorKind: 'business',
    nextActionAt: null,
  };
}

test('old records move to their case id, their views and unfinished intakes beside them, once', async () => {
  const records = caseRecordModel(database);
  await records.collection.insertMany([
    oldRecord('c_old1', true),
    oldRecord('c_old2', false),
    oldRecord('c_old3', true),
  ]);

  // Bounded: two this run, the third the next.
  expect(await migrateCaseRecords(database, { maxRecords: 2, batchSize: 1 })).toMatchObject({ moved: 2 });
  expect(await migrateCaseRecords(database)).toMatchObject({ moved: 1 });
  expect(await migrateCaseRecords(database)).toEqual({ moved: 0, views: 0, pending: 0 });

  for (const caseId of ['c_old1', 'c_old2', 'c_old3']) {
    const moved = await records.findOne({ _id: caseId }).lean();
    expect(moved).toMatchObject({ caseId, reference: `INV-${caseId}`, debtor: { name: 'Dupont SARL' } });
    // What the record no longer holds: the projection and its flattened fields, the started mark.
    for (const field of ['projection', 'projectionRevision', 'status', 'stage', 'nextActionAt', 'workflowStartedAt']) {
      expect(moved).not.toHaveProperty(field);
    }
  }
  expect(await records.countDocuments({})).toBe(3);
  expect(await caseViewModel(database).findOne({ _id: 'c_old1' }).lean()).toMatchObject({
    revision: 4,
    view: { stage: 'reminder_1' },
  });
  expect(await caseViewModel(database).exists({ _id: 'c_old2' })).toBeNull();
  // The intake that never saw its workflow start goes to the sweep; the others do not.
  expect((await pendingIntakeModel(database).find().lean()).map((entry) => entry._id)).toEqual(['c_old2']);
});

test('a run stopped after the copy and before the delete is finished by the next, without a duplicate', async () => {
  const records = caseRecordModel(database);
  const old = oldRecord('c_half', true);
  await records.collection.insertOne(old);
  // The copy landed, the delete did not.
  await records.create({
    ...Object.fromEntries(
      Object.entries(old).filter(
        ([key]) =>
          !['_id', 'projection', 'projectionRevision', 'status', 'stage', 'nextActionAt', 'workflowStartedAt'].includes(
            key,
          ),
      ),
    ),
    _id: 'c_half',
  });

  expect(await migrateCaseRecords(database)).toMatchObject({ moved: 1 });
  expect(await records.countDocuments({ caseId: 'c_half' })).toBe(1);
  expect(await records.collection.countDocuments({ _id: old._id } as never)).toBe(0);
});
