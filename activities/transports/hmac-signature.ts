import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How Amiable signs what it POSTs (handoff dossiers) and what it expects of providers that call
 * it back without a signature scheme of their own (the registered-letter provider): HMAC-SHA256
 * of `<timestamp>.<body>` under a shared secret, in `X-Amiable-Signature: sha256=<hex>`, with the
 * Unix timestamp in `X-Amiable-Timestamp` so that a captured request cannot be replayed later.
 */
export const SIGNATURE_HEADER = 'x-amiable-signature';
export const TIMESTAMP_HEADER = 'x-amiable-timestamp';

export function signBody(secret: string, body: string, timestampSeconds: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

export type HmacCheck = { ok: true } | { ok: false; why: 'missing' | 'timestamp' | 'signature' };

export function verifyBody(
  secret: string,
  body: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  now: Date,
  toleranceSeconds = 300,
): HmacCheck {
  if (!headers.signature || !headers.timestamp) return { ok: false, why: 'missing' };
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, why: 'timestamp' };
  const timestamp = Number(headers.timestamp);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return { ok: false, why: 'timestamp' };
  const expected = Buffer.from(signBody(secret, body, timestamp));
  const given = Buffer.from(headers.signature);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { ok: true }
    : { ok: false, why: 'signature' };
}
