import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const GRPC_ALREADY_EXISTS = 6;
const GRPC_UNIMPLEMENTED = 12;

async function registeredNames(connection: Connection, namespace: string): Promise<Set<string>> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    // The time-skipping test server can add attributes but not list them: add them all.
    if (isGrpcServiceError(err) && err.code === GRPC_UNIMPLEMENTED) return new Set();
    throw err;
  }
}

/**
 * Registers the case search attributes on the namespace if they are missing. Run by every worker
 * at start-up, so a fresh dev server, the docker-compose cluster and the test server all get them
 * without a separate admin step. Safe to run concurrently: "already exists" counts as done.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const known = await registeredNames(connection, namespace);
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
      ),
    });
  } catch (err) {
    if (!isGrpcServiceError(err) || err.code !== GRPC_ALREADY_EXISTS) throw err;
  }
  return missing.map((key) => key.name);
}
