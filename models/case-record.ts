import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import type { CaseView } from '../activities/contracts';
import { CLAIM_TYPES, DEBTOR_KINDS } from '../domain/types';
import { caseViewModel, saveView } from './case-view';
import { isDuplicateKey } from './connection';
import { pendingIntakeModel } from './pending-intake';

// Sub-schemas do not inherit the parent's options: each refuses unknown fields itself.
const SUBDOCUMENT = { _id: false, strict: 'throw' } as const;

const wholeCents = {
  validator: (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value),
  message: '{PATH} must be a whole number of cents',
};

const creditorSchema = new Schema(
  {
    id: { type: String, required: true },
    name: { type: String, required: true },
    legalId: { type: String },
    address: { type: String, required: true },
    email: { type: String },
  },
  SUBDOCUMENT,
);

const collectorSchema = new Schema(
  {
    name: { type: String, required: true },
    legalId: { type: String },
    address: { type: String, required: true },
  },
  SUBDOCUMENT,
);

const debtorSchema = new Schema(
  {
    /** The debtor's id in the creditor's own system. */
    id: { type: String },
    kind: { type: String, enum: DEBTOR_KINDS, required: true },
    name: { type: String, required: true },
    email: { type: String },
    phone: { type: String },
    address: { type: String },
    legalId: { type: String },
    /** ISO instant of the debtor's express consent to electronic registered mail (CPCE L100). */
    lreConsentAt: { type: String },
  },
  SUBDOCUMENT,
);

const invoiceSchema = new Schema(
  {
    number: { type: String, required: true },
    // Calendar days (YYYY-MM-DD, Europe/Paris) stay strings: a Date would pin them to an instant.
    issueDate: { type: String, required: true },
    dueDate: { type: String, required: true },
    amountCents: { type: Number, required: true, validate: wholeCents },
    performanceDate: { type: String },
  },
  SUBDOCUMENT,
);

const claimSchema = new Schema(
  {
    nature: { type: String, required: true },
    basis: { type: String, required: true },
    currency: { type: String, required: true, default: 'EUR' },
    invoices: { type: [invoiceSchema], required: true },
    type: { type: String, enum: CLAIM_TYPES },
  },
  SUBDOCUMENT,
);

/**
 * A case as the API stored it at intake, keyed by its case id (`_id`), and never changed after:
 * intake is its only writer. The debtor's personal data lives here and only here: the workflow and
 * its activities' inputs carry the case id, and whoever needs a name or an address reads it from
 * this record, by `_id` — the only filter FerretDB over SQLite turns into SQL; any other filter
 * reads and decodes every record in Go. The workflow's projection of the case is in `case_views`
 * (models/case-view.ts), lists come from Temporal's visibility, and an intake in flight is marked
 * in `pending_intakes`: nothing here needs another index or another writer.
 */
export const caseRecordSchema = new Schema(
  {
    /** The case id, derived from (creditor, reference): the idempotency key of intake. */
    // Defaults to `caseId` so that a record built without it (tests, old callers) still lands by case id.
    _id: {
      type: String,
      required: true,
      default: function (this: { caseId?: string }) {
        return this.caseId;
      },
    },
    /** The same id again, for readers that name it so (activities, the dossier). */
    caseId: { type: String, required: true },
    creditorId: { type: String, required: true },
    reference: { type: String, required: true },
    /** Hash of the intake payload: the same reference with another payload is a conflict, not a retry. */
    payloadHash: { type: String, required: true },
    workflowId: { type: String, required: true },
    creditor: { type: creditorSchema, required: true },
    collector: { type: collectorSchema },
    debtor: { type: debtorSchema, required: true },
    claim: { type: claimSchema, required: true },
    policy: { type: String, required: true },
    /** How to pay, as the debtor reads it in every message (R2). */
    paymentInstructions: { type: String, required: true },
    openedAt: { type: Date, required: true },
    /** The sum of the invoices at opening; the case's current balance is in its view. */
    balanceCents: { type: Number, required: true, validate: wholeCents },
    debtorKind: { type: String, enum: DEBTOR_KINDS, required: true },
    /**
     * The debtor the case was linked to at intake (models/debtor-directory.ts), as it was then: a
     * later merge leaves it, and readers follow the merges. Absent on cases opened before issue 15.
     */
    debtorKey: { type: String },
  },
  { collection: 'cases', versionKey: false, strict: 'throw' },
);

// Incoming SMS: which cases does this number belong to? (FerretDB over SQLite does not use it.)
caseRecordSchema.index({ 'debtor.phone': 1 });

export type CaseRecord = InferSchemaType<typeof caseRecordSchema>;

const compile = (connection: Connection) => connection.model('CaseRecord', caseRecordSchema);
export type CaseRecordModel = ReturnType<typeof compile>;

export function caseRecordModel(connection: Connection): CaseRecordModel {
  return (connection.models.CaseRecord as CaseRecordModel | undefined) ?? compile(connection);
}

/** The fields a record keeps; anything else an older shape held (its projection…) is left behind. */
const RECORD_FIELDS = [
  'caseId',
  'creditorId',
  'reference',
  'payloadHash',
  'workflowId',
  'creditor',
  'collector',
  'debtor',
  'claim',
  'policy',
  'paymentInstructions',
  'openedAt',
  'balanceCents',
  'debtorKind',
  'debtorKey',
] as const;

export interface CaseRecordMigration {
  /** Records copied to `_id` = case id (or found copied by an earlier run) and their old copy deleted. */
  moved: number;
  /** Old projections copied into `case_views`. */
  views: number;
  /** Old records whose workflow was never marked started: queued in `pending_intakes` for the sweep. */
  pending: number;
}

/**
 * Start-up migration of records stored before cases were keyed by case id (an ObjectId `_id`, the
 * projection inside the record). Each one is copied to the new shape — the record by case id, its
 * projection into `case_views`, an unmarked intake into `pending_intakes` — and only then deleted,
 * so a run stopped anywhere leaves either copy to the next run, and a second run finds nothing to
 * do. It reads `{ _id: { $type: 'objectId' } }`, which FerretDB answers by scanning `cases`: once
 * per API start, in batches of `batchSize`, at most `maxRecords` per start (the rest the next start).
 */
export async function migrateCaseRecords(
  connection: Connection,
  { batchSize = 200, maxRecords = 100_000 }: { batchSize?: number; maxRecords?: number } = {},
): Promise<CaseRecordMigration> {
  const records = caseRecordModel(connection);
  const views = caseViewModel(connection);
  const pending = pendingIntakeModel(connection);
  const done: CaseRecordMigration = { moved: 0, views: 0, pending: 0 };
  while (done.moved < maxRecords) {
    const batch = await records.collection
      .find({ _id: { $type: 'objectId' } } as never)
      .limit(Math.min(batchSize, maxRecords - done.moved))
      .toArray();
    if (batch.length === 0) break;
    for (const old of batch as Record<string, unknown>[]) {
      const caseId = old.caseId as string;
      const kept = Object.fromEntries(RECORD_FIELDS.filter((field) => old[field] != null).map((f) => [f, old[f]]));
      try {
        await records.create({ ...kept, _id: caseId });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const projection = old.projection as CaseView | null | undefined;
      if (projection && (await saveView(views, projection)) === 'saved') done.views += 1;
      if (!old.workflowStartedAt) {
        try {
          await pending.create({ _id: caseId, openedAt: old.openedAt as Date });
          done.pending += 1;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      await records.collection.deleteOne({ _id: old._id } as never);
      done.moved += 1;
    }
  }
  return done;
}
