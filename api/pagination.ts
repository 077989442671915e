/**
 * Cursors are opaque to clients. Call tasks page over a sort key and `_id` (which breaks ties), so
 * pages stay stable while tasks are closed between two requests: base64url JSON of the last item's
 * sort value and id. Cases page through Temporal's visibility: the cursor is its page token, in
 * base64url with a check (the SQL visibility's token is itself a keyset position, stable while
 * cases open).
 */
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { ApiError } from './errors';

/** Documents are keyed by ObjectId (older collections) or by a meaningful string (task id…). */
type DocumentId = Types.ObjectId | string;

export interface CursorPosition {
  at: Date;
  id: DocumentId;
}

export function encodeCursor(at: Date, id: DocumentId): string {
  // `s` marks a string id: a string of 24 hex digits must not come back as an ObjectId.
  const position =
    typeof id === 'string' ? { at: at.toISOString(), id, s: 1 } : { at: at.toISOString(), id: id.toHexString() };
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const { at, id, s } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      at?: unknown;
      id?: unknown;
      s?: unknown;
    };
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at))) {
      if (s === 1) return { at: new Date(at), id };
      if (Types.ObjectId.isValid(id)) return { at: new Date(at), id: new Types.ObjectId(id) };
    }
  } catch {
    // Falls through to the error below: whatever it was, it is not one of our cursors.
  }
  throw invalidCursor();
}

export function invalidCursor(): ApiError {
  return new ApiError('validation_failed', 'cursor: is not a cursor this API returned', [
    { path: 'query.cursor', reason: 'is not a cursor this API returned' },
  ]);
}

/**
 * A check on the token and the list query it pages: visibility takes any well-formed token (a
 * JSON object of zero values starts over from the top), so a cursor garbled, forged or carried to
 * other filters would silently list from the start. Not a secret: a mismatch is refused as a 400.
 */
function tokenCheck(token: Uint8Array, query: string): string {
  return createHash('sha256').update(query).update('\u0000').update(token).digest('base64url').slice(0, 16);
}

/** A visibility page token as a cursor: base64url of the token, a dot, its check for `query`. */
export function encodePageToken(token: Uint8Array, query: string): string {
  return `${Buffer.from(token).toString('base64url')}.${tokenCheck(token, query)}`;
}

/** The visibility page token of a cursor `encodePageToken` made for this same `query`. */
export function decodePageToken(cursor: string, query: string): Uint8Array {
  const [encoded, check, ...rest] = cursor.split('.');
  if (encoded === undefined || check === undefined || rest.length > 0) throw invalidCursor();
  const token = new Uint8Array(Buffer.from(encoded, 'base64url'));
  if (token.length === 0 || check !== tokenCheck(token, query)) throw invalidCursor();
  return token;
}

/** The filter that resumes after `position` in the order (field, _id), ascending or descending. */
export function afterCursor(field: string, position: CursorPosition, direction: 1 | -1): Record<string, unknown> {
  const beyond = direction === 1 ? '$gt' : '$lt';
  return {
    $or: [{ [field]: { [beyond]: position.at } }, { [field]: position.at, _id: { [beyond]: position.id } }],
  };
}

/** Reads one more than `limit` to know whether another page exists, without a count. */
export function page<T extends { _id: DocumentId }>(
  documents: T[],
  limit: number,
  sortValue: (document: T) => Date,
): { items: T[]; nextCursor: string | null } {
  const items = documents.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: documents.length > limit && last ? encodeCursor(sortValue(last), last._id) : null,
  };
}
