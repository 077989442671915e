import type { Connection, mongo } from 'mongoose';
import { alertModel } from './alert';
import { callTaskModel, openCallTaskModel } from './call-task';
import { appendToCaseList, caseListHas, type CaseListName } from './case-list';
import { isDuplicateKey } from './connection';
import { documentModel } from './document';
import { journalEntryModel } from './journal-entry';
import { messageSendModel, rememberProviderMessage } from './message-send';

export interface ActivityDataMigration {
  /** Documents copied to their new `_id` (or found copied by an earlier run), old copy deleted, per collection. */
  moved: Record<string, number>;
  /** True when `maxDocuments` stopped the run: the rest is moved by the next start. */
  incomplete: boolean;
}

interface Rekeying {
  collection: mongo.Collection;
  name: string;
  /** The field whose value becomes `_id`. */
  key: string;
  /** Side writes of the new shape (lists, look-ups), each idempotent. */
  also?: (old: Record<string, unknown>) => Promise<void>;
}

async function listOnce(connection: Connection, list: CaseListName, owner: string, item: string): Promise<void> {
  // A run stopped after this and before the delete lists it again next time: checked first.
  if (!(await caseListHas(connection, list, owner, item))) await appendToCaseList(connection, list, owner, item);
}

/**
 * Start-up migration of the documents the worker's activities and the webhooks read, from an
 * ObjectId `_id` to the key they are found by (idempotency key, task id, alert id, document id),
 * with the lists and look-ups the new shape reads (a case's journal and documents, provider
 * message ids, the open-call queue). Each old document is copied (a duplicate `_id`: copied by an
 * earlier run) and only then deleted, so a run stopped anywhere is finished by the next, and a
 * second run finds nothing. `{_id: {$type: 'objectId'}}` is a scan in FerretDB over SQLite: once per
 * worker start, in batches of `batchSize`, at most `maxDocuments` per start.
 */
export async function migrateActivityData(
  connection: Connection,
  { batchSize = 200, maxDocuments = 200_000 }: { batchSize?: number; maxDocuments?: number } = {},
): Promise<ActivityDataMigration> {
  const rekeyings: Rekeying[] = [
    {
      collection: messageSendModel(connection).collection,
      name: 'message_sends',
      key: 'idempotencyKey',
      also: async (old) => {
        if (typeof old.providerMessageId !== 'string') return;
        await rememberProviderMessage(connection, {
          providerMessageId: old.providerMessageId,
          idempotencyKey: old.idempotencyKey as string,
          caseId: old.caseId as string,
        });
      },
    },
    {
      collection: journalEntryModel(connection).collection,
      name: 'journal_entries',
      key: 'idempotencyKey',
      also: (old) => listOnce(connection, 'journal', old.caseId as string, old.idempotencyKey as string),
    },
    {
      collection: documentModel(connection).collection,
      name: 'documents',
      key: 'documentId',
      also: (old) => listOnce(connection, 'documents', old.caseId as string, old.documentId as string),
    },
    {
      collection: callTaskModel(connection).collection,
      name: 'call_tasks',
      key: 'taskId',
      also: async (old) => {
        if (old.status !== 'open') return;
        try {
          await openCallTaskModel(connection).collection.insertOne({
            _id: old.taskId as never,
            caseId: old.caseId,
            reason: old.reason,
            dueAt: old.dueAt,
            balanceCents: old.balanceCents,
          });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      },
    },
    { collection: alertModel(connection).collection, name: 'alerts', key: 'alertId' },
  ];
  const done: ActivityDataMigration = { moved: {}, incomplete: false };
  let total = 0;
  for (const { collection, name, key, also } of rekeyings) {
    done.moved[name] = 0;
    // The key's own unique index (before `_id` was the key) would refuse the copy of every document.
    await collection.dropIndex(`${key}_1`).catch(() => undefined);
    for (;;) {
      if (total >= maxDocuments) return { ...done, incomplete: true };
      const batch = (await collection
        .find({ _id: { $type: 'objectId' } } as mongo.Filter<mongo.Document>)
        .limit(Math.min(batchSize, maxDocuments - total))
        .toArray()) as Record<string, unknown>[];
      if (batch.length === 0) break;
      for (const old of batch) {
        const { _id: oldId, ...fields } = old;
        // Journal entries of one instant keep the order they were written in (ObjectIds grow).
        const order = name === 'journal_entries' && !fields.order ? { order: String(oldId) } : {};
        await also?.(old);
        try {
          await collection.insertOne({ ...fields, ...order, _id: fields[key] as never });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        // Deleted only once the copy is there to be found.
        if (!(await collection.findOne({ _id: fields[key] as never }))) {
          throw new Error(`${name}: ${String(fields[key])} was not copied; the old document is kept`);
        }
        await collection.deleteOne({ _id: oldId as never });
        done.moved[name] += 1;
        total += 1;
      }
    }
  }
  return done;
}
