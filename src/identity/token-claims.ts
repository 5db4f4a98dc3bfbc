// The claims of the attestation token an exchange presented, kept beside a refusal so the
// refresh loop can name the likely cause (an image that aged out of STABLE support, a
// digest the provider does not admit). Claims are not secret; the token is, and is never
// kept here: only these few decoded, bounded, printable values.
import { decodeJwtPayload } from './jwt-expiry.js';

/** The claims a provider's attribute condition usually tests. */
export interface TokenClaims {
  /** `submods.container.image_digest`. */
  readonly imageDigest?: string;
  /** `submods.confidential_space.support_attributes` (absent on a debug image). */
  readonly supportAttributes?: readonly string[];
  /** `dbgstat`, e.g. `disabled-since-boot`. */
  readonly dbgstat?: string;
  /** `swname`, e.g. `CONFIDENTIAL_SPACE`. */
  readonly swname?: string;
}

const CLAIMS = new WeakMap<object, TokenClaims>();

/** Why: the refusal carries the claims it refused, without a new error class. */
export function withTokenClaims<E extends Error>(error: E, claims: TokenClaims | undefined): E {
  if (claims !== undefined) CLAIMS.set(error, claims);
  return error;
}

/** The claims of the token a refused exchange presented, if known. */
export function tokenClaimsOf(error: unknown): TokenClaims | undefined {
  return typeof error === 'object' && error !== null ? CLAIMS.get(error) : undefined;
}

/** Decodes the few claims above from a compact JWT (no signature check); undefined if unreadable. */
export function readTokenClaims(token: string): TokenClaims | undefined {
  const payload = decodeJwtPayload(token);
  if (payload === undefined) return undefined;
  const at = (...path: string[]): unknown => {
    let v: unknown = payload;
    for (const key of path) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
      v = (v as Record<string, unknown>)[key];
    }
    return v;
  };
  const text = (v: unknown): string | undefined =>
    typeof v === 'string' ? printable(v) : undefined;
  const support = at('submods', 'confidential_space', 'support_attributes');
  const claims: {
    imageDigest?: string;
    supportAttributes?: string[];
    dbgstat?: string;
    swname?: string;
  } = {};
  const digest = text(at('submods', 'container', 'image_digest'));
  if (digest !== undefined) claims.imageDigest = digest;
  if (Array.isArray(support)) {
    claims.supportAttributes = support
      .filter((s): s is string => typeof s === 'string')
      .slice(0, 16)
      .map(printable);
  }
  const dbgstat = text(at('dbgstat'));
  if (dbgstat !== undefined) claims.dbgstat = dbgstat;
  const swname = text(at('swname'));
  if (swname !== undefined) claims.swname = swname;
  return claims;
}

function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 97)}...` : clean;
}
