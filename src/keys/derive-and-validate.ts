// The derive-and-validate stage: from the fetched secrets to derived keys and checked
// TLS bundles. Pure (no I/O); the run command calls it between fetch and materialize.
import type { Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { redactor } from '../log/index.js';
import { deriveKey } from './kdf.js';
import { checkTlsBundle, type TlsMaterial } from './tls-bundle.js';

/** Everything later stages need: raw secrets, derived keys and checked TLS bundles. */
export interface Material {
  /** Secret name → fetched payload, as fetched. */
  readonly secrets: ReadonlyMap<string, Buffer>;
  /** Key name → derived key bytes. */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** TLS bundle name → checked material. */
  readonly tls: ReadonlyMap<string, TlsMaterial>;
}

function fetched(secrets: ReadonlyMap<string, Buffer>, name: string, user: string): Buffer {
  const value = secrets.get(name);
  if (value === undefined) {
    throw new TeeinitError(
      'TEEINIT_INTERNAL',
      `Secret "${name}" (used by ${user}) was not fetched before derive-and-validate.`,
    );
  }
  return value;
}

/**
 * Why: one entry point, so the run command fails closed on the first bad share or
 * certificate before any file is written or port opened.
 */
export function deriveAndValidate(
  config: Config,
  secrets: ReadonlyMap<string, Buffer>,
  now: Date,
): Material {
  const keys = new Map<string, Buffer>();
  for (const [name, spec] of Object.entries(config.keys)) {
    const shares = spec.shares.map((secret) => ({
      secret,
      collaborator: config.secrets[secret]?.from ?? secret,
      raw: fetched(secrets, secret, `keys.${name}`),
    }));
    const key = deriveKey(name, spec, shares);
    redactor.add(key); // last line of defence: a derived key never reaches a log line
    keys.set(name, key);
  }
  const tls = new Map<string, TlsMaterial>();
  for (const [name, spec] of Object.entries(config.tls)) {
    const user = `tls.${name}`;
    const pems = {
      cert: fetched(secrets, spec.cert, user),
      key: fetched(secrets, spec.key, user),
      ...(spec.ca === undefined ? {} : { ca: fetched(secrets, spec.ca, user) }),
    };
    tls.set(name, checkTlsBundle(name, spec, pems, now, config.clockSkew));
  }
  return { secrets, keys, tls };
}
