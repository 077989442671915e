import { createHmac, hkdfSync } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import {
  IDENTIFIER_STRENGTH,
  identifierText,
  resolveDebtor,
  type DebtorIdentifier,
  type KnownDebtor,
} from '../domain/debtor/identity';
import { appendToCaseList, readCaseList } from './case-list';
import { insertOnce } from './connection';

/**
 * The debtors (issue 15): which cases are one debtor's, found from the identifiers each case
 * brings (domain/debtor/identity.ts decides; this stores). Identifiers are kept as keyed digests
 * (HMAC-SHA-256 under a key derived from DATA_KEY): the directory links an e-mail address to a
 * debtor without holding the address, and a debtor key (`d_…`, named after the debtor's first
 * case) is no personal data, so it may go into Temporal's search attributes.
 *
 * Every document is inserted once and never updated (FerretDB over SQLite loses one of two
 * concurrent updates of a document), and read by `_id`:
 *
 * - `debtors`: `_id` = debtor key, `since` = when its first case was opened;
 * - `debtor_merges`: `_id` = a debtor key found to be the same debtor as an older one, `into` =
 *   that one. Keys are never renamed: whoever holds an old key follows the merges to the current one;
 * - lists (models/case-list.ts): a digest's debtors (`identifier-debtors`), a debtor's digests
 *   (`debtor-identifiers`), its cases (`debtor-cases`) and the debtors merged into it
 *   (`debtor-absorbed`).
 *
 * Two intakes of one new debtor at once each see no debtor and each start one. Both then read the
 * identifiers' debtors again, find each other, and record the same merge (the younger into the
 * older, by the same pure rule), so they end at one debtor whatever the interleaving. A merge
 * lost to a concurrent one (a debtor is merged once, into whichever link recorded it first) is
 * made by the next case that links the two.
 */

export const debtorSchema = new Schema(
  { _id: { type: String, required: true }, since: { type: Date, required: true } },
  { collection: 'debtors', versionKey: false, strict: 'throw' },
);

export const debtorMergeSchema = new Schema(
  {
    _id: { type: String, required: true },
    into: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'debtor_merges', versionKey: false, strict: 'throw' },
);

const compileDebtor = (connection: Connection) => connection.model('Debtor', debtorSchema);
const compileMerge = (connection: Connection) => connection.model('DebtorMerge', debtorMergeSchema);
type DebtorModel = ReturnType<typeof compileDebtor>;
type DebtorMergeModel = ReturnType<typeof compileMerge>;

const debtors = (connection: Connection): DebtorModel =>
  (connection.models.Debtor as DebtorModel | undefined) ?? compileDebtor(connection);
const merges = (connection: Connection): DebtorMergeModel =>
  (connection.models.DebtorMerge as DebtorMergeModel | undefined) ?? compileMerge(connection);

/** The key identifiers are digested under: derived from DATA_KEY, for this use only. */
export function identifierKeyFrom(dataKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'amiable debtor identifiers v1', 32));
}

/** The identifier with its value replaced by a keyed digest: compared like the value, readable by nobody. */
export function digested(identifier: DebtorIdentifier, identifierKey: Buffer): DebtorIdentifier {
  const digest = createHmac('sha256', identifierKey).update(identifierText(identifier)).digest('hex').slice(0, 32);
  return { kind: identifier.kind, value: digest };
}

function parseIdentifier(text: string): DebtorIdentifier | null {
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon) as DebtorIdentifier['kind'];
  return IDENTIFIER_STRENGTH.includes(kind) ? { kind, value: text.slice(colon + 1) } : null;
}

/** Merges are a forest whose edges point to older debtors: following them ends. */
const MAX_MERGE_DEPTH = 64;

/** The debtor a key names today: itself, or the debtor it was merged into, followed to the end. */
export async function currentDebtorKey(connection: Connection, key: string): Promise<string> {
  let current = key;
  for (let depth = 0; depth < MAX_MERGE_DEPTH; depth++) {
    const merge = await merges(connection).findOne({ _id: current }).lean<{ into: string }>();
    if (!merge) return current;
    current = merge.into;
  }
  throw new Error(`debtor ${key}: more than ${MAX_MERGE_DEPTH} merges deep`);
}

/** Whether a debtor with this key was ever started (merged or not). */
export async function debtorExists(connection: Connection, key: string): Promise<boolean> {
  return (await debtors(connection).exists({ _id: key })) !== null;
}

/** Every key that names this debtor now: its own and, recursively, those merged into it. */
export async function keysOfDebtor(connection: Connection, key: string): Promise<string[]> {
  const keys = [key];
  for (let i = 0; i < keys.length; i++) {
    for (const absorbed of await readCaseList(connection, 'debtor-absorbed', keys[i]!))
      if (!keys.includes(absorbed)) keys.push(absorbed);
  }
  return keys;
}

async function knownDebtor(connection: Connection, key: string): Promise<KnownDebtor | null> {
  const found = await debtors(connection).findOne({ _id: key }).lean<{ since: Date }>();
  if (!found) return null;
  const identifiers = (
    await Promise.all(
      (await keysOfDebtor(connection, key)).map((each) => readCaseList(connection, 'debtor-identifiers', each)),
    )
  )
    .flat()
    .map(parseIdentifier)
    .filter((identifier): identifier is DebtorIdentifier => identifier !== null);
  return { key, since: found.since.toISOString(), identifiers };
}

/** Under each identifier, the keys of the debtors listed there (as listed: merges not followed). */
async function holdersOf(connection: Connection, identifiers: readonly DebtorIdentifier[]): Promise<string[][]> {
  // Mostly one debtor per identifier: two slots read cover it in one round trip.
  return Promise.all(
    identifiers.map((identifier) => readCaseList(connection, 'identifier-debtors', identifierText(identifier), 2)),
  );
}

/** The debtors as they stand now (merges followed) behind these listed keys. */
async function currentDebtors(connection: Connection, listed: readonly string[]): Promise<KnownDebtor[]> {
  const current = await Promise.all([...new Set(listed)].map((key) => currentDebtorKey(connection, key)));
  const known = await Promise.all([...new Set(current)].map((key) => knownDebtor(connection, key)));
  return known.filter((debtor): debtor is KnownDebtor => debtor !== null);
}

export interface DebtorLink {
  /** The debtor the case belongs to, as it stands once the case is linked. */
  debtorKey: string;
  /** Debtors this case showed to be the one above, merged into it now. */
  absorbed: string[];
  /** Set when the case was kept apart from debtors it shares a contact point with (a manager decides). */
  keptApartFrom?: string[];
}

/** The key of the debtor a case starts when it joins none: named after the case, so a retry names it alike. */
export function debtorKeyForCase(caseId: string): string {
  return `d_${caseId.replace(/^c_/, '')}`;
}

/**
 * Links an opened case to its debtor: reads which debtors its (digested) identifiers are listed
 * under, decides with `resolveDebtor`, records any merge, then lists the case, and the identifiers
 * the debtor did not have, under the debtor. Then it reads the identifiers' debtors once more: a
 * debtor started meanwhile from the same identifiers (a concurrent intake) is met there, and the
 * decision is taken again with it, which merges the two. Idempotent: the same case again ends at
 * the same debtor (a list may hold it twice; readers keep each item once).
 */
export async function linkCaseToDebtor(
  connection: Connection,
  link: { caseId: string; openedAt: Date; identifiers: readonly DebtorIdentifier[] },
): Promise<DebtorLink> {
  const { caseId, openedAt, identifiers } = link;
  const ownKey = debtorKeyForCase(caseId);
  const absorbed: string[] = [];
  let seen = new Set((await holdersOf(connection, identifiers)).flat());
  let known = await currentDebtors(connection, [...seen]);
  for (let pass = 0; ; pass++) {
    const resolution = resolveDebtor(identifiers, known);
    let key: string;
    if (resolution.kind === 'join') {
      for (const merged of resolution.absorbed) await recordMerge(connection, merged, resolution.key, openedAt);
      absorbed.push(...resolution.absorbed.filter((merged) => !absorbed.includes(merged)));
      key = resolution.key;
      const debtor = known.find((candidate) => candidate.key === key)!;
      await listUnder(connection, key, caseId, identifiers, debtor.identifiers);
    } else {
      key = ownKey;
      const created = await insertOnce(() => debtors(connection).create({ _id: ownKey, since: openedAt }));
      const already = created ? [] : ((await knownDebtor(connection, ownKey))?.identifiers ?? []);
      await listUnder(connection, ownKey, caseId, identifiers, already);
    }
    const listed = (await holdersOf(connection, identifiers)).flat();
    const arrived = listed.filter((holder) => !seen.has(holder) && holder !== key);
    if (arrived.length === 0 || pass === 2) {
      const debtorKey = await currentDebtorKey(connection, key);
      return resolution.kind === 'ambiguous'
        ? { debtorKey, absorbed, keptApartFrom: resolution.sharedWith.filter((other) => other !== ownKey) }
        : { debtorKey, absorbed };
    }
    seen = new Set([...seen, ...listed]);
    known = await currentDebtors(connection, [...seen]);
  }
}

async function recordMerge(connection: Connection, absorbed: string, into: string, at: Date): Promise<void> {
  if (absorbed === into) return;
  const recordedHere = await insertOnce(() => merges(connection).create({ _id: absorbed, into, at }));
  // Otherwise a concurrent link merged it first, into the same debtor or one now merged into it.
  const target = recordedHere
    ? into
    : ((await merges(connection).findOne({ _id: absorbed }).lean<{ into: string }>())?.into ?? into);
  const absorbedBy = await readCaseList(connection, 'debtor-absorbed', target, 2);
  if (!absorbedBy.includes(absorbed)) await appendToCaseList(connection, 'debtor-absorbed', target, absorbed);
}

/** Lists the case under the debtor, and each identifier the debtor did not hold both ways. */
async function listUnder(
  connection: Connection,
  key: string,
  caseId: string,
  identifiers: readonly DebtorIdentifier[],
  held: readonly DebtorIdentifier[],
): Promise<void> {
  const heldTexts = new Set(held.map(identifierText));
  await appendToCaseList(connection, 'debtor-cases', key, caseId);
  for (const identifier of identifiers) {
    const text = identifierText(identifier);
    if (heldTexts.has(text)) continue;
    await appendToCaseList(connection, 'debtor-identifiers', key, text);
    await appendToCaseList(connection, 'identifier-debtors', text, key);
  }
}

/** The cases of a debtor, under every key it has had, in the order they were linked. */
export async function casesOfDebtor(connection: Connection, key: string): Promise<string[]> {
  const current = await currentDebtorKey(connection, key);
  const lists = await Promise.all(
    (await keysOfDebtor(connection, current)).map((each) => readCaseList(connection, 'debtor-cases', each)),
  );
  return [...new Set(lists.flat())];
}
