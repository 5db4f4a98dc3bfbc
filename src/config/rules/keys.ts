// Derived keys: at least two shares, each a declared secret listed once, each from a
// different collaborator (a key one party can compute alone is not multiparty). A threshold
// key (t of n Shamir shares) also needs 2 <= t <= n <= 255, the hkdf-sha256 KDF, and shares
// no other key uses (a Shamir share belongs to one split).
import type { Config, KeyConfig } from '../types.js';
import { invalidAt, keyPath, unknownAt } from './errors.js';

/** GF(256) Shamir: x coordinates are the 255 non-zero bytes. */
export const MAX_THRESHOLD_SHARES = 255;

// Checks every key's shares.
export function checkKeys(config: Config, _warnings: string[]): void {
  const secrets = Object.keys(config.secrets);
  for (const [name, k] of Object.entries(config.keys)) {
    if (k.shares.length < 2) {
      throw invalidAt(keyPath('keys', name, 'shares'), 'expected at least 2 shares');
    }
    const listed = new Map<string, number>();
    const owners = new Map<string, string>();
    k.shares.forEach((share, i) => {
      const at = keyPath('keys', name, 'shares', i);
      const first = listed.get(share);
      if (first !== undefined) {
        throw invalidAt(
          at,
          `the same secret is already listed at ${keyPath('keys', name, 'shares', first)}; list each share once`,
        );
      }
      listed.set(share, i);
      const secret = config.secrets[share];
      if (!secret) throw unknownAt(at, 'secret', secrets);
      const other = owners.get(secret.from);
      if (other !== undefined) {
        throw invalidAt(
          at,
          `${keyPath('secrets', other)} and ${keyPath('secrets', share)} both come from ${keyPath('collaborators', secret.from)}; each share must come from a different collaborator` +
            (k.threshold === undefined
              ? ''
              : ` (with two shares, that collaborator would count twice towards ${keyPath('keys', name, 'threshold')})`),
        );
      }
      owners.set(secret.from, share);
    });
    if (k.threshold !== undefined) checkThreshold(config, name, k, k.threshold);
  }
}

// t-of-n: bounds, KDF, and shares that belong to this key alone.
function checkThreshold(config: Config, name: string, k: KeyConfig, t: number): void {
  const n = k.shares.length;
  const at = keyPath('keys', name, 'threshold');
  if (t < 2) {
    throw invalidAt(
      at,
      "expected at least 2: with a threshold below 2 one collaborator's share alone would make the key",
    );
  }
  if (t > n) {
    throw invalidAt(
      at,
      `expected at most the number of shares listed in ${keyPath('keys', name, 'shares')}; the key could never be made`,
    );
  }
  if (n > MAX_THRESHOLD_SHARES) {
    throw invalidAt(
      keyPath('keys', name, 'shares'),
      `a threshold key has at most ${MAX_THRESHOLD_SHARES} shares (Shamir over GF(256))`,
    );
  }
  if (k.kdf !== 'hkdf-sha256') {
    throw invalidAt(
      keyPath('keys', name, 'kdf'),
      "sha256-concat has no threshold form (it exists only to match the public demo's n-of-n derivation); use hkdf-sha256 with threshold",
    );
  }
  for (const [other, o] of Object.entries(config.keys)) {
    if (other === name) continue;
    o.shares.forEach((share, i) => {
      if (!k.shares.includes(share)) return;
      throw invalidAt(
        keyPath('keys', other, 'shares', i),
        `${keyPath('secrets', share)} is a share of threshold key ${keyPath('keys', name)} and cannot feed another key; a Shamir share belongs to one split`,
      );
    });
  }
}

/** Names of secrets used as key shares: these are never written, rendered or sent. */
export function shareNames(config: Config): Set<string> {
  return new Set(Object.values(config.keys).flatMap((k) => k.shares));
}
