/**
 * Free text that a person typed (a reply, a note, a dispute reason) crosses Temporal sealed: the
 * Web UI shows workflow histories to anyone with access to it (R7), so the text is encrypted by the
 * API and opened only by the activity that writes it to the journal.
 *
 * AES-256-GCM: the tag authenticates the text, so a tampered text or one sealed under another key
 * fails to open instead of yielding garbage. The version prefix leaves room for a key id when keys
 * rotate.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedText } from '../domain/case/types';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
// 96 bits is the IV length GCM is specified for; other lengths go through an extra hashing step.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export class SealedTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedTextError';
  }
}

/**
 * The key as configured (base64, e.g. from `openssl rand -base64 32`). Anything but exactly 32
 * bytes is refused: a short key would silently be a different cipher or a padding accident. The
 * value itself never appears in the message, which may end up in logs.
 */
export function parseDataKey(base64: string): Buffer {
  const trimmed = base64.trim();
  if (trimmed === '' || !BASE64.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new SealedTextError(
      'the data key must be 32 random bytes encoded in base64 (e.g. `openssl rand -base64 32`): the value is not base64',
    );
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SealedTextError(
      `the data key must be 32 random bytes encoded in base64 (e.g. \`openssl rand -base64 32\`): it decodes to ${key.length} bytes`,
    );
  }
  return key;
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new SealedTextError(`a data key is ${KEY_BYTES} bytes, got ${key.length}`);
}

/** `v1.<iv>.<tag>.<ciphertext>`, each part base64url: compact, and safe in JSON, URLs and logs. */
export function sealText(plain: string, key: Buffer): SealedText {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, ...[iv, tag, ciphertext].map((part) => part.toString('base64url'))].join('.');
}

function isCanonicalBase64url(part: string): boolean {
  return BASE64URL.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;
}

interface SealedParts {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function partsOf(sealed: string): SealedParts {
  const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
    throw new SealedTextError(`not a sealed text (expected ${VERSION}.<iv>.<tag>.<ciphertext>)`);
  }
  // Canonical encodings only: the spare bits of a last character could otherwise change unnoticed.
  if (![iv, tag, ciphertext].every(isCanonicalBase64url)) {
    throw new SealedTextError('not a sealed text: a part is not canonical base64url');
  }
  const parts = {
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
  };
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES) {
    throw new SealedTextError('not a sealed text: wrong IV or tag length');
  }
  return parts;
}

/** Throws `SealedTextError` when the text was altered or sealed under another key. */
export function openText(sealed: SealedText, key: Buffer): string {
  assertKey(key);
  const { iv, tag, ciphertext } = partsOf(sealed);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedTextError('sealed text cannot be opened: it was altered or sealed under another key');
  }
}
