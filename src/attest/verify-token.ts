// Verifies a Confidential Space attestation token with jose: the signature (OIDC: the
// issuer's JWKS; PKI: the `x5c` chain to the pinned root), then `exp`, `nbf` and `iat`
// within the policy's skew. Claim checks against the policy are policy.ts.
import { X509Certificate } from 'node:crypto';
import {
  decodeProtectedHeader,
  errors,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import type { AttestPolicy, AttestTokenType } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Claims } from './claims.js';
import { GOOGLE_ROOT_PEM } from './google-root.js';
import { OidcKeys, readJwksFile } from './oidc-keys.js';
import { readRootFile, verifyChain } from './pki-chain.js';
import { AttestRefusal, refuse } from './reasons.js';

/** Verified tokens remembered per verifier (oldest dropped first). */
const MAX_CACHED = 512;

/** A token whose signature and times checked out. */
export interface VerifiedToken {
  readonly claims: Claims;
  readonly tokenType: AttestTokenType;
}

export interface TokenVerifierOptions {
  /** The issuer's JWKS (e.g. `--jwks FILE`); default: `oidc.jwksFile`, else discovery. */
  readonly jwks?: JSONWebKeySet;
  /** The PKI root (e.g. `--root FILE`); default: `pki.rootFile`, else Google's root. */
  readonly root?: X509Certificate;
  readonly fetchTimeoutMs?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
}

/** Why an object: the JWKS cache lives as long as the verifier (one per proxy). */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
  /** OIDC with discovery: fetch the issuer's keys now; the refusal lookups get meanwhile. */
  prefetchKeys(): Promise<AttestRefusal | undefined>;
}

// Builds a verifier for `policy`'s issuer, keys and skew.
export function createTokenVerifier(
  policy: AttestPolicy,
  options: TokenVerifierOptions = {},
): TokenVerifier {
  const now = options.now ?? Date.now;
  const root = options.root ?? policyRoot(policy);
  const jwks = options.jwks ?? policyJwks(policy);
  const oidc = new OidcKeys({
    issuer: policy.issuer,
    ...(policy.oidc.discoveryUrl === undefined ? {} : { discoveryUrl: policy.oidc.discoveryUrl }),
    ...(jwks === undefined ? {} : { jwks }),
    ...(options.fetchTimeoutMs === undefined ? {} : { fetchTimeoutMs: options.fetchTimeoutMs }),
    now,
  });
  const skewSeconds = Math.ceil(policy.clockSkew / 1000);
  // A peer presents the same token on every connection until it refreshes it: its signature,
  // chain and nbf/iat are checked once; `exp` (all that time can change) on every use.
  const verified = new Map<string, VerifiedToken & { readonly exp: number }>();

  return {
    async verify(token: string): Promise<VerifiedToken> {
      const hit = verified.get(token);
      if (hit !== undefined) {
        if (now() / 1000 > hit.exp + skewSeconds) {
          verified.delete(token);
          throw refuse('attestation-expired', 'the token has expired (exp)');
        }
        return hit;
      }
      const result = await verifyOnce(token, { policy, root, oidc, now, skewSeconds });
      if (verified.size >= MAX_CACHED) verified.delete(verified.keys().next().value ?? '');
      verified.set(token, { ...result, exp: result.claims.exp as number });
      return result;
    },
    prefetchKeys(): Promise<AttestRefusal | undefined> {
      return policy.tokenTypes.includes('OIDC') ? oidc.prefetch() : Promise.resolve(undefined);
    },
  };
}

interface VerifyContext {
  readonly policy: AttestPolicy;
  readonly root: X509Certificate;
  readonly oidc: OidcKeys;
  readonly now: () => number;
  readonly skewSeconds: number;
}

/** The full check of a token not seen before: header, key, signature, times. */
async function verifyOnce(token: string, ctx: VerifyContext): Promise<VerifiedToken> {
  const { policy, root, oidc, now, skewSeconds } = ctx;
  let header: JWSHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw refuse('attestation-malformed', 'the token is not a JWS');
  }
  if (header.alg !== 'RS256') {
    throw refuse('attestation-invalid-signature', 'the token is not signed with RS256');
  }
  const tokenType: AttestTokenType = header.x5c === undefined ? 'OIDC' : 'PKI';
  if (!policy.tokenTypes.includes(tokenType)) {
    throw refuse('attestation-policy', `token type ${tokenType} is not accepted`);
  }
  const key =
    tokenType === 'PKI'
      ? await pkiKey(header.x5c, root, now(), policy.clockSkew)
      : await oidc.lookup(header);
  let claims: Claims;
  try {
    const verified = await jwtVerify(token, key, {
      algorithms: ['RS256'],
      clockTolerance: skewSeconds,
      currentDate: new Date(now()),
      requiredClaims: ['iss', 'aud', 'exp', 'iat'],
    });
    claims = verified.payload;
  } catch (error) {
    throw mapJoseError(error);
  }
  const iat = claims.iat as number;
  if (iat > now() / 1000 + skewSeconds) {
    throw refuse('attestation-not-yet-valid', 'the token was issued in the future (iat)');
  }
  return { claims, tokenType };
}

/** `pki.rootFile`, else Google's root; an unreadable file is TEEINIT_ATTEST_INPUT. */
function policyRoot(policy: AttestPolicy): X509Certificate {
  const path = policy.pki.rootFile;
  if (path === undefined) return new X509Certificate(GOOGLE_ROOT_PEM);
  return inputFile(path, () => readRootFile(path));
}

/** `oidc.jwksFile` when set (offline), else undefined (discovery). */
function policyJwks(policy: AttestPolicy): JSONWebKeySet | undefined {
  const path = policy.oidc.jwksFile;
  return path === undefined ? undefined : inputFile(path, () => readJwksFile(path));
}

function inputFile<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new TeeinitError('TEEINIT_ATTEST_INPUT', `${message} (${path}).`, {
      cause,
      fields: { path },
    });
  }
}

async function pkiKey(
  x5c: unknown,
  root: X509Certificate,
  nowMs: number,
  skewMs: number,
): Promise<CryptoKey> {
  const leaf = verifyChain(x5c, root, nowMs, skewMs);
  const pem = leaf.export({ type: 'spki', format: 'pem' }).toString();
  return importSPKI(pem, 'RS256');
}

function mapJoseError(error: unknown): AttestRefusal {
  if (error instanceof AttestRefusal) return error;
  if (error instanceof errors.JWTExpired)
    return refuse('attestation-expired', 'the token has expired (exp)');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if ((error.claim === 'nbf' || error.claim === 'iat') && error.reason === 'check_failed') {
      return refuse('attestation-not-yet-valid', `the token is not valid yet (${error.claim})`);
    }
    return refuse('attestation-malformed', `claim ${error.claim} is missing or of the wrong type`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse('attestation-invalid-signature', 'the token signature does not verify');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return refuse('attestation-invalid-signature', 'the token is not signed with RS256');
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
    return refuse('attestation-malformed', 'the token is not a valid JWT');
  }
  return refuse('attestation-invalid-signature', 'the token cannot be verified');
}
