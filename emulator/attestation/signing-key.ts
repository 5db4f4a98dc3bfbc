// The attestation issuer's RS256 signing key, generated fresh at every start (never stored),
// with its JWK (for the JWKS) and an x5c chain (leaf + test root) for PKI-type tokens.
import {
  createHash,
  createPublicKey,
  generateKeyPair,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import { createCa } from '../pki.js';

const generateKeyPairAsync = promisify(generateKeyPair);
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Public JWK with `kid`, `alg`, `use`. */
  readonly jwk: Readonly<Record<string, string>>;
  /** Base64 DER certificates: the signing key's certificate, then the test root. */
  readonly x5c: readonly string[];
}

// Generates a 2048-bit RSA key, its kid (SHA-256 of the SPKI, hex, 40 chars like Google's).
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const kid = createHash('sha256').update(spki).digest('hex').slice(0, 40);
  const { n, e } = publicKey.export({ format: 'jwk' });
  const jwk = { kty: 'RSA', alg: 'RS256', use: 'sig', kid, n: n ?? '', e: e ?? '' };
  const x5c = await certificateChain(publicKey);
  return { kid, privateKey, publicKey, jwk, x5c };
}

/** A key that is not the issuer's (for wrong-signature tests), under the same kid. */
export async function createForeignKey(kid: string): Promise<SigningKey> {
  const key = await createSigningKey();
  return { ...key, kid, jwk: { ...key.jwk, kid } };
}

async function certificateChain(publicKey: KeyObject): Promise<string[]> {
  const root = await createCa('Confidential Space emulator test root');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const leafKey = await webcrypto.subtle.importKey('spki', spki, RSA, true, ['verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: createHash('sha256').update(spki).digest('hex').slice(0, 16),
    subject: 'CN=Confidential Space emulator token signer',
    issuer: root.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    publicKey: leafKey,
    signingKey: root.signer.privateKey,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const der = (c: x509.X509Certificate): string => Buffer.from(c.rawData).toString('base64');
  return [der(leaf), der(root.certificate)];
}

// Rebuilds a KeyObject from a JWK (used when verifying against a fetched JWKS).
export function publicKeyFromJwk(jwk: Readonly<Record<string, string>>): KeyObject {
  return createPublicKey({ key: { kty: 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' }, format: 'jwk' });
}
