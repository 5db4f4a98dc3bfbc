// Secrets: each names a declared collaborator, has the fields its source needs, and a
// well-formed Secret Manager version name. `latest` is allowed with a warning. TLS bundles:
// cert, key and ca name declared secrets (not key shares).
import type { Config } from '../types.js';
import { invalidAt, keyPath, unknownAt } from './errors.js';
import { shareNames } from './keys.js';

const PROJECT = '(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|\\d{1,20})';
const SECRET_ID = '[A-Za-z0-9_-]{1,255}';
const VERSION = '(?:\\d{1,20}|[A-Za-z0-9_-]{1,63})';
/** Global or regional Secret Manager version name; group 1 is the version (number or alias). */
export const SECRET_REF_RE = new RegExp(
  `^projects/${PROJECT}/(?:locations/[a-z0-9-]{1,63}/)?secrets/${SECRET_ID}/versions/(${VERSION})$`,
);

// Checks every secret's collaborator, source fields and ref.
export function checkSecrets(config: Config, warnings: string[]): void {
  const collaborators = Object.keys(config.collaborators);
  for (const [name, s] of Object.entries(config.secrets)) {
    const at = (key: string): string => keyPath('secrets', name, key);
    const owner = config.collaborators[s.from];
    if (!owner) throw unknownAt(at('from'), 'collaborator', collaborators);
    if (s.source === 'gcp-secret-manager') {
      if (s.path !== undefined) throw invalidAt(at('path'), 'only used with source file');
      if (s.ref === undefined)
        throw invalidAt(at('ref'), 'required with source gcp-secret-manager');
      const m = SECRET_REF_RE.exec(s.ref);
      if (!m) {
        throw invalidAt(
          at('ref'),
          'expected projects/P/secrets/S/versions/V or projects/P/locations/L/secrets/S/versions/V',
        );
      }
      if (owner.credentials === 'none') {
        throw invalidAt(
          at('from'),
          `${keyPath('collaborators', s.from)} has credentials none and can only provide source file secrets`,
        );
      }
      if (m[1] === 'latest') {
        warnings.push(
          `${at('ref')}: version "latest" is not pinned; a collaborator can change what this image receives`,
        );
      }
    } else {
      if (s.ref !== undefined)
        throw invalidAt(at('ref'), 'only used with source gcp-secret-manager');
      if (s.path === undefined) throw invalidAt(at('path'), 'required with source file');
    }
  }
}

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
