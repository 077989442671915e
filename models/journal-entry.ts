import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';
import { appendToCaseList, readCaseList } from './case-list';
import { insertOnce } from './connection';

export const JOURNAL_CHANNELS = ['email', 'sms', 'letter', 'phone', 'api', 'system'] as const;
export const MESSAGE_STATUSES = ['sent', 'simulated', 'failed', 'deferred', 'blocked'] as const;
export const ACTOR_ROLES = ['system', 'operations', 'agent', 'manager', 'debtor'] as const;

/**
 * The evidence trail of a case: every message, attempt, signal and decision, in order. Entries
 * are only ever inserted. `idempotencyKey` is chosen by the writer from what the entry records
 * (case, step, channel…), so a retried write lands once; it is the entry's `_id`, so that "is this
 * written?" is a look-up by `_id` (the only one FerretDB over SQLite answers without a scan). A
 * case's entries are listed through its `journal` case list (`models/case-list.ts`): write with
 * `appendJournalEntry`, read with `journalOf`.
 */
export const journalEntrySchema = new Schema(
  {
    _id: { type: String },
    /** ObjectId (hex) of the write: orders entries of the same instant as they were written. */
    order: { type: String },
    caseId: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    at: { type: Date, required: true },
    type: { type: String, required: true },
    channel: { type: String, enum: JOURNAL_CHANNELS },
    stage: { type: String },
    status: { type: String, enum: MESSAGE_STATUSES },
    summary: { type: String, required: true },
    providerMessageId: { type: String },
    content: { subject: String, body: String },
    /** A file this entry is about (a letter as posted, the handoff dossier), kept in `documents`. */
    document: {
      type: new Schema(
        {
          id: { type: String, required: true },
          kind: { type: String, required: true },
          filename: { type: String, required: true },
          sha256: { type: String, required: true },
          /** How a letter travelled: lrar, lre or ordinary. */
          form: { type: String },
        },
        { _id: false, strict: 'throw' },
      ),
    },
    actor: {
      role: { type: String, enum: ACTOR_ROLES, required: true },
      id: { type: String },
    },
  },
  { collection: 'journal_entries', versionKey: false, strict: 'throw' },
);

// Entries written without an `_id` (tests, older callers) are keyed as every other one.
journalEntrySchema.pre('validate', function keyedByIdempotencyKey() {
  if (this._id === undefined || this._id === null) this._id = this.idempotencyKey;
  if (!this.order) this.order = new Types.ObjectId().toHexString();
});

// Unique by `_id` (= the key): a second unique index would refuse the start-up migration's copy.
journalEntrySchema.index({ caseId: 1, at: 1 });

export type JournalEntry = InferSchemaType<typeof journalEntrySchema>;

const compile = (connection: Connection) => connection.model('JournalEntry', journalEntrySchema);
export type JournalEntryModel = ReturnType<typeof compile>;

export function journalEntryModel(connection: Connection): JournalEntryModel {
  return (connection.models.JournalEntry as JournalEntryModel | undefined) ?? compile(connection);
}

export type JournalEntryInput = Omit<JournalEntry, '_id' | 'order'>;

/**
 * Writes the entry once: false when an entry with its key exists (a retried write). The slot in the
 * case's list comes before the entry, so a writer that dies in between leaves a slot naming nothing
 * (skipped by `journalOf`), never an entry missing from its case's journal.
 */
export async function appendJournalEntry(connection: Connection, entry: JournalEntryInput): Promise<boolean> {
  const Journal = journalEntryModel(connection);
  if ((await Journal.exists({ _id: entry.idempotencyKey })) !== null) return false;
  await appendToCaseList(connection, 'journal', entry.caseId, entry.idempotencyKey);
  return insertOnce(() =>
    Journal.create({ ...entry, _id: entry.idempotencyKey, order: new Types.ObjectId().toHexString() }),
  );
}

export type StoredJournalEntry = JournalEntry & { _id: string };

/**
 * A case's whole journal, oldest first (instants, then the order of writing), read by `_id` only:
 * its cost grows with this case's entries, not with every case's (see `models/case-list.ts`).
 */
export async function journalOf(connection: Connection, caseId: string): Promise<StoredJournalEntry[]> {
  const Journal = journalEntryModel(connection);
  const keys = await readCaseList(connection, 'journal', caseId);
  const found = await Promise.all(keys.map((key) => Journal.findOne({ _id: key }).lean<StoredJournalEntry>()));
  return found
    .filter((entry): entry is StoredJournalEntry => entry !== null && entry.caseId === caseId)
    .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.order ?? '').localeCompare(b.order ?? ''));
}

/**
 * The instant of a case's first letter or e-mail delivered (`_id` = case id), inserted once by the
 * send that delivered it: later messages cite it (R2) with one look-up instead of searching the
 * journal.
 */
export const firstLetterSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'first_letters', versionKey: false, strict: 'throw' },
);

const compileFirstLetters = (connection: Connection) => connection.model('FirstLetter', firstLetterSchema);
export type FirstLetterModel = ReturnType<typeof compileFirstLetters>;

export function firstLetterModel(connection: Connection): FirstLetterModel {
  return (connection.models.FirstLetter as FirstLetterModel | undefined) ?? compileFirstLetters(connection);
}
