/**
 * The embedded FerretDB must serve a look-up by `_id` from its `_id` index: every hot path of the
 * product (case records, views, sends, call tasks) is shaped as such a look-up because FerretDB
 * over SQLite pushes nothing else down. The stock 1.24.2 build queried an expression its index
 * does not cover, so these look-ups scanned the whole collection (scripts/provision/ferretdb.sh
 * patches that line); this fails if the stack ever runs a build without the patch.
 */
import type { Connection } from 'mongoose';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';

let connection: Connection;

beforeAll(async () => {
  connection = await connectTestDatabase('ferretdb_id_index');
  const collection = connection.db!.collection<{ _id: string; n: number }>('probe');
  await collection.insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `c_${n}`, n })));
});

afterAll(() => dropTestDatabase(connection));

async function planOf(filter: Record<string, unknown>): Promise<string> {
  const explained = await connection.db!.command({ explain: { find: 'probe', filter } });
  return JSON.stringify(explained.queryPlanner ?? explained);
}

test('a find by _id is an index SEARCH, not a SCAN of the collection', async () => {
  const plan = await planOf({ _id: 'c_7' });
  expect(plan).toMatch(/SEARCH/);
  expect(plan).toMatch(/USING INDEX/);
});

test('any other filter is still a scan: which is why no request path may use one', async () => {
  const plan = await planOf({ n: 7 });
  expect(plan).not.toMatch(/USING INDEX/);
  await expect(connection.db!.collection('probe').findOne({ _id: 'c_7' as never })).resolves.toMatchObject({ n: 7 });
});
