// Reads what authorization looks at from a peer certificate: CN, DNS SANs, URI SANs and
// the SHA-256 of the SubjectPublicKeyInfo.
import { createHash, type X509Certificate } from 'node:crypto';
import { parseSubjectAltName, unquoteValue } from '../keys/index.js';

export interface PeerIdentity {
  readonly commonNames: readonly string[];
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  /** Base64 SHA-256 of the SubjectPublicKeyInfo (DER). */
  readonly spkiSha256: string;
}

/** Why: one place that turns Node's certificate strings into lists we can match exactly. */
export function readPeerIdentity(cert: X509Certificate): PeerIdentity {
  const sans = parseSubjectAltName(cert.subjectAltName ?? '');
  const commonNames = cert.subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => unquoteValue(line.slice(3)));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return {
    commonNames,
    dnsNames: sans.filter((s) => s.type === 'DNS').map((s) => s.value),
    uris: sans.filter((s) => s.type === 'URI').map((s) => s.value),
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
  };
}
