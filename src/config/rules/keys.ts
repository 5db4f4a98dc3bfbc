// Derived keys: at least two shares, each a declared secret, each from a different
// collaborator (a key one party can compute alone is not multiparty).
import type { Config } from '../types.js';
import { invalidAt, keyPath, unknownAt } from './errors.js';

// Checks every key's shares.
export function checkKeys(config: Config, _warnings: string[]): void {
  const secrets = Object.keys(config.secrets);
  for (const [name, k] of Object.entries(config.keys)) {
    if (k.shares.length < 2) {
      throw invalidAt(keyPath('keys', name, 'shares'), 'expected at least 2 shares');
    }
    const owners = new Map<string, string>();
    k.shares.forEach((share, i) => {
      const secret = config.secrets[share];
      if (!secret) throw unknownAt(keyPath('keys', name, 'shares', i), 'secret', secrets);
      const other = owners.get(secret.from);
      if (other !== undefined) {
        throw invalidAt(
          keyPath('keys', name, 'shares', i),
          `${keyPath('secrets', other)} and ${keyPath('secrets', share)} both come from ${keyPath('collaborators', secret.from)}; each share must come from a different collaborator`,
        );
      }
      owners.set(secret.from, share);
    });
  }
}

/** Names of secrets used as key shares: these are never written, rendered or sent. */
export function shareNames(config: Config): Set<string> {
  return new Set(Object.values(config.keys).flatMap((k) => k.shares));
}
