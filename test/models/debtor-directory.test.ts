/**
 * The debtor directory on the embedded database (FerretDB): cases linked by the identifiers they
 * share, merges when a later case links two debtors, two companies behind one address kept apart,
 * no identifier stored in the clear, and concurrent intakes of one new debtor ending at one debtor.
 */
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { debtorIdentifiers, type DebtorFacts } from '../../domain/debtor/identity';
import {
  casesOfDebtor,
  currentDebtorKey,
  digested,
  identifierKeyFrom,
  linkCaseToDebtor,
} from '../../models/debtor-directory';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';

let database: Connection;
beforeAll(async () => {
  database = await connectTestDatabase('debtor_directory');
});
afterAll(async () => {
  await dropTestDatabase(database);
});

const identifierKey = identifierKeyFrom(randomBytes(32));
let opened = 0;

/** Links a new case with these debtor facts; each case opened a minute after the one before. */
function link(
  facts: Omit<DebtorFacts, 'creditorId'> & { creditorId?: string },
  caseId = `c_${randomBytes(10).toString('hex')}`,
) {
  opened += 1;
  const identifiers = debtorIdentifiers({ creditorId: 'acme', ...facts }).map((identifier) =>
    digested(identifier, identifierKey),
  );
  return linkCaseToDebtor(database, {
    caseId,
    openedAt: new Date(Date.UTC(2026, 0, 1, 9, opened)),
    identifiers,
  }).then((result) => ({ ...result, caseId }));
}

test('cases sharing a contact point are one debtor; another address is another debtor', async () => {
  const first = await link({ email: 'Jean.Martin@example.fr' });
  const second = await link({ email: 'jean.martin@example.fr ', phone: '+33612345678' });
  const stranger = await link({ email: 'autre@example.fr' });
  expect(second.debtorKey).toBe(first.debtorKey);
  expect(stranger.debtorKey).not.toBe(first.debtorKey);
  expect(await casesOfDebtor(database, first.debtorKey)).toEqual([first.caseId, second.caseId]);
});

test('linking the same case again changes nothing', async () => {
  const once = await link({ email: 'idem@example.fr' }, 'c_idempotent0000000000');
  const again = await link({ email: 'idem@example.fr' }, 'c_idempotent0000000000');
  expect(again.debtorKey).toBe(once.debtorKey);
  expect(await casesOfDebtor(database, once.debtorKey)).toEqual(['c_idempotent0000000000']);
});

test('a case that links two debtors merges the younger into the older, and old keys follow', async () => {
  const byEmail = await link({ email: 'fusion@example.fr' });
  const byPhone = await link({ phone: '+33698765432' });
  expect(byPhone.debtorKey).not.toBe(byEmail.debtorKey);
  const linking = await link({ email: 'fusion@example.fr', phone: '+33698765432' });
  expect(linking.debtorKey).toBe(byEmail.debtorKey);
  expect(linking.absorbed).toEqual([byPhone.debtorKey]);
  expect(await currentDebtorKey(database, byPhone.debtorKey)).toBe(byEmail.debtorKey);
  expect((await casesOfDebtor(database, byPhone.debtorKey)).sort()).toEqual(
    [byEmail.caseId, byPhone.caseId, linking.caseId].sort(),
  );
  // A later case known only by the absorbed debtor's phone lands on the merged debtor.
  const later = await link({ phone: '+33698765432' });
  expect(later.debtorKey).toBe(byEmail.debtorKey);
});

test('two companies behind one accountant address stay two debtors; a case naming neither is kept apart', async () => {
  const first = await link({ legalId: '552 100 554', email: 'cabinet@compta.example' });
  const second = await link({ legalId: '732 829 320', email: 'cabinet@compta.example' });
  expect(second.debtorKey).not.toBe(first.debtorKey);
  const unnamed = await link({ email: 'cabinet@compta.example' });
  expect([first.debtorKey, second.debtorKey]).not.toContain(unnamed.debtorKey);
  expect(unnamed.keptApartFrom?.sort()).toEqual([first.debtorKey, second.debtorKey].sort());
  // The SIRET of the first company joins it, whatever it shares with the second.
  const establishment = await link({ legalId: '55210055400013', email: 'cabinet@compta.example' });
  expect(establishment.debtorKey).toBe(first.debtorKey);
});

test('no identifier is stored in the clear', async () => {
  await link({ email: 'secret.person@example.fr', phone: '+33611223344', legalId: '552100554' });
  const collections = await database.db!.listCollections().toArray();
  for (const { name } of collections) {
    const text = JSON.stringify(await database.db!.collection(name).find().toArray());
    expect(text).not.toContain('secret.person');
    expect(text).not.toContain('33611223344');
  }
});

test('concurrent intakes of one new debtor end at one debtor', async () => {
  const facts = { email: `course-${randomBytes(3).toString('hex')}@example.fr` };
  const results = await Promise.all(Array.from({ length: 6 }, () => link(facts)));
  const keys = await Promise.all(results.map((result) => currentDebtorKey(database, result.debtorKey)));
  expect(new Set(keys).size).toBe(1);
  expect((await casesOfDebtor(database, keys[0]!)).sort()).toEqual(results.map((result) => result.caseId).sort());
});
