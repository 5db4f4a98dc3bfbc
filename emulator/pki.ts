// Fresh test PKI for the emulator, the demo and the tests: a CA and leaf certificates
// generated in memory on every run (no key is ever committed). ECDSA P-256 by default.
import { webcrypto, createHash, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// The library types its provider with the DOM `Crypto`; Node's webcrypto is that object.
x509.cryptoProvider.set(webcrypto);

type KeyPair = webcrypto.CryptoKeyPair;

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

export interface Pem {
  /** Certificate PEM. */
  readonly cert: string;
  /** PKCS#8 private key PEM. */
  readonly key: string;
}

export interface IssuedCa extends Pem {
  readonly name: string;
  readonly signer: KeyPair;
  readonly certificate: x509.X509Certificate;
}

export interface LeafOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  readonly uris?: readonly string[];
  readonly usage?: 'server' | 'client' | 'both' | 'none';
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

let serial = Date.now();
function nextSerial(): string {
  serial += 1;
  return serial.toString(16).padStart(16, '0');
}

async function exportKey(keys: KeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

function generate(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

/** A self-signed CA valid from yesterday for a year (or the given window). */
export async function createCa(
  commonName = 'teeinit test CA',
  window: { notBefore?: Date; notAfter?: Date } = {},
): Promise<IssuedCa> {
  const keys = await generate();
  const name = `CN=${commonName}`;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name,
    notBefore: window.notBefore ?? new Date(Date.now() - DAY),
    notAfter: window.notAfter ?? new Date(Date.now() + 365 * DAY),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    name,
    signer: keys,
    certificate,
    cert: certificate.toString('pem') + '\n',
    key: await exportKey(keys),
  };
}

/** A leaf certificate signed by `ca`, with SANs and extended key usage. */
export async function issueCert(ca: IssuedCa, options: LeafOptions): Promise<Pem> {
  const keys = await generate();
  const usage = options.usage ?? 'both';
  const eku =
    usage === 'server'
      ? [x509.ExtendedKeyUsage.serverAuth]
      : usage === 'client'
        ? [x509.ExtendedKeyUsage.clientAuth]
        : usage === 'both'
          ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
          : [];
  const sans: x509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(options.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
      true,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (eku.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(eku, false));
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${options.commonName}`,
    issuer: ca.certificate.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY),
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: ca.signer.privateKey,
    extensions,
  });
  return { cert: cert.toString('pem') + '\n', key: await exportKey(keys) };
}

/** Base64 SHA-256 of a certificate's SubjectPublicKeyInfo (what SPKI pins hold). */
export function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
