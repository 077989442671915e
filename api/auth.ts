/**
 * API keys and roles (docs/api.md, Authentication and roles). A key is compared in constant time
 * against every configured key, so neither the answer's timing nor an early exit tells an
 * attacker how much of a guess was right. Keys are never logged: the request logger redacts the
 * Authorization header, and the actor recorded in the journal is a fingerprint of the key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiKey, Role } from '../config';
import { ApiError } from './errors';

export interface Caller {
  role: Role;
  /** `key:` + 12 hex digits of the key's SHA-256: tells keys apart in the journal without revealing them. */
  keyId: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function keyFingerprint(key: string): string {
  return `key:${digest(key).toString('hex').slice(0, 12)}`;
}

export function createAuthenticator(keys: readonly ApiKey[]): (presented: string) => Caller | undefined {
  // Digests have one length, so timingSafeEqual never throws and the key's length does not leak.
  const known = keys.map((entry) => ({
    role: entry.role,
    digest: digest(entry.key),
    keyId: keyFingerprint(entry.key),
  }));
  return (presented) => {
    const presentedDigest = digest(presented);
    let match: Caller | undefined;
    for (const entry of known) {
      if (timingSafeEqual(entry.digest, presentedDigest) && match === undefined) {
        match = { role: entry.role, keyId: entry.keyId };
      }
    }
    return match;
  };
}

// RFC 7235: the scheme is case-insensitive ("bearer", "BEARER"), and one or more spaces follow it.
const BEARER = /^Bearer +([^\s]+)$/i;

function callerOf(authenticate: (key: string) => Caller | undefined, header: string | undefined): Caller | undefined {
  const presented = header ? BEARER.exec(header)?.[1] : undefined;
  return presented ? authenticate(presented) : undefined;
}

const unauthorized = (header: string | undefined) =>
  new ApiError('unauthorized', header ? 'unknown API key' : 'missing API key: send Authorization: Bearer <key>');

/**
 * Mounted before the body parser: a request that carries a body and no known key is 401 at once,
 * whatever the body is (malformed, oversized), so an anonymous caller learns nothing from the
 * parser and costs no parsing. The role is checked later, by the route's `requireRole`.
 */
export function rejectAnonymousBodies(
  authenticate: (key: string) => Caller | undefined,
  isPublic: (path: string) => boolean,
): RequestHandler {
  return (req, _res, next) => {
    const length = req.headers['content-length'];
    const carriesBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (!carriesBody || isPublic(req.path) || callerOf(authenticate, req.headers.authorization)) {
      next();
      return;
    }
    next(unauthorized(req.headers.authorization));
  };
}

/** 401 without a known key; 403 when the key's role is not among `roles` (a manager may do everything). */
export function requireRole(authenticate: (key: string) => Caller | undefined, roles: readonly Role[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    const caller = callerOf(authenticate, header);
    if (!caller) {
      next(unauthorized(header));
      return;
    }
    if (caller.role !== 'manager' && !roles.includes(caller.role)) {
      next(
        new ApiError('forbidden', `the ${caller.role} role may not call ${req.method} ${req.route?.path ?? req.path}`),
      );
      return;
    }
    req.caller = caller;
    next();
  };
}
