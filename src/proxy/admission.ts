// Admission of a server-mode connection: the one decision between the completed TLS
// handshake and the target dial, so before the first relayed byte. mTLS: the SNI entry the
// client came through (or the bundle's own CA), a certificate, a chain verified against that
// CA, then that entry's rules and only those. PSK: a known identity (the key was proven by
// the handshake itself). A check added later (attestation evidence) belongs here too.
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { AuthorizeConfig, ProxyConfig } from '../config/types.js';
import { authorizePeer } from './authorize.js';
import { describeSubject } from './peer-identity.js';
import { printable } from './reporter.js';
import type { RejectReason } from './types.js';

/** An SNI entry as admission uses it: its name as configured and its own rules. */
export interface SniRoute {
  readonly name: string;
  readonly authorize: AuthorizeConfig;
}

/** Why: the entry is found by the name the client sent, case-insensitively, as the CA was. */
export function sniRoutes(config: ProxyConfig): ReadonlyMap<string, SniRoute> {
  return new Map(
    Object.entries(config.sniCa).map(([name, entry]) => [
      name.toLowerCase(),
      { name, authorize: entry.authorize },
    ]),
  );
}

/** Admitted with the name logs give the peer (and the SNI entry it came through), or refused. */
export type Admission =
  | { readonly admitted: true; readonly identity: string; readonly sni?: string }
  | {
      readonly admitted: false;
      readonly reason: RejectReason;
      readonly details: Readonly<Record<string, unknown>>;
    };

function refuse(reason: RejectReason, details: Readonly<Record<string, unknown>>): Admission {
  return { admitted: false, reason, details };
}

/**
 * Why: a client is checked only against the rules of the CA that verified it. The SNI name
 * chose that CA during the handshake (one context per entry); no name, or a name without an
 * entry, means the bundle's own CA and the global rules, or refusal when the bundle has none.
 */
export function admitMtlsPeer(
  socket: TLSSocket,
  routes: ReadonlyMap<string, SniRoute>,
  global: { readonly rules: AuthorizeConfig; readonly hasCa: boolean },
): Admission {
  const servername = typeof socket.servername === 'string' ? socket.servername : '';
  const route = routes.get(servername.toLowerCase());
  if (route === undefined && !global.hasCa) {
    return refuse('unknown-sni', {
      servername: servername === '' ? '(none)' : printable(servername),
    });
  }
  const via = route === undefined ? {} : { sni: route.name };
  const cert: Partial<PeerCertificate> = socket.getPeerCertificate();
  if (cert.raw === undefined) return refuse('no-client-cert', via);
  const peer = cert as PeerCertificate;
  if (!socket.authorized) {
    const code = String(socket.authorizationError);
    return refuse(code === 'CERT_HAS_EXPIRED' ? 'expired-cert' : 'untrusted-cert', {
      ...via,
      error: code,
      subject: printable(describeSubject(peer)),
    });
  }
  const verdict = authorizePeer(peer, route?.authorize ?? global.rules);
  if (!verdict.allowed)
    return refuse('not-authorized', { ...via, identity: printable(verdict.identity) });
  return { admitted: true, identity: verdict.identity, ...via };
}

/** What pskCallback saw: the identity the client sent and whether it has a key. */
export interface PskSeen {
  readonly identity: string;
  readonly known: boolean;
}

/** Why: an unknown identity completes no handshake (decoy key), but is refused here too. */
export function admitPskPeer(seen: PskSeen | undefined): Admission {
  if (seen === undefined || !seen.known) return refuse('psk-unknown-identity', {});
  return { admitted: true, identity: `psk:${seen.identity}` };
}
