// PSK shares: each collaborator stores one share (hex text or raw bytes). A share is
// decoded once here and checked before any derivation; messages name the secret only.
import { timingSafeEqual } from 'node:crypto';
import { TeeinitError } from '../errors/index.js';

/** Shorter shares cannot carry 128 bits of entropy. */
export const MIN_SHARE_BYTES = 16;

const HEX_TEXT = /^[0-9a-fA-F]+$/;

/** One decoded share and the secret it came from. */
export interface NamedShare {
  readonly name: string;
  readonly bytes: Buffer;
}

function invalid(name: string, why: string): TeeinitError {
  return new TeeinitError('TEEINIT_SHARE_INVALID', `PSK share "${name}" ${why}.`, {
    fields: { secret: name },
  });
}

/**
 * Why: collaborators store shares as hex text (`echo -n <hex>`) or as raw bytes; both must
 * yield the same bytes. Text made only of hex digits (surrounding whitespace ignored) is
 * decoded as hex and must have even length; anything else is taken as raw bytes.
 * @example parseShare('alice-share', Buffer.from('2c6f…ed90')) // → 32 bytes
 */
export function parseShare(name: string, raw: Buffer): Buffer {
  const text = raw.toString('latin1').trim();
  let bytes: Buffer;
  if (text.length > 0 && HEX_TEXT.test(text)) {
    if (text.length % 2 !== 0)
      throw invalid(name, 'looks like hex but has an odd number of digits');
    bytes = Buffer.from(text, 'hex');
  } else {
    bytes = Buffer.from(raw);
  }
  if (bytes.length < MIN_SHARE_BYTES) {
    bytes.fill(0); // a rejected share leaves no decoded copy behind
    throw invalid(name, `is ${bytes.length} bytes; at least ${MIN_SHARE_BYTES} are required`);
  }
  if (bytes.every((b) => b === 0)) throw invalid(name, 'is all zero bytes');
  return bytes;
}

/**
 * Why: shares of different lengths or two equal shares mean a misconfiguration (or one
 * collaborator copying another's share), which would silently weaken the derived key.
 */
export function checkShares(shares: readonly NamedShare[]): void {
  const first = shares[0];
  if (first === undefined) {
    throw new TeeinitError('TEEINIT_SHARE_INVALID', 'A key needs at least one PSK share.');
  }
  for (const share of shares) {
    if (share.bytes.length !== first.bytes.length) {
      throw invalid(
        share.name,
        `is ${share.bytes.length} bytes but "${first.name}" is ${first.bytes.length}; all shares of a key must have the same length`,
      );
    }
  }
  for (let i = 0; i < shares.length; i += 1) {
    for (let j = i + 1; j < shares.length; j += 1) {
      const a = shares[i];
      const b = shares[j];
      if (a !== undefined && b !== undefined && timingSafeEqual(a.bytes, b.bytes)) {
        throw invalid(
          b.name,
          `is identical to "${a.name}"; every collaborator needs its own share`,
        );
      }
    }
  }
}
