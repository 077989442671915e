import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const JOURNAL_CHANNELS = ['email', 'sms', 'letter', 'phone', 'api', 'system'] as const;
export const MESSAGE_STATUSES = ['sent', 'simulated', 'failed', 'deferred', 'blocked'] as const;
export const ACTOR_ROLES = ['system', 'operations', 'agent', 'manager', 'debtor'] as const;

/**
 * The evidence trail of a case: every message, attempt, signal and decision, in order. Entries
 * are only ever inserted. `idempotencyKey` is chosen by the writer from what the entry records
 * (case, step, channel…), so a retried write lands once.
 */
export const journalEntrySchema = new Schema(
  {
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

journalEntrySchema.index({ idempotencyKey: 1 }, { unique: true });
journalEntrySchema.index({ caseId: 1, at: 1 });

export type JournalEntry = InferSchemaType<typeof journalEntrySchema>;

const compile = (connection: Connection) => connection.model('JournalEntry', journalEntrySchema);
export type JournalEntryModel = ReturnType<typeof compile>;

export function journalEntryModel(connection: Connection): JournalEntryModel {
  return (connection.models.JournalEntry as JournalEntryModel | undefined) ?? compile(connection);
}
