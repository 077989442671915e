import { Schema, type Connection } from 'mongoose';
import { isDuplicateKey } from './connection';

/**
 * What belongs to one case (its journal entries, its documents), listed without a scan. FerretDB
 * over SQLite answers only a filter that is exactly `{_id: value}` without reading and decoding
 * every document of the collection, so `find({caseId})` costs the whole collection (every case's
 * entries) on each read. Here a list is a run of slots `${list}:${owner}:${n}`, n = 0, 1, 2…, each
 * inserted once and naming one item: appending finds the first free slot by `_id` look-ups and
 * inserts there (a duplicate `_id` means a concurrent writer took it: the next one is tried), and
 * reading walks the slots by `_id` until the first missing one. The slots are always a gapless run
 * (a slot is only ever inserted where the one before it exists), and an item may appear twice (a
 * writer that died after its slot and before its item, then retried): readers drop repeats and
 * items that were never written.
 */
export const caseListSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    item: { type: String, required: true },
  },
  { collection: 'case_list_slots', versionKey: false, strict: 'throw' },
);

const compile = (connection: Connection) => connection.model('CaseListSlot', caseListSlotSchema);
type CaseListSlotModel = ReturnType<typeof compile>;

function slots(connection: Connection): CaseListSlotModel {
  return (connection.models.CaseListSlot as CaseListSlotModel | undefined) ?? compile(connection);
}

export type CaseListName =
  | 'journal'
  | 'documents'
  | 'phone'
  // models/debtor-directory.ts
  | 'identifier-debtors'
  | 'debtor-identifiers'
  | 'debtor-cases'
  | 'debtor-absorbed';

const slotId = (list: CaseListName, owner: string, n: number): string => `${list}:${owner}:${n}`;

/**
 * Look-ups run this many at a time, then twice as many each round up to the maximum: a short list
 * (a debtor's few identifiers) costs a handful of look-ups, and a journal a few round trips.
 */
const FIRST_READ_BATCH = 4;
const MAX_READ_BATCH = 16;
/** Concurrent appenders each cost a retry; this many means something else is wrong. */
const MAX_APPEND_TRIES = 50;

async function taken(model: CaseListSlotModel, id: string): Promise<boolean> {
  return (await model.exists({ _id: id })) !== null;
}

/** The first free slot: doubling from 1, then halving the gap (about 2·log2(n) look-ups). */
async function firstFree(model: CaseListSlotModel, list: CaseListName, owner: string, from: number): Promise<number> {
  if (!(await taken(model, slotId(list, owner, from)))) return from;
  let used = from;
  let step = 1;
  let free = from + step;
  while (await taken(model, slotId(list, owner, free))) {
    used = free;
    step *= 2;
    free = used + step;
  }
  while (free - used > 1) {
    const middle = Math.floor((used + free) / 2);
    if (await taken(model, slotId(list, owner, middle))) used = middle;
    else free = middle;
  }
  return free;
}

export async function appendToCaseList(
  connection: Connection,
  list: CaseListName,
  owner: string,
  item: string,
): Promise<void> {
  const model = slots(connection);
  let from = 0;
  for (let tries = 0; tries < MAX_APPEND_TRIES; tries += 1) {
    const n = await firstFree(model, list, owner, from);
    try {
      await model.create({ _id: slotId(list, owner, n), item });
      return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      from = n + 1;
    }
  }
  throw new Error(`${list} list of ${owner}: no free slot after ${MAX_APPEND_TRIES} tries`);
}

/**
 * The items in the order they were appended, each once. `firstBatch`: how many slots the first
 * round reads, for lists known to be short (a debtor's keys under one identifier: one, mostly).
 */
export async function readCaseList(
  connection: Connection,
  list: CaseListName,
  owner: string,
  firstBatch = FIRST_READ_BATCH,
): Promise<string[]> {
  const model = slots(connection);
  const items: string[] = [];
  for (let start = 0, size = firstBatch; ; start += size, size = Math.min(size * 2, MAX_READ_BATCH)) {
    const batch = await Promise.all(
      Array.from({ length: size }, (_, offset) => model.findOne({ _id: slotId(list, owner, start + offset) }).lean()),
    );
    const end = batch.findIndex((slot) => slot === null);
    for (const slot of end === -1 ? batch : batch.slice(0, end)) items.push(slot!.item);
    if (end !== -1) break;
  }
  return [...new Set(items)];
}

/** True when the item is listed (for the one-time migration, which must not list an item twice). */
export async function caseListHas(
  connection: Connection,
  list: CaseListName,
  owner: string,
  item: string,
): Promise<boolean> {
  return (await readCaseList(connection, list, owner)).includes(item);
}
