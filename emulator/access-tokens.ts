// Opaque OAuth access tokens minted by the emulator's STS and IAM credentials services and
// resolved by every API that takes `Authorization: Bearer`.
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

/** In-memory registry of access tokens; `now` is injectable so tests can expire tokens. */
export class AccessTokenRegistry {
  readonly #tokens = new Map<string, { principal: Principal; expiresAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  issue(principal: Principal, lifetimeSeconds: number): IssuedToken {
    // `ya29.` like Google's, so clients that sniff the prefix behave as in production.
    const token = `ya29.emu-${randomBytes(24).toString('base64url')}`;
    const expiresAt = this.#now() + lifetimeSeconds * 1000;
    this.#tokens.set(token, { principal, expiresAt });
    return { token, expiresAt };
  }

  /** Resolves the `Authorization` header value (`Bearer …`) or a bare token. */
  resolve(authorization: string | undefined): Resolution {
    if (authorization === undefined) return { status: 'unknown' };
    const token = authorization.replace(/^Bearer\s+/i, '').trim();
    const entry = this.#tokens.get(token);
    if (entry === undefined) return { status: 'unknown' };
    if (entry.expiresAt <= this.#now()) return { status: 'expired' };
    return { status: 'valid', principal: entry.principal };
  }

  /** Marks every token issued so far as expired (fault injection: "expired token"), except `keep` (the admin token). */
  expireAll(keep: readonly string[] = []): void {
    for (const [token, entry] of this.#tokens) if (!keep.includes(token)) entry.expiresAt = 0;
  }
}
