// Server modes (mtls-server, psk-server): listen with TLS, authenticate the peer, then
// relay plaintext to the target (TCP on loopback or a unix socket).
import type { Socket } from 'node:net';
import { createServer, type SecureContext, type TLSSocket, type TlsOptions } from 'node:tls';
import { TeeinitError } from '../errors/index.js';
import type { Address } from './address.js';
import {
  admitMtlsPeer,
  admitPskPeer,
  sniRoutes,
  type Admission,
  type PskSeen,
} from './admission.js';
import { attestConnection, type AttestGate } from './attest-gate.js';
import { hasAuthorizationRules } from './authorize.js';
import { reportDrops, startRelay, type Front, type FrontParts } from './front.js';
import { buildMtlsServerTls, type MtlsServerTls } from './mtls-context.js';
import { buildPskTable, decoyKey, pskProtocol, type PskTable } from './psk-context.js';
import { peerOf, printable } from './reporter.js';
import { SourceLimiter, sourceKey } from './source-limit.js';
import { dialTarget } from './target.js';
import type { Tracked } from './tracker.js';
import type { ProxyConfig } from '../config/types.js';
import type { ProxyMaterial, RejectReason } from './types.js';

/** Why: one listener serves both server modes; only the handshake checks differ. */
export function createServerFront(
  parts: FrontParts,
  material: ProxyMaterial,
  target: Address,
  gate?: AttestGate,
): Front {
  const { config, tracker, reporter } = parts;
  const psk = config.mode === 'psk-server';
  let mtls: MtlsServerTls | undefined = psk ? undefined : buildMtlsServerTls(config, material);
  let table: PskTable | undefined = psk ? buildPskTable(config, material) : undefined;
  const routes = sniRoutes(config);
  if (mtls !== undefined) checkServerRules(config, mtls);
  const seen = new WeakMap<TLSSocket, PskSeen>();
  const accepted = new WeakMap<Socket, Tracked>();
  const sources = new SourceLimiter(config.limits.maxHandshakesPerSource);
  /** Raw sockets holding a handshake slot of their source → gives it back (once). */
  const handshaking = new WeakMap<Socket, () => void>();
  /** Raw sockets refused at accept: already counted, so their TLS error is not counted again. */
  const refusedAtAccept = new WeakSet<Socket>();
  /** When each raw socket was accepted: the handshake budget runs from there. */
  const acceptedAt = new WeakMap<Socket, number>();

  const options: TlsOptions = {
    // Half-open only once authenticated (set in secureConnection): a peer that sends its FIN
    // before the handshake (a TCP health check, a port scan) is closed at once instead of
    // holding a slot until the handshake timeout.
    allowHalfOpen: false,
    handshakeTimeout: config.limits.handshakeTimeout,
  };
  if (mtls !== undefined) {
    Object.assign(options, mtls.options, {
      // Chain verification runs in OpenSSL either way; rejecting in our handler instead of
      // inside Node lets us count and log *why* (Node drops the socket silently otherwise).
      requestCert: true,
      rejectUnauthorized: false,
    });
    if (mtls.sni.size > 0) options.SNICallback = sniCallback;
  } else {
    Object.assign(options, pskProtocol(config), {
      pskCallback: (socket: TLSSocket, identity: string): Buffer => {
        const key = table?.keys.get(identity);
        seen.set(socket, { identity, known: key !== undefined });
        return key ?? decoyKey(table ?? { keys: new Map(), decoyLength: 32 });
      },
    });
  }

  function sniCallback(name: string, cb: (err: Error | null, ctx?: SecureContext) => void): void {
    const ctx = mtls?.sni.get(name.toLowerCase());
    if (ctx !== undefined) cb(null, ctx);
    else if (mtls?.defaultHasCa === true) cb(null);
    else cb(Object.assign(new Error('unknown SNI name'), { code: 'TEEINIT_UNKNOWN_SNI' }));
  }

  const server = createServer(options);
  server.on('connection', (raw: Socket) => {
    accepted.set(raw, tracker.accept(raw));
    acceptedAt.set(raw, Date.now());
    raw.on('error', () => undefined); // reported through the TLS socket
    // Node's own listener has wrapped `raw` already, but no byte has been read yet.
    const source = sourceKey(raw.remoteAddress);
    if (source === undefined) return; // a unix socket: local peers, no address to group by
    if (!sources.enter(source)) {
      refusedAtAccept.add(raw);
      reporter.reject('handshakes-per-source', peerOf(raw), { source });
      raw.destroy();
      return;
    }
    let held = true;
    const release = (): void => {
      if (held) sources.leave(source);
      held = false;
    };
    handshaking.set(raw, release);
    raw.once('close', release);
  });
  reportDrops(server, reporter);
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    const raw = findRaw(socket);
    socket.destroy();
    if (raw !== undefined && refusedAtAccept.has(raw)) return;
    const pskSeen = seen.get(socket);
    const reason = isEmptyConnection(err, raw)
      ? 'empty-connection'
      : classifyHandshakeError(err, pskSeen);
    const details: Record<string, unknown> = { error: err.code ?? err.message };
    if (pskSeen !== undefined) details.identity = printable(pskSeen.identity);
    reporter.reject(reason, peerOf(socket), details);
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const raw = findRaw(socket);
    const releaseSlot = (): void => {
      if (raw !== undefined) handshaking.get(raw)?.();
    };
    socket.allowHalfOpen = true; // the relay forwards half-close in both directions
    const admission: Admission =
      mtls === undefined
        ? admitPskPeer(seen.get(socket))
        : admitMtlsPeer(socket, routes, { rules: config.authorize, hasCa: mtls.defaultHasCa });
    const peer = peerOf(socket);
    if (!admission.admitted) {
      releaseSlot();
      reporter.reject(admission.reason, peer, admission.details);
      socket.destroy();
      return;
    }
    const entry = raw === undefined ? undefined : accepted.get(raw);
    const ends = {
      ...(raw !== undefined && entry !== undefined ? { accepted: { raw, entry } } : {}),
      peer,
      identity: admission.identity,
      ...(admission.sni === undefined ? {} : { sni: admission.sni }),
    };
    const plan = gate?.planFor(admission.sni);
    if (plan === undefined) {
      releaseSlot();
      connectTarget(socket, ends);
      return;
    }
    // The evidence is part of the handshake: it must arrive within what is left of
    // handshakeTimeout, and the source's handshake slot is held until it has.
    // A reset while the evidence is checked ends the exchange (or finds the socket
    // destroyed after it); it must not go unhandled in between.
    socket.on('error', () => undefined);
    const began = (raw === undefined ? undefined : acceptedAt.get(raw)) ?? Date.now();
    const left = config.limits.handshakeTimeout - (Date.now() - began);
    void attestConnection(socket, plan, 'server', left).then((outcome) => {
      releaseSlot();
      if (!outcome.ok) {
        reporter.refuseAttestation(outcome.refusal, peer, {
          identity: printable(admission.identity),
          ...(admission.sni === undefined ? {} : { sni: admission.sni }),
        });
        socket.destroy();
        return;
      }
      if (socket.destroyed) return;
      connectTarget(socket, {
        ...ends,
        ...(outcome.peer === undefined ? {} : { attested: outcome.peer }),
      });
    });
  });

  /**
   * Dials the target for an admitted peer; the relay (and the `established` count) starts
   * only once the target has accepted. Until then the peer's bytes wait in its socket.
   */
  function connectTarget(socket: TLSSocket, ends: Parameters<typeof startRelay>[3]): void {
    const backend = dialTarget(target, config.limits.connectTimeout);
    const peerGone = (): void => {
      backend.destroy();
    };
    const failed = (err: NodeJS.ErrnoException): void => {
      socket.off('close', peerGone);
      reporter.targetFailed(ends.peer, err.code ?? 'error');
      socket.destroy();
    };
    socket.on('error', peerGone);
    socket.once('close', peerGone);
    backend.once('error', failed);
    backend.once('connect', () => {
      socket.off('error', peerGone);
      socket.off('close', peerGone);
      backend.off('error', failed);
      startRelay(parts, socket, backend, ends);
    });
  }

  return {
    server,
    update(next: ProxyMaterial): void {
      if (psk) {
        table = buildPskTable(config, next);
        return;
      }
      const built = buildMtlsServerTls(config, next);
      server.setSecureContext({ ...built.options });
      mtls = built;
    },
  };
}

/**
 * Why: every CA that admits clients needs rules: each SNI entry its own, and the global
 * `authorize` when the bundle has a CA. Rules without a CA to apply to are refused too.
 */
function checkServerRules(config: ProxyConfig, mtls: MtlsServerTls): void {
  const missing = Object.entries(config.sniCa).find(([, e]) => !hasAuthorizationRules(e.authorize));
  let key: string | undefined;
  if (missing !== undefined) key = `sniCa.${missing[0]}.authorize`;
  else if (mtls.defaultHasCa && !hasAuthorizationRules(config.authorize)) key = 'authorize';
  if (key !== undefined) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `proxies.${config.name}.${key} has no rule; list commonNames, dnsNames, uris or spkiSha256, or set allowAll: true explicitly.`,
    );
  }
  if (!mtls.defaultHasCa && hasAuthorizationRules(config.authorize)) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `proxies.${config.name}.authorize applies only to clients verified by the tls bundle's CA, which has none; put the rules under sniCa.NAME.authorize.`,
    );
  }
}

/** Why: the TLS socket wraps the accepted raw socket; Node keeps it as `_parent`. */
function findRaw(socket: TLSSocket): Socket | undefined {
  const parent = (socket as unknown as { _parent?: Socket })._parent;
  return parent ?? undefined;
}

/**
 * Why: a TCP health check or port scan connects and closes without sending a byte; it is
 * counted but not worth a warning line each time (haproxy's `dontlognull`). A peer that
 * connects and stays silent is a handshake timeout instead, and still logged.
 */
function isEmptyConnection(err: NodeJS.ErrnoException, raw: Socket | undefined): boolean {
  return raw !== undefined && raw.bytesRead === 0 && err.code === 'ECONNRESET';
}

function classifyHandshakeError(
  err: NodeJS.ErrnoException,
  psk: PskSeen | undefined,
): RejectReason {
  const text = `${err.code ?? ''} ${err.message}`.toUpperCase();
  if (text.includes('HANDSHAKE_TIMEOUT')) return 'handshake-timeout';
  if (text.includes('TEEINIT_UNKNOWN_SNI')) return 'unknown-sni';
  if (text.includes('UNSUPPORTED_PROTOCOL') || text.includes('VERSION_TOO_LOW'))
    return 'tls-version';
  if (text.includes('PEER_DID_NOT_RETURN_A_CERTIFICATE')) return 'no-client-cert';
  if (psk !== undefined) return psk.known ? 'psk-bad-key' : 'psk-unknown-identity';
  return 'handshake-failed';
}
