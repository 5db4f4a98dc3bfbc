// The issuer's signing keys for OIDC-type tokens: from a JWKS file (offline), or from the
// `jwks_uri` of the issuer's discovery document, fetched on first use and cached with
// bounds (size, count, time to live, one refetch per cooldown for an unknown `kid`).
import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { readFileBoundedSync } from '../config/read-bounded.js';
import { fetchJsonObject, isAllowedKeyUrl } from './fetch-json.js';
import { AttestRefusal, refuse } from './reasons.js';

const MAX_DOCUMENT_BYTES = 64 * 1024;
const MAX_KEYS = 100;

export interface OidcKeyOptions {
  readonly issuer: string;
  /** Default `<issuer>/.well-known/openid-configuration`. */
  readonly discoveryUrl?: string;
  /** A JWKS given directly (a file's content): no network at all. */
  readonly jwks?: JSONWebKeySet;
  readonly fetchTimeoutMs?: number;
  /** How long a fetched JWKS is used before it is fetched again (default 1 h). */
  readonly ttlMs?: number;
  /** Least time between two fetches caused by an unknown `kid` (default 30 s). */
  readonly cooldownMs?: number;
  /**
   * After a fetch failed with no keys to fall back on, lookups within this time are refused
   * at once instead of fetching again (default 5 s): a peer that reconnects in a loop cannot
   * turn an issuer outage into a request per connection, or hold each one for a timeout.
   */
  readonly failureBackoffMs?: number;
  readonly now?: () => number;
}

type Resolver = ReturnType<typeof createLocalJWKSet>;
export type KeyLookup = (header: JWSHeaderParameters) => Promise<CryptoKey>;

// Validates a JWKS document's shape (not its keys' use: jose does that per key).
export function readJwks(value: unknown, what: string): JSONWebKeySet {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) {
    throw new Error(`${what} is not a JWKS ({"keys": [...]} with 1 to ${MAX_KEYS} keys)`);
  }
  return { keys: keys as JSONWebKeySet['keys'] };
}

// Reads a JWKS file; throws a plain Error naming the file.
export function readJwksFile(path: string): JSONWebKeySet {
  let text: string;
  try {
    text = readFileBoundedSync(path, MAX_DOCUMENT_BYTES).toString('utf8');
  } catch (cause) {
    throw new Error(`cannot read JWKS file ${path}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`JWKS file ${path} is not JSON`);
  }
  return readJwks(value, `JWKS file ${path}`);
}

/** Why a class: one cache and one in-flight fetch per verifier, shared by its connections. */
export class OidcKeys {
  readonly #options: OidcKeyOptions;
  readonly #now: () => number;
  #resolver: Resolver | undefined;
  #fetchedAt = -Infinity;
  #failed: { readonly at: number; readonly detail: string } | undefined;
  #inflight: Promise<Resolver> | undefined;

  constructor(options: OidcKeyOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    if (options.jwks !== undefined) this.#resolver = createLocalJWKSet(options.jwks);
  }

  /** The key for `header.kid`; refusals: `attestation-keys-unavailable`, `-invalid-signature`. */
  readonly lookup: KeyLookup = async (header) => {
    const fixed = this.#options.jwks !== undefined;
    const stale = this.#now() - this.#fetchedAt > (this.#options.ttlMs ?? 3_600_000);
    let resolver = fixed || !stale ? this.#resolver : await this.#refresh(this.#resolver);
    try {
      return await find(resolver, header);
    } catch (error) {
      const cooled = this.#now() - this.#fetchedAt >= (this.#options.cooldownMs ?? 30_000);
      if (fixed || !(error instanceof errors.JWKSNoMatchingKey) || !cooled)
        throw mapKeyError(error);
      resolver = await this.#refresh(undefined);
      return find(resolver, header).catch((e: unknown) => {
        throw mapKeyError(e);
      });
    }
  };

  /**
   * Fetches the keys now unless they are given or already held: a proxy calls it at start-up
   * so that the first connection does not wait for the issuer, and an outage shows in the
   * log at once. Resolves to the refusal every lookup gets until a fetch succeeds, if any.
   */
  async prefetch(): Promise<AttestRefusal | undefined> {
    if (this.#resolver !== undefined) return undefined;
    try {
      await this.#refresh(undefined);
      return undefined;
    } catch (error) {
      if (error instanceof AttestRefusal) return error;
      throw error;
    }
  }

  /** Fetches again; a failure keeps a previous set when there is one (`fallback`). */
  #refresh(fallback: Resolver | undefined): Promise<Resolver> {
    const failed = this.#failed;
    if (
      fallback === undefined &&
      failed !== undefined &&
      this.#now() - failed.at < (this.#options.failureBackoffMs ?? 5_000)
    ) {
      return Promise.reject(refuse('attestation-keys-unavailable', failed.detail));
    }
    this.#inflight ??= this.#fetch()
      .then((resolver) => {
        this.#resolver = resolver;
        this.#fetchedAt = this.#now();
        this.#failed = undefined;
        return resolver;
      })
      .catch((error: unknown) => {
        if (fallback !== undefined) return fallback;
        const detail = error instanceof Error ? error.message : 'error';
        this.#failed = { at: this.#now(), detail };
        throw refuse('attestation-keys-unavailable', detail);
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  async #fetch(): Promise<Resolver> {
    const { issuer } = this.#options;
    const discoveryUrl =
      this.#options.discoveryUrl ?? `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const limits = {
      timeoutMs: this.#options.fetchTimeoutMs ?? 5_000,
      maxBytes: MAX_DOCUMENT_BYTES,
    };
    const discovery = await fetchJsonObject(discoveryUrl, limits).catch((e: unknown) => {
      throw new Error(`discovery document ${discoveryUrl}: ${(e as Error).message}`);
    });
    if (discovery.issuer !== issuer) {
      throw new Error(`discovery document ${discoveryUrl} names another issuer`);
    }
    const jwksUri = discovery.jwks_uri;
    if (typeof jwksUri !== 'string' || !isAllowedKeyUrl(jwksUri)) {
      throw new Error(`discovery document ${discoveryUrl}: jwks_uri is not an https URL`);
    }
    const jwks = await fetchJsonObject(jwksUri, limits).catch((e: unknown) => {
      throw new Error(`JWKS ${jwksUri}: ${(e as Error).message}`);
    });
    return createLocalJWKSet(readJwks(jwks, `JWKS ${jwksUri}`));
  }
}

async function find(
  resolver: Resolver | undefined,
  header: JWSHeaderParameters,
): Promise<CryptoKey> {
  if (resolver === undefined) throw refuse('attestation-keys-unavailable', 'no JWKS');
  return resolver(header);
}

function mapKeyError(error: unknown): Error {
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refuse('attestation-invalid-signature', 'no issuer key matches the token kid');
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return refuse('attestation-invalid-signature', 'several issuer keys match the token kid');
  }
  return error instanceof Error ? error : new Error(String(error));
}
