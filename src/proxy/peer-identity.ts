// Reads what authorization looks at from a peer certificate: CN, DNS SANs, URI SANs and
// the SHA-256 of the SubjectPublicKeyInfo.
import { createHash, type X509Certificate } from 'node:crypto';

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
    .map((line) => unquote(line.slice(3)));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return {
    commonNames,
    dnsNames: sans.filter((s) => s.type === 'DNS').map((s) => s.value),
    uris: sans.filter((s) => s.type === 'URI').map((s) => s.value),
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
  };
}

/**
 * Why: Node prints SANs as `DNS:a, URI:b` and JSON-quotes values holding separators
 * (`DNS:"a, b"`), so a plain split on ", " could be fooled by a crafted certificate.
 */
export function parseSubjectAltName(text: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      value = unquote(text.slice(colon + 1, j + 1));
      next = j + 1;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      next = comma < 0 ? text.length : comma;
      value = text.slice(colon + 1, next);
    }
    out.push({ type, value });
    i = text.startsWith(', ', next) ? next + 2 : next + 1;
  }
  return out;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}
