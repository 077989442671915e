import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { appendToCaseList } from '../../models/case-list';
import { isDuplicateKey } from '../../models/connection';
import { documentBytes, documentModel, documentsOf, type DocumentKind } from '../../models/document';
import type { Attachment } from '../transports/transport';

export interface KeptDocument extends Attachment {
  id: string;
  kind: DocumentKind;
  sha256: string;
}

export interface DocumentToKeep {
  /** Derived from what the document is for (message, handoff), so a retry finds it. */
  key: string;
  caseId: string;
  kind: DocumentKind;
  filename: string;
  contentType: string;
  createdAt: Date;
}

/**
 * Evidence is written once: the first attempt renders and stores, every retry gets those same
 * bytes back, so what left the machine and what the journal cites by SHA-256 cannot differ.
 */
export function createDocumentStore(connection: Connection) {
  const Documents = documentModel(connection);

  async function keep(document: DocumentToKeep, render: () => Promise<Buffer>): Promise<KeptDocument> {
    const documentId = `doc_${createHash('sha256').update(document.key).digest('hex').slice(0, 24)}`;
    let stored = await Documents.findOne({ _id: documentId }).lean();
    if (!stored) {
      const content = await render();
      // Listed before it is stored: a crash in between leaves a slot naming nothing, never a lost file.
      await appendToCaseList(connection, 'documents', document.caseId, documentId);
      try {
        await Documents.create({
          _id: documentId,
          documentId,
          caseId: document.caseId,
          kind: document.kind,
          filename: document.filename,
          contentType: document.contentType,
          sha256: createHash('sha256').update(content).digest('hex'),
          size: content.length,
          content,
          createdAt: document.createdAt,
        });
      } catch (error) {
        // A concurrent attempt stored it first: theirs is the one kept.
        if (!isDuplicateKey(error)) throw error;
      }
      stored = await Documents.findOne({ _id: documentId }).lean();
      if (!stored) throw new Error(`document ${documentId} was not stored`);
    }
    return {
      id: documentId,
      kind: stored.kind as DocumentKind,
      filename: stored.filename,
      contentType: stored.contentType,
      sha256: stored.sha256,
      content: documentBytes(stored.content),
    };
  }

  /** Everything kept for a case, without the bytes (by `_id` look-ups: see `documentsOf`). */
  function listFor(caseId: string) {
    return documentsOf(connection, caseId);
  }

  return { keep, listFor };
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;
