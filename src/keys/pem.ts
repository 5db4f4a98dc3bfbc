// PEM parsing for certificate bundles and private keys. Errors name the bundle and the
// secret, never PEM content (a key's PEM is the secret itself).
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { TeeinitError } from '../errors/index.js';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Where a PEM came from, for messages: bundle name, role and secret name. */
export interface PemSource {
  readonly bundle: string;
  readonly role: 'cert' | 'key' | 'ca';
  readonly secret: string;
}

function invalid(src: PemSource, why: string, cause?: unknown): TeeinitError {
  return new TeeinitError(
    'TEEINIT_CERT_INVALID',
    `tls.${src.bundle}.${src.role}: secret "${src.secret}" ${why}.`,
    { fields: { bundle: src.bundle, secret: src.secret }, cause },
  );
}

/** Why: a cert secret may hold a chain (leaf first) and a CA secret a bundle of roots. */
export function parseCertificates(src: PemSource, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('utf8').match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw invalid(src, 'holds no PEM certificate');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      // The parser's message quotes no input bytes, but keep ours to the position only.
      throw invalid(src, `holds a certificate (#${i + 1}) that cannot be parsed`, error);
    }
  });
}

/** Why: the key must parse before it is compared with the certificate or handed to TLS. */
export function parsePrivateKey(src: PemSource, pem: Buffer): KeyObject {
  const text = pem.toString('utf8');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw invalid(src, 'holds no PEM private key');
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw invalid(
      src,
      'holds an encrypted private key; store it unencrypted (it only lives in the TEE)',
    );
  }
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch {
    // No cause: OpenSSL's error can carry decoder context we do not want in a log line.
    throw invalid(src, 'holds a private key that cannot be parsed');
  }
}
