// The emulated attestation verifier: holds the signing key and the current claim settings,
// mints default and custom tokens, and tells listeners (the token file) when claims change.
import { buildClaims, deepMerge, presetSettings, STS_AUDIENCE } from './claims.js';
import type { ClaimSettings, PresetName } from './claims.js';
import { signJwt, type JsonObject } from './jwt.js';
import { createForeignKey, type SigningKey } from './signing-key.js';

const MAX_REMEMBERED = 1000;

export type TokenType = 'OIDC' | 'PKI' | 'LIMITED_AWS' | 'AWS_PRINCIPALTAGS';

/** Everything a test may choose about one token. */
export interface MintOptions {
  /** Settings for this token only, over the current ones. */
  readonly settings?: Partial<ClaimSettings>;
  /** Raw claims deep-merged last (e.g. `{ exp: 1 }` or `{ submods: { gce: {...} } }`). */
  readonly claims?: JsonObject;
  readonly audience?: string;
  readonly nonces?: readonly string[];
  /** Seconds since the epoch; default now. */
  readonly iat?: number;
  readonly nbf?: number;
  readonly exp?: number;
  readonly lifetimeSeconds?: number;
  readonly tokenType?: TokenType;
  /** Header fields over `{alg:'RS256', kid, typ:'JWT'}`; `null` removes a field. */
  readonly header?: Readonly<Record<string, unknown>>;
  /** `foreign`: sign with a key that is not in the JWKS (same kid): a wrong signature. */
  readonly signWith?: 'issuer' | 'foreign';
}

export interface AuthorityOptions {
  readonly key: SigningKey;
  readonly now: () => number;
  readonly lifetimeSeconds: number;
  readonly settings: ClaimSettings;
}

/** The token issuer all emulator parts share (token file, teeserver, issuer, admin). */
export class AttestationAuthority {
  readonly #key: SigningKey;
  readonly #now: () => number;
  readonly lifetimeSeconds: number;
  #settings: ClaimSettings;
  #foreign: SigningKey | undefined;
  readonly #listeners = new Set<() => void>();
  /** The latest tokens minted, oldest first: tests search outputs for them (leak scans). */
  readonly #minted: string[] = [];

  constructor(options: AuthorityOptions) {
    this.#key = options.key;
    this.#now = options.now;
    this.lifetimeSeconds = options.lifetimeSeconds;
    this.#settings = options.settings;
  }

  get kid(): string {
    return this.#key.kid;
  }

  get settings(): ClaimSettings {
    return this.#settings;
  }

  /** The root of the `x5c` chain of PKI tokens (PEM). */
  get rootPem(): string {
    return this.#key.rootPem;
  }

  /** The issuer's public keys, as served at the `jwks_uri`. */
  jwks(): { keys: Readonly<Record<string, string>>[] } {
    return { keys: [this.#key.jwk] };
  }

  /** Changes some settings; the token file is rewritten at once. */
  setClaims(partial: Partial<ClaimSettings>): void {
    this.#settings = { ...this.#settings, ...partial };
    this.#notify();
  }

  /** Resets the settings to a preset (`production`, `debug`, `tampered`, ...). */
  usePreset(name: PresetName, overrides: Partial<ClaimSettings> = {}): void {
    this.#settings = { ...presetSettings(name), ...overrides };
    this.#notify();
  }

  /** Called after every settings change. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The default token: audience `https://sts.googleapis.com`, current settings. */
  mintDefault(): string {
    return this.mint({});
  }

  /** A token with chosen claims, times, header or key (see MintOptions). */
  mint(options: MintOptions): string {
    const settings = { ...this.#settings, ...(options.settings ?? {}) };
    const iat = options.iat ?? Math.floor(this.#now() / 1000);
    const lifetime = options.lifetimeSeconds ?? this.lifetimeSeconds;
    const base = buildClaims(settings, {
      iat,
      nbf: options.nbf ?? iat,
      exp: options.exp ?? iat + lifetime,
      aud: options.audience ?? STS_AUDIENCE,
      ...(options.nonces === undefined ? {} : { nonces: options.nonces }),
    });
    const claims = options.claims === undefined ? base : deepMerge(base, options.claims);
    const key = options.signWith === 'foreign' ? this.#foreignKey() : this.#key;
    let header: JsonObject = { alg: 'RS256', kid: this.#key.kid, typ: 'JWT' };
    if (options.tokenType === 'PKI') header.x5c = [...this.#key.x5c];
    header = { ...header, ...(options.header ?? {}) };
    for (const [k, v] of Object.entries(header)) if (v === null) delete header[k];
    const token = signJwt(header, claims, key.privateKey);
    this.#minted.push(token);
    if (this.#minted.length > MAX_REMEMBERED) this.#minted.shift();
    return token;
  }

  /** The last tokens minted (default, custom and test tokens), at most 1000. */
  mintedTokens(): readonly string[] {
    return [...this.#minted];
  }

  /** Prepares the key used by `signWith: 'foreign'` (minting stays synchronous). */
  async prepareForeignKey(): Promise<void> {
    this.#foreign ??= await createForeignKey(this.#key.kid);
  }

  #foreignKey(): SigningKey {
    if (this.#foreign === undefined) {
      throw new Error('call prepareForeignKey() before minting with signWith: "foreign"');
    }
    return this.#foreign;
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
