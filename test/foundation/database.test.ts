import type { Connection } from 'mongoose';
import { journalEntryModel } from '../../models/journal-entry';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';

let connection: Connection;

beforeAll(async () => {
  connection = await connectTestDatabase('foundation');
  await journalEntryModel(connection).createIndexes();
});

afterAll(async () => {
  await dropTestDatabase(connection);
});

const entry = {
  caseId: 'c_123',
  idempotencyKey: 'c_123:reminder_1:email',
  at: new Date('2026-11-24T09:00:00.000Z'),
  type: 'email_sent',
  channel: 'email',
  stage: 'reminder_1',
  status: 'simulated',
  summary: 'Relance 1 (simulée : aucun fournisseur configuré)',
  content: { subject: 'Facture F-2025-118', body: 'Madame, Monsieur, …' },
  actor: { role: 'system' },
} as const;

test('a journal entry round-trips through the MongoDB-compatible server', async () => {
  const JournalEntry = journalEntryModel(connection);
  await JournalEntry.create(entry);
  const stored = await JournalEntry.findOne({ caseId: 'c_123' }).lean();
  expect(stored).toMatchObject({ ...entry, content: { ...entry.content }, actor: { role: 'system' } });
  expect(stored?.at.toISOString()).toBe('2026-11-24T09:00:00.000Z');
});

test("the idempotency key is the entry's _id on this server: a retried write lands once", async () => {
  const JournalEntry = journalEntryModel(connection);
  await expect(JournalEntry.create({ ...entry, summary: 'retry' })).rejects.toMatchObject({ code: 11000 });
  expect(await JournalEntry.countDocuments({ idempotencyKey: entry.idempotencyKey })).toBe(1);
  // Keyed by `_id`, the one index FerretDB over SQLite serves a look-up from (README, "Performance").
  const stored = await JournalEntry.findOne({ _id: entry.idempotencyKey }).lean();
  expect(stored).toMatchObject({ summary: entry.summary });
});

test('unknown fields and values outside the enums are refused before anything is written', async () => {
  const JournalEntry = journalEntryModel(connection);
  const withUnknownField: Record<string, unknown> = { ...entry, idempotencyKey: 'k2', debtorEmail: 'x@y.fr' };
  const withUnknownStatus: Record<string, unknown> = { ...entry, idempotencyKey: 'k3', status: 'delivered' };
  await expect(JournalEntry.create(withUnknownField)).rejects.toThrow(/debtorEmail/);
  await expect(JournalEntry.create(withUnknownStatus)).rejects.toThrow(/status/);
  expect(await JournalEntry.countDocuments({ idempotencyKey: { $in: ['k2', 'k3'] } })).toBe(0);
});
