// Verification of the STS subject token (an attestation JWT): header (`kid`, RS256),
// issuer, signature against the issuer's JWKS, time window (iat past, exp future, lifetime
// at most 48 h) and audience against the provider's allowed audiences.
import { publicKeyFromJwk } from '../attestation/signing-key.js';
import { decodeJwt, verifyRs256, type JsonObject } from '../attestation/jwt.js';
import { invalidGrant, MESSAGES } from './oauth-error.js';

export const MAX_LIFETIME_SECONDS = 48 * 3600;

export interface VerifyInput {
  readonly token: string;
  /** Issuer the provider trusts (trailing slash ignored). */
  readonly issuer: string;
  readonly jwks: { readonly keys: readonly Readonly<Record<string, string>>[] };
  readonly allowedAudiences: readonly string[];
  readonly nowSeconds: number;
  /** Fault injection: behave as if the token had expired. */
  readonly forceExpired?: boolean;
}

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

// Returns the verified claims or throws StsError (invalid_grant) naming what failed.
export function verifySubjectToken(input: VerifyInput): JsonObject {
  const jwt = decodeJwt(input.token);
  if (jwt === undefined) throw invalidGrant('Unable to parse the ID Token.');
  const { header, payload } = jwt;
  if (header.alg !== 'RS256') {
    throw invalidGrant(`The ID Token must be signed with RS256, got [${String(header.alg)}].`);
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw invalidGrant('The ID Token header must contain a "kid".');
  }
  const iss = typeof payload.iss === 'string' ? payload.iss : '';
  if (trimSlash(iss) !== trimSlash(input.issuer)) {
    throw invalidGrant(
      `The issuer in ID Token [${iss}] does not match the expected ones: [${input.issuer}].`,
    );
  }
  const jwk = input.jwks.keys.find((k) => k.kid === header.kid);
  if (jwk === undefined) {
    throw invalidGrant(`The ID Token's kid [${header.kid}] is not in the issuer's JWKS.`);
  }
  if (!verifyRs256(jwt, publicKeyFromJwk(jwk))) throw invalidGrant('Invalid ID Token signature.');
  checkTimes(payload, input.nowSeconds, input.forceExpired === true);
  checkAudience(payload.aud, input.allowedAudiences);
  return payload;
}

function checkTimes(payload: JsonObject, now: number, forceExpired: boolean): void {
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number') {
    throw invalidGrant('The ID Token must contain numeric "iat" and "exp" claims.');
  }
  if (iat > now) throw invalidGrant(`ID Token issued at ${iat} is in the future (now ${now}).`);
  if (exp <= now || forceExpired) throw invalidGrant(`ID Token expired at ${exp} (now ${now}).`);
  if (exp - iat > MAX_LIFETIME_SECONDS) {
    throw invalidGrant(
      `ID Token lifetime of ${exp - iat} seconds exceeds the maximum of ${MAX_LIFETIME_SECONDS} seconds.`,
    );
  }
}

function checkAudience(aud: unknown, allowed: readonly string[]): void {
  const list = Array.isArray(aud)
    ? aud.filter((a): a is string => typeof a === 'string')
    : typeof aud === 'string'
      ? [aud]
      : [];
  if (list.some((a) => allowed.includes(a))) return;
  throw invalidGrant(MESSAGES.audienceMismatch(list.join(', ')));
}
