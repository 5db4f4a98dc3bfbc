// Checks one configured TLS bundle before anything starts: PEM parses, key matches the
// leaf, validity (with clock skew), chain to the CA, extended key usage.
import type { X509Certificate } from 'node:crypto';
import type { TlsBundleConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { buildChain, checkValidity, oneLine, validity } from './chain.js';
import { parseCertificates, parsePrivateKey } from './pem.js';

const EKU = {
  server: '1.3.6.1.5.5.7.3.1',
  client: '1.3.6.1.5.5.7.3.2',
  any: '2.5.29.37.0',
} as const;

/** The checked bundle, as the proxy and the materializer use it. */
export interface TlsMaterial {
  /** Leaf then the intermediates on its path to the CA, PEM. */
  readonly certPem: string;
  /** The private key as stored (PEM). */
  readonly keyPem: string;
  /** The CA bundle as stored (PEM), when the bundle names a CA. */
  readonly caPem?: string;
  /** The leaf's expiry and one-line subject (`CN=server`), for the start-up log. */
  readonly notAfter: Date;
  readonly subject: string;
  /**
   * Every certificate whose expiry breaks this bundle: the leaf, the intermediates served
   * with it and, when the bundle names a CA, the CA certificate the path ends at.
   */
  readonly chain: readonly ChainCertificate[];
}

/** One certificate of a bundle's chain as the expiry log reports it (no key material). */
export interface ChainCertificate {
  /** `intermediate`: from the cert secret; `ca`: the anchor from the CA secret. */
  readonly role: 'leaf' | 'intermediate' | 'ca';
  /** One-line distinguished name. */
  readonly subject: string;
  readonly notAfter: Date;
}

/** The PEM payloads of one bundle, as fetched. */
export interface TlsPems {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
}

/**
 * Why: a wrong, mismatched, expired or misissued certificate must stop start-up with a
 * line naming the bundle and the secret, not surface later as a handshake failure.
 */
export function checkTlsBundle(
  name: string,
  spec: TlsBundleConfig,
  pems: TlsPems,
  now: Date,
  skewMs: number,
): TlsMaterial {
  const describe = `tls.${name} (secret "${spec.cert}")`;
  const [leaf, ...rest] = parseCertificates(
    { bundle: name, role: 'cert', secret: spec.cert },
    pems.cert,
  );
  if (leaf === undefined) throw new TeeinitError('TEEINIT_INTERNAL', `${describe}: no leaf.`);
  const key = parsePrivateKey({ bundle: name, role: 'key', secret: spec.key }, pems.key);
  if (!leaf.checkPrivateKey(key)) {
    throw new TeeinitError(
      'TEEINIT_CERT_KEY_MISMATCH',
      `tls.${name}: the private key in secret "${spec.key}" does not belong to the certificate in secret "${spec.cert}" ("${oneLine(leaf.subject)}").`,
      { fields: { bundle: name, cert: spec.cert, key: spec.key } },
    );
  }
  checkValidity(leaf, now, skewMs, describe);
  let path: X509Certificate[] = [leaf, ...rest];
  let anchor: X509Certificate | undefined;
  if (spec.ca !== undefined) {
    if (pems.ca === undefined) {
      throw new TeeinitError(
        'TEEINIT_INTERNAL',
        `tls.${name}: CA secret "${spec.ca}" was not fetched.`,
      );
    }
    const anchors = parseCertificates({ bundle: name, role: 'ca', secret: spec.ca }, pems.ca);
    ({ path, anchor } = buildChain(
      leaf,
      rest,
      anchors,
      now,
      skewMs,
      `${describe} → CA secret "${spec.ca}"`,
    ));
  }
  checkUsage(leaf, spec.usage, describe);
  return {
    certPem: path.map((c) => c.toString().trim() + '\n').join(''),
    keyPem: pems.key.toString('utf8'),
    ...(pems.ca === undefined ? {} : { caPem: pems.ca.toString('utf8') }),
    notAfter: validity(leaf).notAfter,
    subject: oneLine(leaf.subject),
    chain: [
      ...path.map((c, i) => summarize(c, i === 0 ? 'leaf' : 'intermediate')),
      ...(anchor === undefined ? [] : [summarize(anchor, 'ca')]),
    ],
  };
}

function summarize(cert: X509Certificate, role: ChainCertificate['role']): ChainCertificate {
  return { role, subject: oneLine(cert.subject), notAfter: validity(cert).notAfter };
}

function checkUsage(
  leaf: X509Certificate,
  usage: TlsBundleConfig['usage'],
  describe: string,
): void {
  const ekus = leaf.keyUsage as string[] | undefined;
  if (usage === 'any' || ekus === undefined || ekus.includes(EKU.any)) return;
  if (!ekus.includes(EKU[usage])) {
    throw new TeeinitError(
      'TEEINIT_CERT_USAGE',
      `${describe} lacks extendedKeyUsage ${usage === 'server' ? 'serverAuth' : 'clientAuth'} required by usage: ${usage}.`,
    );
  }
}
