// The attestation issuer's RS256 signing key, generated fresh at every start (never stored),
// with its JWK (for the JWKS) and an x5c chain for PKI-type tokens shaped like Google's:
// leaf, intermediate, root (the root is also served as the PKI root, see issuer-service.ts).
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
const EC = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Public JWK with `kid`, `alg`, `use`. */
  readonly jwk: Readonly<Record<string, string>>;
  /** Base64 DER certificates: the signing key's certificate, an intermediate, the test root. */
  readonly x5c: readonly string[];
  /** The test root as PEM (what `/.well-known/confidential_space_root.crt` serves). */
  readonly rootPem: string;
}

// Generates a 2048-bit RSA key, its kid (SHA-256 of the SPKI, hex, 40 chars like Google's).
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const kid = createHash('sha256').update(spki).digest('hex').slice(0, 40);
  const { n, e } = publicKey.export({ format: 'jwk' });
  const jwk = { kty: 'RSA', alg: 'RS256', use: 'sig', kid, n: n ?? '', e: e ?? '' };
  const { x5c, rootPem } = await certificateChain(publicKey);
  return { kid, privateKey, publicKey, jwk, x5c, rootPem };
}

/** A key that is not the issuer's (for wrong-signature tests), under the same kid. */
export async function createForeignKey(kid: string): Promise<SigningKey> {
  const key = await createSigningKey();
  return { ...key, kid, jwk: { ...key.jwk, kid } };
}

async function certificateChain(publicKey: KeyObject): Promise<{ x5c: string[]; rootPem: string }> {
  const root = await createCa('Confidential Space emulator test root');
  const intermediate = await createIntermediate(root);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const leafKey = await webcrypto.subtle.importKey('spki', spki, RSA, true, ['verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: createHash('sha256').update(spki).digest('hex').slice(0, 16),
    subject: 'CN=Confidential Space emulator token signer',
    issuer: intermediate.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 30 * DAY),
    signingAlgorithm: EC,
    publicKey: leafKey,
    signingKey: intermediate.keys.privateKey,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const der = (c: x509.X509Certificate): string => Buffer.from(c.rawData).toString('base64');
  return {
    x5c: [der(leaf), der(intermediate.certificate), der(root.certificate)],
    rootPem: root.cert,
  };
}

/** The intermediate CA between the root and the signing key, as in Google's chain. */
async function createIntermediate(
  root: Awaited<ReturnType<typeof createCa>>,
): Promise<{ certificate: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: createHash('sha256').update(root.name).digest('hex').slice(0, 16),
    subject: 'CN=Confidential Space emulator test intermediate',
    issuer: root.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 180 * DAY),
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: root.signer.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  return { certificate, keys };
}

// Rebuilds a KeyObject from a JWK (used when verifying against a fetched JWKS).
export function publicKeyFromJwk(jwk: Readonly<Record<string, string>>): KeyObject {
  return createPublicKey({ key: { kty: 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' }, format: 'jwk' });
}
