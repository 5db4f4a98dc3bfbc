// Reads what authorization looks at from a peer certificate: CN, DNS SANs, URI SANs and
// the SHA-256 of the SubjectPublicKeyInfo. Input is the object Node's getPeerCertificate()
// builds: its subject values are exact (no escaping to undo), and reading it does not leak
// (getPeerX509Certificate() on a server socket leaks native memory per call on Node 20).
import { createHash, X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { parseSubjectAltName } from '../keys/index.js';

export interface PeerIdentity {
  readonly commonNames: readonly string[];
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  /** Base64 SHA-256 of the SubjectPublicKeyInfo (DER); computed on first call only. */
  spkiSha256(): string;
}

/** Why: one place that turns Node's certificate fields into lists we can match exactly. */
export function readPeerIdentity(cert: PeerCertificate): PeerIdentity {
  const sans = parseSubjectAltName(cert.subjectaltname ?? '');
  let spki: string | undefined;
  return {
    commonNames: valuesOf((cert.subject as Partial<Record<string, unknown>> | undefined)?.CN),
    dnsNames: sans.filter((s) => s.type === 'DNS').map((s) => s.value),
    uris: sans.filter((s) => s.type === 'URI').map((s) => s.value),
    spkiSha256: () => (spki ??= hashSpki(cert.raw)),
  };
}

/** Why: refusal log lines name the subject; peer-chosen, so the caller escapes and cuts it. */
export function describeSubject(cert: PeerCertificate): string {
  const subject = (cert.subject as Partial<Record<string, unknown>> | undefined) ?? {};
  return Object.entries(subject)
    .map(([key, value]) => `${key}=${valuesOf(value).join('+')}`)
    .join(', ');
}

// A subject attribute is a string, or an array when the name has it more than once.
function valuesOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function hashSpki(raw: Buffer): string {
  const spki = new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
