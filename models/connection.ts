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

/**
 * For a server process that must answer while the database is away (the API: 503 rather than no
 * answer at all): the connection is returned at once and its first open is retried with backoff
 * until it succeeds or the connection is closed. Until then every command fails at once with
 * "before initial connection is complete" (no buffering), which the API maps to 503. Once open,
 * the driver itself reconnects after an outage.
 */
export function connectDatabaseInBackground(
  uri: string,
  {
    dbName,
    serverSelectionTimeoutMS = 5_000,
    onRetry,
  }: { dbName?: string; serverSelectionTimeoutMS?: number; onRetry?: (error: unknown, delayMs: number) => void } = {},
): Connection {
  const connection = mongoose.createConnection(uri, {
    dbName,
    bufferCommands: false,
    serverSelectionTimeoutMS,
    retryWrites: false,
  });
  let closed = false;
  connection.once('close', () => (closed = true));
  // Failures are reported through onRetry and the 503s; an unheard 'error' event must not crash us.
  connection.on('error', () => undefined);
  const retry = (error: unknown, attempt: number): void => {
    if (closed) return;
    const delayMs = Math.min(10_000, 500 * 2 ** attempt);
    onRetry?.(error, delayMs);
    setTimeout(() => {
      if (closed) return;
      connection.openUri(uri).catch((next: unknown) => retry(next, attempt + 1));
    }, delayMs).unref();
  };
  connection.asPromise().catch((error: unknown) => retry(error, 0));
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

/**
 * True when this insert landed; false when a document with its unique key was there already. The
 * one atomic decision FerretDB offers between racing writers (README, "Choosing the embedded
 * database"): locks, closures and acknowledgements are such inserts.
 */
export async function insertOnce(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
