// The text form of one Shamir share of a threshold key, as `teeinit shares split` writes it
// and a collaborator stores it (`gcloud secrets versions add --data-file`):
//
//   teeinit-share-v1:<t>:<n>:<key id>:<x>:<y>
//
// t and n in decimal (2 <= t <= n <= 255), the key id as 16 lowercase hex digits, x the
// share's non-zero x coordinate in decimal (1..255), y the share's bytes in hex (one per
// byte of the secret, 16 to 64). Surrounding whitespace (a trailing newline) is ignored.
// The key id is the first 8 bytes of SHA-256("teeinit-share-v1:key-id:" || secret): shares
// of another split, or an altered share, are found when the recombined secret does not
// hash to it. See docs/psk.md#share-format.
import { createHash } from 'node:crypto';
import { TeeinitError } from '../errors/index.js';

export const SHARE_PREFIX = 'teeinit-share-v1';
/** Hashed before the secret to make its key id. */
export const KEY_ID_LABEL = 'teeinit-share-v1:key-id:';
export const KEY_ID_BYTES = 8;
/** A split secret: at least 128 bits, at most a 512-bit key. */
export const MIN_SECRET_BYTES = 16;
export const MAX_SECRET_BYTES = 64;
export const MAX_SHARES = 255;

/** One share, decoded. `y` is secret material: zero it once used. */
export interface ThresholdShare {
  /** t: how many shares recover the secret. */
  readonly threshold: number;
  /** n: how many shares the dealer wrote. */
  readonly total: number;
  /** 16 lowercase hex digits naming the secret (not revealing it). */
  readonly keyId: string;
  /** The x coordinate, 1..255; unique within one split. */
  readonly x: number;
  /** The share's y bytes, as long as the secret. */
  readonly y: Buffer;
}

const DECIMAL = /^[1-9][0-9]{0,2}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const HEX = /^[0-9a-fA-F]+$/;

/** Why: one name for a secret, hashed the same way by teeinit, the dealer and a client. */
export function keyIdOf(secret: Uint8Array): string {
  return createHash('sha256')
    .update(KEY_ID_LABEL, 'latin1')
    .update(secret)
    .digest()
    .subarray(0, KEY_ID_BYTES)
    .toString('hex');
}

/** The one line a share file or secret version holds (with a trailing newline). */
export function formatShare(share: ThresholdShare): string {
  const { threshold, total, keyId, x, y } = share;
  return `${SHARE_PREFIX}:${threshold}:${total}:${keyId}:${x}:${y.toString('hex')}\n`;
}

/**
 * Why: a malformed share must be refused with a message naming where it came from (a
 * secret, a file) and which field is wrong, never any of its bytes.
 * @example parseShareText(payload, 'PSK share "carol-share"')
 */
export function parseShareText(raw: Buffer, what: string): ThresholdShare {
  const text = raw.toString('latin1').trim();
  const bad = (why: string): TeeinitError =>
    new TeeinitError('TEEINIT_SHARE_INVALID', `${what} ${why}.`);
  if (!text.startsWith(`${SHARE_PREFIX}:`)) {
    throw bad(
      HEX.test(text)
        ? `is a plain share (hex), not a threshold share; a threshold key needs the shares written by \`teeinit shares split\` (${SHARE_PREFIX}:…)`
        : `is not a threshold share: expected ${SHARE_PREFIX}:T:N:KEYID:X:Y, as written by \`teeinit shares split\``,
    );
  }
  const fields = text.slice(SHARE_PREFIX.length + 1).split(':');
  if (fields.length !== 5) {
    throw bad(
      `has ${fields.length} fields after "${SHARE_PREFIX}:" instead of 5 (T:N:KEYID:X:Y); it is cut short or has extra text`,
    );
  }
  const [t, n, keyId, x, y] = fields as [string, string, string, string, string];
  const threshold = decimal(t, 2, MAX_SHARES, 'its threshold (T)', bad);
  const total = decimal(n, threshold, MAX_SHARES, 'its share count (N)', bad);
  if (!KEY_ID.test(keyId)) throw bad('has a key id that is not 16 lowercase hex digits');
  const xValue = decimal(x, 1, MAX_SHARES, 'its x coordinate (X)', bad);
  if (!HEX.test(y) || y.length % 2 !== 0) throw bad('has a value (Y) that is not whole hex bytes');
  const bytes = y.length / 2;
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw bad(
      `has a ${bytes}-byte value (Y); shares of a ${MIN_SECRET_BYTES}- to ${MAX_SECRET_BYTES}-byte secret have as many bytes`,
    );
  }
  return { threshold, total, keyId, x: xValue, y: Buffer.from(y, 'hex') };
}

function decimal(
  text: string,
  min: number,
  max: number,
  what: string,
  bad: (why: string) => TeeinitError,
): number {
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw bad(`has ${what} that is not a whole number from ${min} to ${max}`);
  }
  return value;
}
