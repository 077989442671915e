import mongoose, { type Connection } from 'mongoose';

/**
 * One connection per process. Commands are not buffered while the server is away: a request
 * then fails at once (and the API answers 503) instead of hanging until some timeout.
 */
export async function connectDatabase(uri: string, { dbName }: { dbName?: string } = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    bufferCommands: false,
    serverSelectionTimeoutMS: 5_000,
    // FerretDB (the local stand-in for MongoDB) has no retryable writes.
    retryWrites: false,
  });
  await connection.asPromise();
  return connection;
}

/** True when the database answers a ping right now. */
export async function pingDatabase(connection: Connection, timeoutMs = 2_000): Promise<boolean> {
  if (connection.readyState !== mongoose.ConnectionStates.connected || !connection.db) return false;
  try {
    await Promise.race([
      connection.db.admin().ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ping timed out')), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** MongoDB's E11000: a unique index refused the write. Every idempotent write here rests on it. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
