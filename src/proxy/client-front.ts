// Client modes (mtls-client, psk-client): listen in plaintext on loopback, originate TLS
// to the target with the client certificate or the PSK, verify the server, then relay.
import { createServer, type Socket } from 'node:net';
import {
  checkServerIdentity,
  connect,
  type ConnectionOptions,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import type { ClaimSummary } from '../attest/index.js';
import { formatAddress, type Address } from './address.js';
import { attestConnection, type AttestGate } from './attest-gate.js';
import { authorizePeer } from './authorize.js';
import { reportDrops, startRelay, type Front, type FrontParts } from './front.js';
import { buildMtlsClientTls, tlsError, type MtlsClientTls } from './mtls-context.js';
import { readPeerIdentity } from './peer-identity.js';
import { buildPskTable, pskProtocol, type PskTable } from './psk-context.js';
import { peerOf } from './reporter.js';
import type { ProxyMaterial } from './types.js';

/** Why: mirrors createServerFront for the egress direction. */
export function createClientFront(
  parts: FrontParts,
  material: ProxyMaterial,
  target: Address,
  gate?: AttestGate,
): Front {
  const { config, tracker, reporter } = parts;
  const psk = config.mode === 'psk-client';
  let mtls: MtlsClientTls | undefined = psk ? undefined : buildMtlsClientTls(config, material);
  let table: PskTable | undefined = psk ? buildPskTable(config, material) : undefined;
  const expectedName =
    config.serverName ??
    (target.kind === 'tcp' && !/^[\d.:]+$/.test(target.host) ? target.host : undefined);
  if (
    !psk &&
    target.kind === 'unix' &&
    expectedName === undefined &&
    config.authorize.spkiSha256.length === 0
  ) {
    throw tlsError(config, 'serverName or authorize.spkiSha256 is required for a unix target');
  }
  const identity = Object.keys(config.identities)[0] ?? '';

  function tlsOptions(): ConnectionOptions {
    const base: ConnectionOptions =
      target.kind === 'unix' ? { path: target.path } : { host: target.host, port: target.port };
    Object.assign(base, { allowHalfOpen: true, checkServerIdentity: () => undefined });
    if (psk) {
      const key = table?.keys.get(identity) ?? Buffer.alloc(0);
      return { ...base, ...pskProtocol(config), pskCallback: () => ({ psk: key, identity }) };
    }
    return {
      ...base,
      secureContext: mtls?.context,
      rejectUnauthorized: mtls?.hasCa ?? true,
      ...(expectedName === undefined ? {} : { servername: expectedName }),
    };
  }

  /** Returns why the server is refused, or undefined when it is acceptable. */
  function verifyServer(upstream: TLSSocket): string | undefined {
    if (psk) return undefined;
    // The leaf only (no issuer chain objects): the names and the key are all we check.
    const peerCert: Partial<PeerCertificate> = upstream.getPeerCertificate();
    if (peerCert.raw === undefined) return 'no server certificate';
    const cert = peerCert as PeerCertificate;
    const pins = config.authorize.spkiSha256;
    if (pins.length > 0) {
      if (!pins.includes(readPeerIdentity(cert).spkiSha256())) return 'SPKI pin mismatch';
    } else {
      const host = expectedName ?? (target.kind === 'tcp' ? target.host : '');
      const err = checkServerIdentity(host, cert);
      if (err !== undefined) return err.message;
    }
    const rules = config.authorize;
    if (rules.commonNames.length + rules.dnsNames.length + rules.uris.length > 0) {
      if (!authorizePeer(cert, { ...rules, spkiSha256: [], allowAll: false }).allowed) {
        return 'server certificate not authorized';
      }
    }
    return undefined;
  }

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
  reportDrops(server, reporter);
  server.on('connection', (local: Socket) => {
    const entry = tracker.accept(local);
    const peer = peerOf(local);
    const began = Date.now();
    /** connecting → attesting (evidence exchange) → relayed; errors count only while connecting. */
    let phase: 'connecting' | 'attesting' | 'relayed' = 'connecting';
    const upstream = connect(tlsOptions());
    const deadline = setTimeout(() => {
      upstream.destroy(Object.assign(new Error('handshake timeout'), { code: 'ETIMEDOUT' }));
    }, config.limits.connectTimeout + config.limits.handshakeTimeout);
    deadline.unref();
    let localGone = false;
    const abort = (): void => {
      localGone = true;
      upstream.destroy();
    };
    local.on('error', () => undefined);
    local.once('close', abort);
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      if (phase !== 'connecting') return;
      phase = 'relayed'; // counted once
      const code = err.code ?? err.message;
      if (/^E[A-Z]+$/.test(code) && !code.startsWith('ERR_')) reporter.targetFailed(peer, code);
      else reporter.reject('server-cert-rejected', peer, { error: code });
      local.destroy();
    });
    const name = psk ? `psk:${identity}` : (config.serverName ?? formatAddress(target));
    const relay = (attested?: ClaimSummary): void => {
      local.off('close', abort);
      phase = 'relayed';
      startRelay(parts, local, upstream, {
        accepted: { raw: local, entry },
        peer,
        identity: name,
        ...(attested === undefined ? {} : { attested }),
      });
      local.resume();
    };
    upstream.once('secureConnect', () => {
      clearTimeout(deadline);
      const why = verifyServer(upstream);
      if (why !== undefined) {
        phase = 'relayed';
        reporter.reject('server-cert-rejected', peer, { error: why });
        upstream.destroy();
        local.destroy();
        return;
      }
      const plan = gate?.planFor();
      if (plan === undefined) {
        relay();
        return;
      }
      // The local client's bytes wait (paused) until the server's evidence checked out; the
      // exchange gets what is left of connectTimeout + handshakeTimeout.
      phase = 'attesting';
      const left =
        config.limits.connectTimeout + config.limits.handshakeTimeout - (Date.now() - began);
      void attestConnection(upstream, plan, 'client', left).then((outcome) => {
        if (localGone) {
          // The local client left first: its close ended the exchange, not the server.
          upstream.destroy();
          return;
        }
        if (!outcome.ok) {
          phase = 'relayed';
          reporter.refuseAttestation(outcome.refusal, peer, { target: config.target });
          upstream.destroy();
          local.destroy();
          return;
        }
        if (local.destroyed || upstream.destroyed) {
          upstream.destroy();
          local.destroy();
          return;
        }
        relay(outcome.peer);
      });
    });
  });

  return {
    server,
    update(next: ProxyMaterial): void {
      if (psk) table = buildPskTable(config, next);
      else mtls = buildMtlsClientTls(config, next);
    },
  };
}
