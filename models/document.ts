import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const DOCUMENT_KINDS = ['letter', 'formal_notice', 'handoff_manifest', 'handoff_summary'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * Files kept with a case as evidence: every letter exactly as posted (the mise en demeure among
 * them), the handoff dossier's manifest and summary. Stored before the provider is called, keyed
 * like the message they belong to, so a retry finds the same bytes and the journal can cite their
 * SHA-256. Inserted only, never changed.
 */
export const documentSchema = new Schema(
  {
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

documentSchema.index({ documentId: 1 }, { unique: true });
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
