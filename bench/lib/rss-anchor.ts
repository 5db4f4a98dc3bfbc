// Bench helper (not a test): the floor a Node TLS terminator can reach, for proxy-rss's
// ratios. The same modes as teeinit's proxy with nothing but Node's tls and two pipes: no
// authorization rules, counters, timers or logs. Reads the same {config, tls, keys} JSON
// on stdin as proxy-serve.js and prints "ADDRESS <host:port>".
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  createServer as createTlsServer,
  createSecureContext,
  type TLSSocket,
} from 'node:tls';
import { onGcRequest } from './gc-request.js';

interface Input {
  config: { mode: string; target: string };
  tls: Record<string, { certPem: string; keyPem: string; caPem?: string }>;
  keys: Record<string, string>;
}

const PSK = {
  ciphers: 'TLS_AES_128_GCM_SHA256',
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
} as const;

function hostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

function relay(a: Socket, b: Socket): void {
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.pipe(b);
  b.pipe(a);
}

function serve(input: Input): ReturnType<typeof createNetServer> {
  const { mode, target } = input.config;
  const bundle = input.tls.server ?? input.tls.client;
  const key = Buffer.from(Object.values(input.keys)[0] ?? '', 'hex');
  const to = hostPort(target);
  if (mode === 'mtls-server' || mode === 'psk-server') {
    const options =
      mode === 'psk-server'
        ? { ...PSK, pskCallback: () => key }
        : {
            cert: bundle?.certPem,
            key: bundle?.keyPem,
            ca: bundle?.caPem,
            requestCert: true,
            rejectUnauthorized: true,
          };
    return createTlsServer(options, (socket: TLSSocket) => {
      // What any authorizing terminator reads: the peer certificate's names.
      if (mode === 'mtls-server') void socket.getPeerCertificate().subject;
      relay(socket, netConnect(to.port, to.host));
    });
  }
  const context =
    mode === 'mtls-client'
      ? createSecureContext({ cert: bundle?.certPem, key: bundle?.keyPem, ca: bundle?.caPem })
      : undefined;
  return createNetServer((local) => {
    const upstream =
      mode === 'psk-client'
        ? tlsConnect({ ...to, ...PSK, pskCallback: () => ({ psk: key, identity: 'c' }) })
        : tlsConnect({ ...to, secureContext: context, servername: 'localhost' });
    relay(local, upstream);
  });
}

let raw = '';
process.stdin.setEncoding('utf8').on('data', (d: string) => (raw += d));
process.stdin.on('end', () => {
  const server = serve(JSON.parse(raw) as Input);
  server.listen(0, '127.0.0.1', () => {
    const info = server.address();
    const port = typeof info === 'object' && info !== null ? info.port : 0;
    onGcRequest(); // before the address: the bench may signal as soon as it reads it
    process.stdout.write(`ADDRESS 127.0.0.1:${port}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
});
