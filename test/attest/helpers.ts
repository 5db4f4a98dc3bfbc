// Pieces the attested-proxy tests share: `attest` blocks for the emulator's VMs, an echo
// target that counts what reached it, a plain TCP client through a client proxy, and a
// hand-written TLS peer that sends (or replays) evidence frames.
import { once } from 'node:events';
import { createServer, connect as netConnect, type AddressInfo, type Server } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import {
  createEphemeralKey,
  encodeFrame,
  exporterValue,
  signExporter,
  type EvidenceSource,
} from '../../src/attest/index.js';
import type { AttestPresentConfig, ProxyAttestConfig } from '../../src/config/types.js';
import { hostPort } from '../proxy/helpers.js';
import type { AttestWorld } from './world.js';
import { AUDIENCE } from './world.js';

/** The launcher socket of VM `vm` (undefined: the default VM). */
export function socketOf(world: AttestWorld, vm?: string): string {
  if (vm === undefined) return world.emulator.socketPath;
  const found = world.emulator.vms[vm];
  if (found === undefined) throw new Error(`no VM ${vm}`);
  return found.socketPath;
}

/** A normalized `present` block for VM `vm`. */
export function presentFrom(
  world: AttestWorld,
  vm: string | undefined,
  tokenType: 'OIDC' | 'PKI' = 'PKI',
  audience = AUDIENCE,
): AttestPresentConfig {
  return { audience, tokenType, socket: socketOf(world, vm), startupDeadline: 10_000 };
}

/** Present from `vm` and require the world's policy. */
export function attestBoth(
  world: AttestWorld,
  vm: string | undefined,
  tokenType: 'OIDC' | 'PKI' = 'PKI',
): ProxyAttestConfig {
  return { present: presentFrom(world, vm, tokenType), require: world.policy };
}

/** An echo target that counts the connections and bytes that reached it. */
export interface CountingEcho {
  readonly address: string;
  readonly connections: number;
  readonly received: Buffer;
  close(): Promise<void>;
}

export async function startCountingEcho(): Promise<CountingEcho> {
  const state = { connections: 0, received: Buffer.alloc(0) };
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    state.connections += 1;
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      state.received = Buffer.concat([state.received, d]);
      s.write(d);
    });
    s.on('end', () => s.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    get received() {
      return state.received;
    },
    async close() {
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

/** What a plaintext client got through a client proxy: the bytes, and whether it was closed. */
export interface PlainResult {
  readonly data: string;
  readonly ms: number;
}

/** Connects to `address`, writes `text` (no half-close unless `end`), reads until close. */
export function throughPlain(address: string, text: string, end = true): Promise<PlainResult> {
  const began = Date.now();
  return new Promise((resolve) => {
    const s = netConnect(hostPort(address).port, '127.0.0.1');
    let out = '';
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('close', () => resolve({ data: out, ms: Date.now() - began }));
    s.setTimeout(30_000, () => s.destroy());
    if (end) s.end(text);
    else s.write(text);
  });
}

/** Reads from a plaintext socket until `want` has arrived (or it closes). */
export function echoRoundTrip(address: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = netConnect(hostPort(address).port, '127.0.0.1');
    let out = '';
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.length >= text.length) s.end();
    });
    s.on('close', () => resolve(out));
    s.setTimeout(30_000, () => s.destroy());
    s.write(text);
  });
}

/** A source that always presents `token` for `key` (a token minted by the test). */
export function fixedEvidence(token: string, key = createEphemeralKey()): EvidenceSource {
  return { current: () => ({ token, key, expiresAt: Number.MAX_SAFE_INTEGER }) };
}

/** One hand-written TLS client connection to a server proxy. */
export interface HandClient {
  readonly socket: TLSSocket;
  /** Resolves when the proxy closes the connection, with what it sent (its frame, echoes). */
  readonly closed: Promise<{ data: Buffer; ms: number }>;
}

/** Connects to a server proxy as a TLS client (mTLS or PSK options given). */
export async function handClient(address: string, options: ConnectionOptions): Promise<HandClient> {
  const began = Date.now();
  const socket = tlsConnect({ host: '127.0.0.1', port: hostPort(address).port, ...options });
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise<{ data: Buffer; ms: number }>((resolve) => {
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), ms: Date.now() - began }));
  });
  socket.setTimeout(30_000, () => socket.destroy());
  await once(socket, 'secureConnect');
  return { socket, closed };
}

/** The evidence frame `source` gives for this connection, signed as the client. */
export function clientFrame(socket: TLSSocket, source: EvidenceSource): Buffer {
  const id = source.current();
  if (id === undefined) throw new Error('no identity');
  const signature = signExporter(id.key.privateKey, 'client', exporterValue(socket));
  return encodeFrame({
    type: 'evidence',
    evidence: { token: id.token, publicKey: id.key.publicKeyDer, signature },
  });
}
