// TLS bundles: cert, key and ca name declared secrets (not key shares).
import type { Config } from '../types.js';
import { invalidAt, keyPath, unknownAt } from './errors.js';
import { shareNames } from './keys.js';

// Checks every bundle's secret names.
export function checkTls(config: Config, _warnings: string[]): void {
  const secrets = Object.keys(config.secrets);
  const shares = shareNames(config);
  for (const [name, b] of Object.entries(config.tls)) {
    for (const field of ['cert', 'key', 'ca'] as const) {
      const ref = b[field];
      if (ref === undefined) continue;
      if (!config.secrets[ref]) throw unknownAt(keyPath('tls', name, field), 'secret', secrets);
      if (shares.has(ref)) {
        throw invalidAt(
          keyPath('tls', name, field),
          `${keyPath('secrets', ref)} is a key share and cannot be used directly`,
        );
      }
    }
  }
}
