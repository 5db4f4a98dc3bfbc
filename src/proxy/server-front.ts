// Server modes (mtls-server, psk-server): listen with TLS, authenticate the peer, then
// relay plaintext to the target (TCP on loopback or a unix socket).
import type { Socket } from 'node:net';
import { createServer, type SecureContext, type TLSSocket, type TlsOptions } from 'node:tls';
import type { Address } from './address.js';
import { authorizePeer } from './authorize.js';
import { reportDrops, startRelay, type Front, type FrontParts } from './front.js';
import { buildMtlsServerTls, type MtlsServerTls } from './mtls-context.js';
import { buildPskTable, decoyKey, pskProtocol, type PskTable } from './psk-context.js';
import { peerOf, printable } from './reporter.js';
import { dialTarget } from './target.js';
import type { Tracked } from './tracker.js';
import type { ProxyMaterial, RejectReason } from './types.js';

interface PskSeen {
  readonly identity: string;
  readonly known: boolean;
}

/** Why: one listener serves both server modes; only the handshake checks differ. */
export function createServerFront(
  parts: FrontParts,
  material: ProxyMaterial,
  target: Address,
): Front {
  const { config, tracker, reporter } = parts;
  const psk = config.mode === 'psk-server';
  let mtls: MtlsServerTls | undefined = psk ? undefined : buildMtlsServerTls(config, material);
  let table: PskTable | undefined = psk ? buildPskTable(config, material) : undefined;
  const seen = new WeakMap<TLSSocket, PskSeen>();
  const accepted = new WeakMap<Socket, Tracked>();

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
    raw.on('error', () => undefined); // reported through the TLS socket
  });
  reportDrops(server, reporter);
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    const pskSeen = seen.get(socket);
    const reason = isEmptyConnection(err, findRaw(socket))
      ? 'empty-connection'
      : classifyHandshakeError(err, pskSeen);
    const details: Record<string, unknown> = { error: err.code ?? err.message };
    if (pskSeen !== undefined) details.identity = printable(pskSeen.identity);
    reporter.reject(reason, peerOf(socket), details);
    socket.destroy();
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.allowHalfOpen = true; // the relay forwards half-close in both directions
    const peer = peerOf(socket);
    const refuse = (reason: RejectReason, details: Record<string, unknown> = {}): void => {
      reporter.reject(reason, peer, details);
      socket.destroy();
    };
    let identity: string;
    if (psk) {
      const s = seen.get(socket);
      if (s === undefined || !s.known) return refuse('psk-unknown-identity');
      identity = `psk:${s.identity}`;
    } else {
      const cert = socket.getPeerX509Certificate();
      if (cert === undefined) return refuse('no-client-cert');
      if (!socket.authorized) {
        const code = String(socket.authorizationError);
        return refuse(code === 'CERT_HAS_EXPIRED' ? 'expired-cert' : 'untrusted-cert', {
          error: code,
          subject: printable(cert.subject),
        });
      }
      const servername = typeof socket.servername === 'string' ? socket.servername : '';
      if (
        mtls !== undefined &&
        mtls.sni.size > 0 &&
        !mtls.sni.has(servername.toLowerCase()) &&
        !mtls.defaultHasCa
      ) {
        return refuse('unknown-sni', { servername: printable(servername) });
      }
      const verdict = authorizePeer(cert, config.authorize);
      if (!verdict.allowed)
        return refuse('not-authorized', { identity: printable(verdict.identity) });
      identity = verdict.identity;
    }
    const backend = dialTarget(target, config.limits.connectTimeout);
    let connected = false;
    backend.once('connect', () => (connected = true));
    backend.once('error', (err: NodeJS.ErrnoException) => {
      if (!connected) reporter.targetFailed(peer, err.code ?? 'error');
    });
    const raw = findRaw(socket);
    const entry = raw === undefined ? undefined : accepted.get(raw);
    startRelay(parts, socket, backend, {
      ...(raw !== undefined && entry !== undefined ? { accepted: { raw, entry } } : {}),
      peer,
      identity,
    });
  });

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
