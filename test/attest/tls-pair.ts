// Real loopback TLS connections for the attestation tests: a Node tls server and client
// over mTLS (TLS 1.3) or an external PSK, each test getting both ends of one connection.
import { once } from 'node:events';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { freePort } from '../helpers/net.js';
import type { AttestWorld } from './world.js';

export type Kind = 'mtls' | 'psk' | 'tls12';

export interface TlsPair {
  readonly server: TLSSocket;
  readonly client: TLSSocket;
}

const PSK = Buffer.alloc(32, 7);
const PSK_IDENTITY = 'attest-test';

/** One listening server; `connect()` yields both ends of a fresh connection. */
export interface PairFactory {
  connect(): Promise<TlsPair>;
  close(): Promise<void>;
}

// A server of `kind` on a free loopback port.
export async function pairFactory(world: AttestWorld, kind: Kind): Promise<PairFactory> {
  const psk = kind === 'psk';
  const pskOptions = {
    ciphers: 'TLS_AES_128_GCM_SHA256',
    minVersion: 'TLSv1.3' as const,
    maxVersion: 'TLSv1.3' as const,
  };
  const server: Server = createServer(
    psk
      ? { ...pskOptions, pskCallback: (_s, id) => (id === PSK_IDENTITY ? PSK : null) }
      : {
          cert: world.tls.server.cert,
          key: world.tls.server.key,
          ca: world.tls.ca,
          requestCert: true,
          rejectUnauthorized: true,
          ...(kind === 'tls12' ? { maxVersion: 'TLSv1.2' as const } : {}),
        },
  );
  const accepted: TLSSocket[] = [];
  const waiting: ((s: TLSSocket) => void)[] = [];
  server.on('secureConnection', (s: TLSSocket) => {
    const w = waiting.shift();
    if (w !== undefined) w(s);
    else accepted.push(s);
  });
  const port = await freePort();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const open = new Set<TLSSocket>();
  return {
    async connect(): Promise<TlsPair> {
      const serverSide = new Promise<TLSSocket>((resolve) => {
        const s = accepted.shift();
        if (s !== undefined) resolve(s);
        else waiting.push(resolve);
      });
      const client = connect(
        psk
          ? {
              host: '127.0.0.1',
              port,
              ...pskOptions,
              pskCallback: () => ({ psk: PSK, identity: PSK_IDENTITY }),
            }
          : {
              host: '127.0.0.1',
              port,
              ca: world.tls.ca,
              cert: world.tls.client.cert,
              key: world.tls.client.key,
              servername: 'localhost',
            },
      );
      client.on('error', () => undefined);
      await once(client, 'secureConnect');
      const serverSocket = await serverSide;
      serverSocket.on('error', () => undefined);
      open.add(client).add(serverSocket);
      return { server: serverSocket, client };
    },
    async close(): Promise<void> {
      for (const s of open) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Reads until `n` bytes arrived (or the socket ends), with a backstop. */
export function readBytes(socket: TLSSocket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => reject(new Error('readBytes backstop (10 s)')), 10_000);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size >= n) {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      }
    });
    socket.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}
