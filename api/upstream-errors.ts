/**
 * What Temporal and the database throw, in the contract's words. An error that means "the server
 * could not be reached or did not answer in time" becomes 503 `unavailable`; the request then had
 * no effect (intake undoes its write, see api/intake.ts).
 */
import {
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ApiError } from './errors';

// gRPC status codes: CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE.
const UNREACHABLE_GRPC_CODES = new Set([1, 4, 8, 14]);

function grpcCodeOf(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return undefined;
}

export function isTemporalUnreachable(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const code = grpcCodeOf(error);
  if (code !== undefined) return UNREACHABLE_GRPC_CODES.has(code);
  // A lazy connection that cannot connect throws a plain Error from the transport.
  const name = error instanceof Error ? error.name : '';
  return name === 'TransportError' || name === 'ConnectionError';
}

const DATABASE_UNREACHABLE_NAMES =
  /^(MongoNetworkError|MongoNetworkTimeoutError|MongoServerSelectionError|MongooseServerSelectionError|MongoNotConnectedError|MongoTopologyClosedError|MongoPoolClosedError|MongoExpiredSessionError)$/;

/**
 * Server errors that mean "busy or interrupted, not wrong": LockTimeout, MaxTimeMSExpired,
 * NetworkTimeout, WriteConflict, ExceededTimeLimit, and the shutdown and step-down family.
 */
const DATABASE_TRANSIENT_CODES = new Set([24, 50, 89, 91, 112, 189, 262, 11600, 11602]);
// FerretDB over SQLite reports a busy database in the message only, with a generic code.
const DATABASE_BUSY_MESSAGE = /database is locked|database table is locked|SQLITE_BUSY|SQLITE_LOCKED/i;

export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (DATABASE_UNREACHABLE_NAMES.test(error.name)) return true;
  if (/^Mongo/.test(error.name)) {
    const { code } = error as { code?: unknown };
    if (typeof code === 'number' && DATABASE_TRANSIENT_CODES.has(code)) return true;
    if (DATABASE_BUSY_MESSAGE.test(error.message)) return true;
  }
  // With bufferCommands off, mongoose refuses at once while disconnected; with it on, it times out.
  return (
    error.name === 'MongooseError' &&
    /before initial connection|Connection was force closed|client must be connected|buffering timed out/i.test(
      error.message,
    )
  );
}

/**
 * 503. `outcome: 'unknown'` when the failure came after a write that may have landed: the answer
 * then says so, and that the same request again settles it (every write it retries is idempotent).
 */
export function unavailable(what: 'Temporal' | 'the database', outcome: 'none' | 'unknown' = 'none'): ApiError {
  return new ApiError(
    'unavailable',
    outcome === 'none'
      ? `${what} cannot be reached right now: the request had no effect, try again`
      : `${what} did not answer in time: the request may have been applied; send the same request again, it answers what was done`,
  );
}

/** temporal server service/history/workflow/update/errors_failures.go */
const UNPROCESSED_UPDATE = 'UnprocessedUpdate';

/** An Update refused by the workflow's validator: its ApplicationFailure type is the contract's code. */
export function refusedUpdate(error: unknown): ApiError | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const failure = error.cause;
  if (!(failure instanceof ApplicationFailure)) return undefined;
  // The server's, not the workflow's: the Update reached a workflow task that did not take it up
  // (seen with many concurrent Updates on one case). It had no effect; the same request again will.
  if (failure.type === UNPROCESSED_UPDATE) return unavailable('Temporal');
  const code = failure.type === 'invalid_transition' ? 'invalid_transition' : 'unprocessable';
  const details = (failure.details ?? []).flatMap((detail) => {
    const field = (detail as { field?: unknown } | null)?.field;
    return typeof field === 'string' ? [{ path: `body.${field}`, reason: failure.message }] : [];
  });
  return new ApiError(code, failure.message, details);
}
