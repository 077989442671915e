/** The error body and codes of docs/api.md. Every failure the API returns goes through here. */
import type { z } from 'zod';

export const ERROR_STATUS = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  // Not in the contract's table, which is silent on bodies that are too large or not JSON: these
  // are the statuses HTTP has for them (documented in the OpenAPI description).
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_collectable: 422,
  unprocessable: 422,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One entry of `details` for a field: where, and why. */
export interface FieldProblem {
  path: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): { error: { code: ErrorCode; message: string; details: unknown[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** `claim.invoices[0].dueDate`: the form people read and the domain's reasons already use. */
export function formatPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((path, segment) => {
    if (typeof segment === 'number') return `${path}[${segment}]`;
    return path ? `${path}.${String(segment)}` : String(segment);
  }, '');
}

/** One problem per field: an unknown field is named on its own, not as "keys of the parent". */
export function zodProblems(error: z.ZodError, root: string): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const at = (segments: readonly PropertyKey[]) => formatPath([root, ...segments]);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: at([...issue.path, key]), reason: 'unknown field' }));
    }
    if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      return [{ path: at(issue.path), reason: 'is required' }];
    }
    if (issue.code === 'invalid_type') {
      return [{ path: at(issue.path), reason: `must be ${article(issue.expected)}` }];
    }
    return [{ path: at(issue.path), reason: issue.message }];
  });
}

export function validationFailed(problems: FieldProblem[]): ApiError {
  const first = problems[0];
  const message = first
    ? `${first.path}: ${first.reason}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`
    : 'the request does not match the schema';
  return new ApiError('validation_failed', message, problems);
}

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
