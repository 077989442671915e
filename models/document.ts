import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { readCaseList } from './case-list';

export const DOCUMENT_KINDS = ['letter', 'formal_notice', 'handoff_manifest', 'handoff_summary'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * Files kept with a case as evidence: every letter exactly as posted (the mise en demeure among
 * them), the handoff dossier's manifest and summary. Stored before the provider is called, keyed
 * like the message they belong to, so a retry finds the same bytes and the journal can cite their
 * SHA-256. Inserted only, never changed. Keyed by `documentId` (`_id`), listed per case through the
 * case's `documents` list (`models/case-list.ts`): neither needs a scan of every case's files.
 */
export const documentSchema = new Schema(
  {
    _id: { type: String },
    documentId: { type: String, required: true },
    caseId: { type: String, required: true },
    kind: { type: String, enum: DOCUMENT_KINDS, required: true },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    sha256: { type: String, required: true },
    size: { type: Number, required: true },
    content: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'documents', versionKey: false, strict: 'throw' },
);

// Documents written without an `_id` (tests, older callers) are keyed as every other one.
documentSchema.pre('validate', function keyedByDocumentId() {
  if (this._id === undefined || this._id === null) this._id = this.documentId;
});

// Unique by `_id` (= the key): a second unique index would refuse the start-up migration's copy.
documentSchema.index({ caseId: 1, createdAt: 1 });

export type StoredDocument = InferSchemaType<typeof documentSchema>;

const compile = (connection: Connection) => connection.model('StoredDocument', documentSchema);
export type DocumentModel = ReturnType<typeof compile>;

export function documentModel(connection: Connection): DocumentModel {
  return (connection.models.StoredDocument as DocumentModel | undefined) ?? compile(connection);
}

/** A lean read gives BSON Binary, not a Buffer: the bytes as a Buffer either way. */
export function documentBytes(content: Buffer | { buffer: Uint8Array }): Buffer {
  return Buffer.isBuffer(content) ? content : Buffer.from(content.buffer);
}

export type DocumentListing = Omit<StoredDocument, 'content'> & { _id: string };

/** Everything kept for a case, oldest first, without the bytes: look-ups by `_id` only. */
export async function documentsOf(connection: Connection, caseId: string): Promise<DocumentListing[]> {
  const Documents = documentModel(connection);
  const ids = await readCaseList(connection, 'documents', caseId);
  const found = await Promise.all(
    ids.map((id) => Documents.findOne({ _id: id }, { content: 0 }).lean<DocumentListing>()),
  );
  // Array.prototype.sort is stable: documents of the same instant keep the order they were kept in.
  return found
    .filter((document): document is DocumentListing => document !== null && document.caseId === caseId)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** One file of a case, with its bytes; null when the case has no such file. */
export async function findDocument(
  connection: Connection,
  caseId: string,
  documentId: string,
): Promise<(StoredDocument & { _id: string }) | null> {
  const found = await documentModel(connection).findOne({ _id: documentId }).lean<StoredDocument & { _id: string }>();
  return found && found.caseId === caseId ? found : null;
}
