import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const GRPC_ALREADY_EXISTS = 6;

/**
 * Registers the case search attributes on the namespace if they are missing. Run by every worker
 * at start-up, so a fresh dev server, the docker-compose cluster and the test server all get them
 * without a separate admin step. Safe to run concurrently: "already exists" counts as done.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
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
