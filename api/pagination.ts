/**
 * Cursor pagination over a sort key and `_id` (which breaks ties), so pages stay stable while
 * cases are opened and tasks closed between two requests. The cursor is opaque to clients:
 * base64url JSON of the last item's sort value and id.
 */
import { Types } from 'mongoose';
import { ApiError } from './errors';

export interface CursorPosition {
  at: Date;
  id: Types.ObjectId;
}

export function encodeCursor(at: Date, id: Types.ObjectId): string {
  return Buffer.from(JSON.stringify({ at: at.toISOString(), id: id.toHexString() })).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const { at, id } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    if (
      typeof at === 'string' &&
      typeof id === 'string' &&
      Types.ObjectId.isValid(id) &&
      !Number.isNaN(Date.parse(at))
    ) {
      return { at: new Date(at), id: new Types.ObjectId(id) };
    }
  } catch {
    // Falls through to the error below: whatever it was, it is not one of our cursors.
  }
  throw new ApiError('validation_failed', 'cursor: is not a cursor this API returned', [
    { path: 'query.cursor', reason: 'is not a cursor this API returned' },
  ]);
}

/** The filter that resumes after `position` in the order (field, _id), ascending or descending. */
export function afterCursor(field: string, position: CursorPosition, direction: 1 | -1): Record<string, unknown> {
  const beyond = direction === 1 ? '$gt' : '$lt';
  return {
    $or: [{ [field]: { [beyond]: position.at } }, { [field]: position.at, _id: { [beyond]: position.id } }],
  };
}

/** Reads one more than `limit` to know whether another page exists, without a count. */
export function page<T extends { _id: Types.ObjectId }>(
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
