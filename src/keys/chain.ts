// Certificate path building: leaf → intermediates from the cert secret → a CA from the CA
// secret, checking each signature, the issuer's CA flag and every validity window.
import type { X509Certificate } from 'node:crypto';
import { TeeinitError } from '../errors/index.js';

/** Longest path accepted (leaf + intermediates), far above real deployments. */
const MAX_DEPTH = 8;

/** Why: Node 20 exposes validity only as strings; one parser for all checks. */
export function validity(cert: X509Certificate): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
}

/** Why: a certificate outside its window (with clock skew) is unusable at the peer anyway. */
export function checkValidity(
  cert: X509Certificate,
  now: Date,
  skewMs: number,
  describe: string,
): void {
  const { notBefore, notAfter } = validity(cert);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new TeeinitError(
      'TEEINIT_CERT_INVALID',
      `${describe} has an unreadable validity period.`,
    );
  }
  if (now.getTime() + skewMs < notBefore.getTime()) {
    throw new TeeinitError(
      'TEEINIT_CERT_EXPIRED',
      `${describe} is not valid yet (notBefore ${notBefore.toISOString()}, now ${now.toISOString()}).`,
    );
  }
  if (now.getTime() - skewMs > notAfter.getTime()) {
    throw new TeeinitError(
      'TEEINIT_CERT_EXPIRED',
      `${describe} has expired (notAfter ${notAfter.toISOString()}, now ${now.toISOString()}).`,
    );
  }
}

function issues(issuer: X509Certificate, child: X509Certificate): boolean {
  return child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

/** A validated path: leaf and intermediates (what is presented), and the CA it ends at. */
export interface CertPath {
  readonly path: X509Certificate[];
  readonly anchor: X509Certificate;
}

/**
 * Why: a certificate that does not chain to the configured CA would be rejected by every
 * peer; finding it before start-up turns a confusing handshake failure into one clear line.
 * Returns the path from the leaf up to (excluding) the anchor, and the anchor.
 */
export function buildChain(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: Date,
  skewMs: number,
  describe: string,
): CertPath {
  const path = [leaf];
  const unused = [...intermediates];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const anchor = anchors.find((ca) => issues(ca, current));
    if (anchor !== undefined) {
      requireCa(anchor, `${describe}: CA certificate "${oneLine(anchor.subject)}"`);
      checkValidity(
        anchor,
        now,
        skewMs,
        `${describe}: CA certificate "${oneLine(anchor.subject)}"`,
      );
      return { path, anchor };
    }
    const index = unused.findIndex((c) => issues(c, current));
    const next = unused[index];
    if (next === undefined) break;
    unused.splice(index, 1);
    const what = `${describe}: intermediate "${oneLine(next.subject)}"`;
    requireCa(next, what);
    checkValidity(next, now, skewMs, what);
    path.push(next);
    current = next;
  }
  throw new TeeinitError(
    'TEEINIT_CERT_CHAIN',
    `${describe}: "${oneLine(current.subject)}" (issuer "${oneLine(current.issuer)}") is not signed by the configured CA or an intermediate in the certificate secret.`,
  );
}

function requireCa(cert: X509Certificate, what: string): void {
  if (!cert.ca) {
    throw new TeeinitError(
      'TEEINIT_CERT_CHAIN',
      `${what} is not a CA (basicConstraints CA:FALSE).`,
    );
  }
}

/** Why: Node prints distinguished names one attribute per line; logs want one line. */
export function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}
