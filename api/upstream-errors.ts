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

export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (DATABASE_UNREACHABLE_NAMES.test(error.name)) return true;
  // With bufferCommands off, mongoose refuses at once while disconnected.
  return (
    error.name === 'MongooseError' &&
    /before initial connection|Connection was force closed|client must be connected/i.test(error.message)
  );
}

export function unavailable(what: 'Temporal' | 'the database'): ApiError {
  return new ApiError('unavailable', `${what} cannot be reached right now: the request had no effect, try again`);
}

/** An Update refused by the workflow's validator: its ApplicationFailure type is the contract's code. */
export function refusedUpdate(error: unknown): ApiError | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const failure = error.cause;
  if (!(failure instanceof ApplicationFailure)) return undefined;
  const code = failure.type === 'invalid_transition' ? 'invalid_transition' : 'unprocessable';
  const details = (failure.details ?? []).flatMap((detail) => {
    const field = (detail as { field?: unknown } | null)?.field;
    return typeof field === 'string' ? [{ path: `body.${field}`, reason: failure.message }] : [];
  });
  return new ApiError(code, failure.message, details);
}
