import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../models/connection';
import { requireTestEnv, TEST_ENV } from '../setup/test-env';

/** A database of this test file's own on the run's FerretDB, dropped by `dropTestDatabase`. */
export function connectTestDatabase(label: string): Promise<Connection> {
  const dbName = `test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  return connectDatabase(requireTestEnv(TEST_ENV.mongodbUri), { dbName });
}

export async function dropTestDatabase(connection: Connection): Promise<void> {
  await connection.dropDatabase();
  await connection.close();
}
