// The derive-and-validate stage: from the fetched secrets to derived keys and checked
// TLS bundles. Pure (no I/O, nothing shared changed); the run command calls it between
// fetch and materialize and registers the keys with its logger's redactor.
// A threshold key is made from the shares that were fetched (the fetch stage leaves out
// the others); every other key needs all of its shares.
import type { Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { deriveKey } from './kdf.js';
import { deriveThresholdKey, type KeyOrigin } from './threshold-key.js';
import { checkTlsBundle, type TlsMaterial } from './tls-bundle.js';

/** Everything later stages need: raw secrets, derived keys and checked TLS bundles. */
export interface Material {
  /**
   * Secret name → fetched payload, as fetched. A threshold key's share that was not
   * fetched (failed, or not waited for) is absent.
   */
  readonly secrets: ReadonlyMap<string, Buffer>;
  /** Key name → derived key bytes. */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** Key name → the shares (secret and collaborator) it was derived from this time. */
  readonly keyOrigins: ReadonlyMap<string, KeyOrigin>;
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
export async function deriveAndValidate(
  config: Config,
  secrets: ReadonlyMap<string, Buffer>,
  now: Date,
): Promise<Material> {
  const keys = new Map<string, Buffer>();
  const keyOrigins = new Map<string, KeyOrigin>();
  for (const [name, spec] of Object.entries(config.keys)) {
    const collaboratorOf = (secret: string): string => config.secrets[secret]?.from ?? secret;
    let key: Buffer;
    if (spec.threshold === undefined) {
      const shares = spec.shares.map((secret) => ({
        secret,
        collaborator: collaboratorOf(secret),
        raw: fetched(secrets, secret, `keys.${name}`),
      }));
      key = deriveKey(name, spec, shares);
      keyOrigins.set(name, {
        threshold: spec.shares.length,
        total: spec.shares.length,
        // One share per collaborator (config rule): collaborator order is total.
        shares: shares
          .map(({ secret, collaborator }) => ({ secret, collaborator }))
          .sort((a, b) => (a.collaborator < b.collaborator ? -1 : 1)),
      });
    } else {
      const present = spec.shares.flatMap((secret) => {
        const raw = secrets.get(secret);
        return raw === undefined ? [] : [{ secret, collaborator: collaboratorOf(secret), raw }];
      });
      const absent = spec.shares
        .filter((secret) => !secrets.has(secret))
        .map((secret) => ({
          secret,
          collaborator: collaboratorOf(secret),
          error: new TeeinitError(
            'TEEINIT_THRESHOLD_NOT_MET',
            'It was not fetched (the fetch stage logged why).',
          ),
        }));
      const derived = await deriveThresholdKey(name, spec, present, absent);
      key = derived.key;
      keyOrigins.set(name, derived.origin);
    }
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
  return { secrets, keys, keyOrigins, tls };
}
