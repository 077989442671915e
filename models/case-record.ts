import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import type { CaseView } from '../activities/contracts';
import { CASE_STATUSES } from '../domain/case/types';
import { CLAIM_TYPES, DEBTOR_KINDS, STAGES } from '../domain/types';

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
 * A case as the API stored it at intake. The debtor's personal data lives here and only here: the
 * workflow and its activities' inputs carry the case id, and whoever needs a name or an address
 * reads it from this record. `projection` is the last CaseView the workflow published; the flattened
 * fields next to it exist only so that `GET /cases` can filter and sort with indexes.
 */
export const caseRecordSchema = new Schema(
  {
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
    /**
     * Set once the case workflow is known to run. Null means intake wrote the record but may have
     * stopped before starting the workflow: api/intake.ts starts those on the next retry or sweep.
     */
    workflowStartedAt: { type: Date, default: null },
    projection: { type: Schema.Types.Mixed, default: null },
    /** -1: nothing published yet, so the workflow's first projection (revision ≥ 0) always lands. */
    projectionRevision: { type: Number, required: true, default: -1 },
    status: { type: String, enum: CASE_STATUSES, required: true, default: 'active' },
    stage: { type: String, enum: STAGES, required: true, default: 'none' },
    balanceCents: { type: Number, required: true, validate: wholeCents },
    debtorKind: { type: String, enum: DEBTOR_KINDS, required: true },
    nextActionAt: { type: Date, default: null },
  },
  { collection: 'cases', versionKey: false, strict: 'throw' },
);

caseRecordSchema.index({ caseId: 1 }, { unique: true });
// The idempotency key of intake: a retried POST /cases finds the case it already opened.
caseRecordSchema.index({ creditorId: 1, reference: 1 }, { unique: true });
// Cursor pagination walks (openedAt, _id); each filter of GET /cases gets that order behind it.
caseRecordSchema.index({ openedAt: 1, _id: 1 });
caseRecordSchema.index({ status: 1, openedAt: 1, _id: 1 });
caseRecordSchema.index({ stage: 1, openedAt: 1, _id: 1 });
caseRecordSchema.index({ creditorId: 1, openedAt: 1, _id: 1 });
caseRecordSchema.index({ debtorKind: 1, openedAt: 1, _id: 1 });
// Incoming SMS: which open cases does this number belong to?
caseRecordSchema.index({ 'debtor.phone': 1, status: 1 });
// The intake sweep: records whose workflow may not have been started.
caseRecordSchema.index({ workflowStartedAt: 1, openedAt: 1 });

/** Mixed is `any` to mongoose; what the workflow writes there is a CaseView. */
export type CaseRecord = Omit<InferSchemaType<typeof caseRecordSchema>, 'projection'> & {
  projection: CaseView | null;
};

const compile = (connection: Connection) => connection.model('CaseRecord', caseRecordSchema);
export type CaseRecordModel = ReturnType<typeof compile>;

export function caseRecordModel(connection: Connection): CaseRecordModel {
  return (connection.models.CaseRecord as CaseRecordModel | undefined) ?? compile(connection);
}

/**
 * Stores the workflow's view of a case if it is newer than the stored one (revisions only move
 * forward, so a late retry never undoes a later change). The workflow's activity publishes every
 * revision; the API also stores the view an action answered, so that lists agree with the answer
 * at once. False when no record has this case id.
 */
export async function storeProjection(records: CaseRecordModel, view: CaseView): Promise<boolean> {
  const { matchedCount } = await records.updateOne(
    { caseId: view.id, projectionRevision: { $lt: view.revision } },
    {
      $set: {
        projection: view,
        projectionRevision: view.revision,
        status: view.status,
        stage: view.stage,
        balanceCents: view.amounts.balanceCents,
        nextActionAt: view.nextAction ? new Date(view.nextAction.at) : null,
      },
    },
  );
  // Nothing matched: a later revision is already there, or the record is missing.
  return matchedCount > 0 || (await records.exists({ caseId: view.id })) !== null;
}
