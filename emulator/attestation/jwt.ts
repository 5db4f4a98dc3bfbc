// Compact JWS (JWT) encoding, decoding and RS256 verification, as used for attestation
// tokens: the emulator signs them and its STS verifies them against the issuer's JWKS.
import { createSign, createVerify, type KeyObject } from 'node:crypto';

export type JsonObject = Record<string, unknown>;

/** The three parts of a compact JWS, decoded. */
export interface DecodedJwt {
  readonly header: JsonObject;
  readonly payload: JsonObject;
  /** `base64url(header) + "." + base64url(payload)`: the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

// Signs `payload` with RS256 under `header` (which must carry `alg` and `kid`).
export function signJwt(header: JsonObject, payload: JsonObject, key: KeyObject): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

// Splits and JSON-decodes a compact JWS without checking anything; undefined when malformed.
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  if (![h, p, s].every((x) => /^[A-Za-z0-9_-]*$/.test(x))) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

// True when the RS256 signature of `jwt` verifies under `publicKey`.
export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  return createVerify('RSA-SHA256').update(jwt.signingInput).verify(publicKey, jwt.signature);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
