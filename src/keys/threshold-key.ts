// A threshold key from the shares at hand: each share checked on its own (format, and the
// t and n of the config), the secret recovered from any t consistent ones, then the same
// HKDF step as every key: PSK = HKDF-SHA256(IKM = secret, salt, info, length). Shares that
// cannot be used are left out and reported; fewer than t usable ones fail the key.
import { hkdfSync } from 'node:crypto';
import type { KeyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { ShareInput } from './kdf.js';
import { parseShareText } from './share-format.js';
import { describe, recoverSecret, type HeldShare, type RejectedShare } from './threshold.js';

/** One share as a key needs it: who holds it, which secret. */
export interface ShareSource {
  readonly secret: string;
  readonly collaborator: string;
}

/**
 * Why: what a key was made from this time, so a later check can tell how many of its
 * collaborators still consent. `threshold` is t (n for a key without threshold).
 */
export interface KeyOrigin {
  readonly threshold: number;
  readonly total: number;
  /** The shares the key was derived from, in (collaborator, secret) order. */
  readonly shares: readonly ShareSource[];
  /** Threshold keys: the key id of the recovered secret (docs/psk.md#share-format). */
  readonly keyId?: string;
}

/** A share that could not be used for its key, and why. */
export interface UnusableShare extends ShareSource {
  readonly error: TeeinitError;
}

/**
 * Why: a share is refused on its own (malformed, or split for another t or n) before any
 * recombination, so one collaborator's mistake is that share's failure only.
 */
export function acceptShare(
  keyName: string,
  spec: KeyConfig,
  input: ShareInput,
): { held: HeldShare } | { rejected: UnusableShare } {
  const source = { secret: input.secret, collaborator: input.collaborator };
  const what = `PSK share "${input.secret}" (collaborator ${input.collaborator}) of key "${keyName}"`;
  try {
    const share = parseShareText(input.raw, what);
    const t = spec.threshold ?? spec.shares.length;
    const n = spec.shares.length;
    if (share.threshold !== t || share.total !== n) {
      share.y.fill(0);
      throw new TeeinitError(
        'TEEINIT_SHARE_INVALID',
        `${what} was split for any ${share.threshold} of ${share.total} shares, but keys.${keyName} takes ${t} of ${n}; it comes from another split.`,
        { fields: { ...source, key: keyName } },
      );
    }
    return { held: { ...source, share } };
  } catch (error) {
    if (!(error instanceof TeeinitError)) throw error;
    const err =
      Object.keys(error.fields).length > 0
        ? error
        : new TeeinitError(error.code, error.message, { fields: { ...source, key: keyName } });
    return { rejected: { ...source, error: err } };
  }
}

/** A key's derived bytes and what they came from. */
export interface DerivedKey {
  readonly key: Buffer;
  readonly origin: KeyOrigin;
  /** Shares present but left out (logged by the fetch stage, named in errors). */
  readonly unusable: readonly UnusableShare[];
}

/**
 * Why: the one way a threshold key is made, at start-up, at refresh and by
 * `teeinit shares combine --write-psk`. `present` holds the shares fetched (any order);
 * `missing` the other shares of the key and why they are absent, for the error.
 */
export async function deriveThresholdKey(
  name: string,
  spec: KeyConfig,
  present: readonly ShareInput[],
  missing: readonly UnusableShare[] = [],
): Promise<DerivedKey> {
  const t = spec.threshold ?? spec.shares.length;
  const held: HeldShare[] = [];
  const unusable: UnusableShare[] = [];
  for (const input of present) {
    const r = acceptShare(name, spec, input);
    if ('held' in r) held.push(r.held);
    else unusable.push(r.rejected);
  }
  try {
    const result = await recoverSecret(t, held);
    unusable.push(...result.rejected.map(toUnusable));
    if (!result.ok) throw thresholdNotMet(name, spec, [...missing, ...unusable], result.problem);
    try {
      const key = Buffer.from(
        hkdfSync(
          'sha256',
          result.secret,
          Buffer.from(spec.salt, 'utf8'),
          Buffer.from(spec.info, 'utf8'),
          spec.length,
        ),
      );
      const origin: KeyOrigin = {
        threshold: t,
        total: spec.shares.length,
        shares: result.used.map(({ secret, collaborator }) => ({ secret, collaborator })),
        keyId: result.keyId,
      };
      return { key, origin, unusable };
    } finally {
      result.secret.fill(0);
    }
  } finally {
    for (const h of held) h.share.y.fill(0);
  }
}

function toUnusable(r: RejectedShare): UnusableShare {
  return { secret: r.held.secret, collaborator: r.held.collaborator, error: r.error };
}

/**
 * Why: one error says which key failed, how many shares it needed, and for every share it
 * could not use: whose it is and the code and message of why.
 */
export function thresholdNotMet(
  name: string,
  spec: KeyConfig,
  unusable: readonly UnusableShare[],
  problem?: string,
): TeeinitError {
  const t = spec.threshold ?? spec.shares.length;
  const n = spec.shares.length;
  const reasons = unusable.map(
    (u) => `${describe(u)}: ${u.error.code}: ${u.error.message.replace(/\.$/, '')}`,
  );
  const collaborators = [...new Set(unusable.map((u) => u.collaborator))];
  return new TeeinitError(
    'TEEINIT_THRESHOLD_NOT_MET',
    `Key "${name}" needs ${t} of its ${n} shares${problem === undefined ? '' : `: ${problem}`}.` +
      (reasons.length === 0 ? '' : ` Not usable: ${reasons.join('; ')}.`),
    {
      fields: {
        key: name,
        threshold: t,
        shares: n,
        unusable: unusable.map((u) => u.secret).join(','),
        collaborators: collaborators.join(','),
      },
    },
  );
}
