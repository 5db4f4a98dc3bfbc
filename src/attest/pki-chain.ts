// The `x5c` chain of a PKI-type token: leaf first, each certificate issued and signed by the
// next, every one valid now, ending in the pinned root (appended when the token leaves it
// out). Any failure is `attestation-invalid-signature`: the token's key is not vouched for.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFileBoundedSync } from '../config/read-bounded.js';
import { refuse } from './reasons.js';

const MAX_CHAIN = 5;
/** A root certificate is a few KiB of PEM; the bound keeps a device or a pipe out. */
const MAX_ROOT_FILE_BYTES = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

// Checks the chain at `nowMs` (± skewMs) and returns the leaf's public key.
export function verifyChain(
  x5c: unknown,
  root: X509Certificate,
  nowMs: number,
  skewMs: number,
): KeyObject {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_CHAIN) {
    throw refuse('attestation-invalid-signature', `x5c must list 1 to ${MAX_CHAIN} certificates`);
  }
  const certs = x5c.map((entry, i) => parseCertificate(entry, i));
  const last = certs.at(-1);
  const chain = last !== undefined && last.raw.equals(root.raw) ? certs : [...certs, root];
  for (const [i, cert] of chain.entries()) {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (!(from - skewMs <= nowMs && nowMs <= to + skewMs)) {
      throw refuse('attestation-invalid-signature', `x5c certificate ${i} is not valid now`);
    }
    const issuer = chain[i + 1];
    if (issuer === undefined) break;
    if (!issuer.ca) {
      throw refuse('attestation-invalid-signature', `x5c certificate ${i + 1} is not a CA`);
    }
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
      throw refuse(
        'attestation-invalid-signature',
        i + 1 === chain.length - 1 && chain.length > certs.length
          ? 'x5c chain does not end in the pinned root'
          : `x5c certificate ${i} is not signed by certificate ${i + 1}`,
      );
    }
  }
  const leaf = chain[0];
  if (leaf === undefined || leaf.publicKey.asymmetricKeyType !== 'rsa') {
    throw refuse('attestation-invalid-signature', 'the x5c leaf key is not RSA');
  }
  return leaf.publicKey;
}

function parseCertificate(entry: unknown, index: number): X509Certificate {
  if (typeof entry !== 'string' || !BASE64.test(entry)) {
    throw refuse('attestation-malformed', `x5c entry ${index} is not base64`);
  }
  try {
    return new X509Certificate(Buffer.from(entry, 'base64'));
  } catch {
    throw refuse('attestation-malformed', `x5c entry ${index} is not a DER certificate`);
  }
}

// Reads a root certificate from PEM; throws a plain Error with `what` when it is not one.
export function readRootPem(pem: string, what: string): X509Certificate {
  try {
    const cert = new X509Certificate(pem);
    if (!cert.ca) throw new Error('not a CA certificate');
    return cert;
  } catch (cause) {
    throw new Error(`${what} is not a PEM CA certificate`, { cause });
  }
}

/** Why: `pki.rootFile` and `--root`: the bounded read, then readRootPem. */
export function readRootFile(path: string): X509Certificate {
  const pem = readFileBoundedSync(path, MAX_ROOT_FILE_BYTES).toString('utf8');
  return readRootPem(pem, `root file ${path}`);
}
