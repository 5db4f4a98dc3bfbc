// Reads the `exp` claim of the attestation token without verifying it: teeinit is the
// token's subject, not its verifier (STS verifies it), but an expired token is worth a
// clear error of our own before a round-trip to Google.
import { TeeinitError } from '../errors/index.js';

/** What teeinit reads from the token: enough to reject an expired one and log its expiry. */
export interface TokenTimes {
  /** Seconds since the epoch, or undefined when the token carries no `exp`. */
  readonly exp?: number;
  readonly iat?: number;
}

/** Decodes the payload's time claims of a compact JWT (no signature check). */
export function decodeTokenTimes(token: string, origin: string): TokenTimes {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The attestation token from ${origin} is not a compact JWT (expected three dot-separated parts).`,
      { fields: { origin } },
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch (error) {
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The attestation token from ${origin} has a payload that is not JSON.`,
      { cause: error, fields: { origin } },
    );
  }
  if (payload === null || typeof payload !== 'object') {
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The attestation token from ${origin} has a payload that is not a JSON object.`,
      { fields: { origin } },
    );
  }
  const claims = payload as Record<string, unknown>;
  const times: { exp?: number; iat?: number } = {};
  if (typeof claims.exp === 'number') times.exp = claims.exp;
  if (typeof claims.iat === 'number') times.iat = claims.iat;
  return times;
}

/** Throws TEEINIT_TOKEN_EXPIRED when `exp` is in the past; returns the decoded times. */
export function assertTokenFresh(token: string, origin: string, now = Date.now()): TokenTimes {
  const times = decodeTokenTimes(token, origin);
  if (times.exp !== undefined && times.exp * 1000 <= now) {
    const expired = new Date(times.exp * 1000).toISOString();
    throw new TeeinitError(
      'TEEINIT_TOKEN_EXPIRED',
      `The attestation token from ${origin} expired at ${expired}.`,
      { fields: { origin, exp: times.exp } },
    );
  }
  return times;
}

/** The payload of a compact JWT as an object, or undefined when it is not one (no errors). */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1].length === 0) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
