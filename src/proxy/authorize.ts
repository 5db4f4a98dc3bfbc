// mTLS peer authorization: after the chain has been verified against the configured CA,
// the peer must match at least one rule (CN, DNS SAN, URI SAN pattern, SPKI pin) or the
// rules must say `allowAll: true`. Any one matching rule admits the peer. An mtls-server
// applies the rules of the SNI entry whose CA verified the peer, else its global rules.
import type { PeerCertificate } from 'node:tls';
import type { AuthorizeConfig } from '../config/types.js';
import { readPeerIdentity } from './peer-identity.js';
import { matchUriPattern } from './uri-pattern.js';

export interface AuthorizationResult {
  readonly allowed: boolean;
  /** What the log line names the peer by: the matching rule's value, else CN or first SAN. */
  readonly identity: string;
  /** Which rule admitted the peer (`cn`, `dns`, `uri`, `spki`, `allowAll`). */
  readonly rule?: string;
}

/** Why: a config with no rule at all must never mean "anyone with a cert from the CA". */
export function hasAuthorizationRules(rules: AuthorizeConfig): boolean {
  return (
    rules.allowAll ||
    rules.commonNames.length > 0 ||
    rules.dnsNames.length > 0 ||
    rules.uris.length > 0 ||
    rules.spkiSha256.length > 0
  );
}

/** Why: the one decision point on a verified peer certificate (getPeerCertificate()). */
export function authorizePeer(cert: PeerCertificate, rules: AuthorizeConfig): AuthorizationResult {
  const peer = readPeerIdentity(cert);
  const fallback = (): string =>
    peer.uris[0] ?? peer.commonNames[0] ?? peer.dnsNames[0] ?? `spki:${peer.spkiSha256()}`;
  const uri = peer.uris.find((u) => rules.uris.some((p) => matchUriPattern(p, u)));
  if (uri !== undefined) return { allowed: true, identity: uri, rule: 'uri' };
  const cn = peer.commonNames.find((c) => rules.commonNames.includes(c));
  if (cn !== undefined) return { allowed: true, identity: cn, rule: 'cn' };
  const dns = peer.dnsNames.find((d) =>
    rules.dnsNames.some((allowed) => allowed.toLowerCase() === d.toLowerCase()),
  );
  if (dns !== undefined) return { allowed: true, identity: dns, rule: 'dns' };
  if (rules.spkiSha256.length > 0 && rules.spkiSha256.includes(peer.spkiSha256())) {
    return { allowed: true, identity: fallback(), rule: 'spki' };
  }
  if (rules.allowAll) return { allowed: true, identity: fallback(), rule: 'allowAll' };
  return { allowed: false, identity: fallback() };
}
