// Opaque OAuth access tokens minted by the emulator's STS and IAM credentials services and
// resolved by every API that takes `Authorization: Bearer`. Each token remembers the
// attestation token it descends from (its `exp`), so the emulator can count requests that
// carried a token that was dead, or alive only because Google does not tie it to the
// attestation it came from (an impersonated token outlives its attestation token).
import { randomBytes } from 'node:crypto';
import type { Principal } from './model.js';

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export type Resolution =
  | { readonly status: 'valid'; readonly principal: Principal }
  | { readonly status: 'expired' }
  | { readonly status: 'unknown' };

/** How a token is issued beyond its principal and lifetime. */
export interface IssueOptions {
  /** End of validity (ms) instead of now + lifetime. */
  readonly expiresAt?: number;
  /** `exp` (ms) of the attestation token the credential descends from. */
  readonly attestationExp?: number;
}

/**
 * What the emulator saw of dead credentials. A workload that never uses a token past its
 * end keeps every count at 0. Injected faults (`expiredToken: true`) are not counted.
 */
export interface TokenUseStats {
  /** Requests (Secret Manager, IAM credentials) whose access token had expired: 401. */
  readonly expiredAccessTokens: number;
  /** Accepted requests whose token descends from an attestation token past its `exp`. */
  readonly pastAttestationExpiry: number;
  /** STS exchanges whose subject token had expired (`invalid_grant`). */
  readonly expiredSubjectTokens: number;
}

interface Entry {
  readonly principal: Principal;
  expiresAt: number;
  readonly attestationExp?: number;
}

/** In-memory registry of access tokens; `now` is injectable so tests can expire tokens. */
export class AccessTokenRegistry {
  readonly #tokens = new Map<string, Entry>();
  readonly #now: () => number;
  #stats = { expiredAccessTokens: 0, pastAttestationExpiry: 0, expiredSubjectTokens: 0 };

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  issue(principal: Principal, lifetimeSeconds: number, options: IssueOptions = {}): IssuedToken {
    // `ya29.` like Google's, so clients that sniff the prefix behave as in production.
    const token = `ya29.emu-${randomBytes(24).toString('base64url')}`;
    const expiresAt = options.expiresAt ?? this.#now() + lifetimeSeconds * 1000;
    this.#tokens.set(token, {
      principal,
      expiresAt,
      ...(options.attestationExp === undefined ? {} : { attestationExp: options.attestationExp }),
    });
    return { token, expiresAt };
  }

  /** Resolves the `Authorization` header value (`Bearer …`) or a bare token; counts dead uses. */
  resolve(authorization: string | undefined): Resolution {
    const entry = this.#entry(authorization);
    if (entry === undefined) return { status: 'unknown' };
    const now = this.#now();
    if (entry.expiresAt <= now) {
      this.#stats.expiredAccessTokens += 1;
      return { status: 'expired' };
    }
    if (entry.attestationExp !== undefined && entry.attestationExp <= now) {
      this.#stats.pastAttestationExpiry += 1;
    }
    return { status: 'valid', principal: entry.principal };
  }

  /** `exp` (ms) of the attestation token behind a bearer token, for the tokens minted from it. */
  attestationExpiry(authorization: string | undefined): number | undefined {
    return this.#entry(authorization)?.attestationExp;
  }

  /** Why: the STS reports an exchange with an expired subject token here. */
  countExpiredSubjectToken(): void {
    this.#stats.expiredSubjectTokens += 1;
  }

  /** The counts so far (`GET /admin/tokens`). */
  stats(): TokenUseStats {
    return { ...this.#stats };
  }

  /** Marks every token issued so far as expired (fault injection: "expired token"), except `keep` (the admin token). */
  expireAll(keep: readonly string[] = []): void {
    for (const [token, entry] of this.#tokens) if (!keep.includes(token)) entry.expiresAt = 0;
  }

  #entry(authorization: string | undefined): Entry | undefined {
    if (authorization === undefined) return undefined;
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    return this.#tokens.get(token);
  }
}
