// Key derivation from PSK shares: `hkdf-sha256` (recommended) and `sha256-concat`, the
// derivation of the public Confidential Space TLS-PSK demo. See docs/psk.md for vectors.
import { createHash, hkdfSync } from 'node:crypto';
import type { KeyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { checkShares, parseShare, type NamedShare } from './shares.js';

/** One share as fetched: who supplied it, from which secret, and the payload bytes. */
export interface ShareInput {
  readonly collaborator: string;
  readonly secret: string;
  /** The fetched payload, before decoding (hex text or raw bytes). */
  readonly raw: Buffer;
}

/** sha256-concat always yields a SHA-256 digest. */
export const SHA256_CONCAT_LENGTH = 32;

/**
 * Why: the demo computes `sha256(aliceHex + bobHex)` over the hex *text* of the shares in
 * the order given and uses the 32 digest bytes as the PSK. Shares are hashed as canonical
 * lowercase hex, so a payload stored as raw bytes or uppercase hex gives the same key.
 */
export function sha256Concat(shares: readonly Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const share of shares) hash.update(share.toString('hex'), 'latin1');
  return hash.digest();
}

/**
 * Why: RFC 5869 HKDF-SHA256 with an unambiguous input: shares sorted by collaborator (then
 * secret) name, each prefixed by its 4-byte big-endian length, so neither the config order
 * nor share boundaries can be confused; salt and info bind the key to its purpose.
 */
export function hkdfSha256(
  shares: readonly {
    readonly collaborator: string;
    readonly secret: string;
    readonly bytes: Buffer;
  }[],
  salt: string,
  info: string,
  length: number,
): Buffer {
  const ordered = [...shares].sort(
    (a, b) => compare(a.collaborator, b.collaborator) || compare(a.secret, b.secret),
  );
  const parts: Buffer[] = [];
  for (const share of ordered) {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(share.bytes.length);
    parts.push(prefix, share.bytes);
  }
  const ikm = Buffer.concat(parts);
  try {
    return Buffer.from(
      hkdfSync('sha256', ikm, Buffer.from(salt, 'utf8'), Buffer.from(info, 'utf8'), length),
    );
  } finally {
    ikm.fill(0);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Why: the single place a key comes from its shares: decode and check every share, then
 * apply the configured KDF. Errors name the key and the secret, never a value.
 * @example deriveKey('session-psk', spec, [{ collaborator: 'alice', secret: 'alice-share', raw }, …])
 */
export function deriveKey(name: string, spec: KeyConfig, shares: readonly ShareInput[]): Buffer {
  if (spec.threshold !== undefined) {
    throw new TeeinitError(
      'TEEINIT_INTERNAL',
      `Key "${name}" has a threshold: it is derived by deriveThresholdKey.`,
    );
  }
  if (shares.length !== spec.shares.length) {
    throw new TeeinitError(
      'TEEINIT_INTERNAL',
      `Key "${name}" expects ${spec.shares.length} shares but ${shares.length} were supplied.`,
    );
  }
  // Decoded one by one inside the try: a share rejected by parseShare or checkShares
  // still leaves no earlier decoded copy behind.
  const decoded: (NamedShare & { readonly collaborator: string; readonly secret: string })[] = [];
  try {
    for (const s of shares) {
      const bytes = parseShare(s.secret, s.raw);
      decoded.push({ collaborator: s.collaborator, secret: s.secret, name: s.secret, bytes });
    }
    checkShares(decoded);
    if (spec.kdf === 'sha256-concat') {
      if (spec.length !== SHA256_CONCAT_LENGTH) {
        throw new TeeinitError(
          'TEEINIT_CONFIG_INVALID',
          `keys.${name}.length must be ${SHA256_CONCAT_LENGTH} with kdf sha256-concat (a SHA-256 digest); got ${spec.length}.`,
        );
      }
      return sha256Concat(decoded.map((s) => s.bytes));
    }
    if (!Number.isInteger(spec.length) || spec.length < 16 || spec.length > 255 * 32) {
      throw new TeeinitError(
        'TEEINIT_CONFIG_INVALID',
        `keys.${name}.length must be an integer from 16 to ${255 * 32}; got ${spec.length}.`,
      );
    }
    return hkdfSha256(decoded, spec.salt, spec.info, spec.length);
  } finally {
    for (const s of decoded) s.bytes.fill(0);
  }
}
