// Benchmark (run by hand, not a test): memory of a teeinit proxy process per mode under
// many short connections, so that a leak per connection shows. For each mode, teeinit's
// proxy (proxy-serve.js) and the anchor, a bare Node terminator of the same mode
// (lib/rss-anchor.js, same Node binary, same certificates), each in its own process under
// --expose-gc, take N connections (a handshake, 5 bytes echoed, close), CONC at a time.
// RSS is read at start, right after the N connections (`live`), and after IDLE seconds
// without traffic and a full GC (SIGUSR2, lib/gc-request.ts: `idle`, what stays).
// KB/conn is (idle - start) / N: what each connection left behind. Readings taken right
// after a GC under load swing by 10-20 MB (V8 and malloc give pages back seconds later),
// so only the settled end state is compared. Ratios: teeinit / anchor.
//   node dist/bench/proxy-rss.js
//   env: N=12000 CONC=16 IDLE=10 MODES=mtls-server,psk-server,mtls-client,psk-client
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  createSecureContext,
  createServer as createTlsServer,
  type SecureContext,
} from 'node:tls';
import { fileURLToPath } from 'node:url';
import {
  BenchEnv,
  proxyConfig,
  startTeeinitProxy,
  writeBenchPki,
  type BenchPki,
} from './lib/proxy-setup.js';

const N = Number(process.env.N ?? 12000);
const CONC = Number(process.env.CONC ?? 16);
const IDLE = Number(process.env.IDLE ?? 10);
const MODES = (process.env.MODES ?? 'mtls-server,psk-server,mtls-client,psk-client').split(',');
const ANCHOR = fileURLToPath(new URL('./lib/rss-anchor.js', import.meta.url));
const PSK_TLS = {
  ciphers: 'TLS_AES_128_GCM_SHA256',
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
} as const;
const env = new BenchEnv('teeinit-rss-');

/** Resident set size of a process in MB (Linux). */
function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid ?? 0}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

/** What one mode needs: the proxy's input, the target the bench serves, how a client connects. */
interface ModeSetup {
  readonly input: { config: object; tls: object; keys: object };
  /** Opens one client connection to the proxy on `port`; it sends on `ready`. */
  open(port: number): { socket: Socket; ready: string };
  close(): void;
}

async function setupMode(mode: string, pki: BenchPki): Promise<ModeSetup> {
  const key = randomBytes(32);
  const keys = { k: key.toString('hex') };
  const bundle = (leaf: { cert: string; key: string }): object => ({
    certPem: leaf.cert,
    keyPem: leaf.key,
    caPem: pki.ca.cert,
  });
  const server = mode.endsWith('-server');
  // Server modes relay to a plaintext echo; client modes dial a TLS echo served here.
  const echo = server
    ? createNetServer((s) => (s.on('error', () => undefined), s.pipe(s)))
    : createTlsServer(
        mode === 'psk-client'
          ? { ...PSK_TLS, pskCallback: () => key }
          : {
              cert: pki.server.cert,
              key: pki.server.key,
              ca: pki.ca.cert,
              requestCert: true,
              rejectUnauthorized: true,
            },
        (s) => (s.on('error', () => undefined), s.pipe(s)),
      );
  const port = await new Promise<number>((resolve) =>
    echo.listen(0, '127.0.0.1', () => resolve((echo.address() as { port: number }).port)),
  );
  const target = `127.0.0.1:${port}`;
  const psk = mode.startsWith('psk');
  const config = proxyConfig({
    name: mode,
    mode,
    target,
    ...(psk ? { identities: { c: 'k' } } : { tls: server ? 'server' : 'client' }),
    ...(mode === 'mtls-server'
      ? {
          authorize: {
            allowAll: false,
            commonNames: ['bench-client'],
            dnsNames: [],
            uris: [],
            spkiSha256: [],
          },
        }
      : {}),
    ...(mode === 'mtls-client' ? { serverName: 'localhost' } : {}),
  });
  const tls = psk
    ? {}
    : { [server ? 'server' : 'client']: bundle(server ? pki.server : pki.client) };
  const context: SecureContext = createSecureContext({
    cert: pki.client.cert,
    key: pki.client.key,
    ca: pki.ca.cert,
  });
  return {
    input: { config, tls, keys },
    open(p) {
      if (!server) return { socket: netConnect(p, '127.0.0.1'), ready: 'connect' };
      const socket =
        mode === 'psk-server'
          ? tlsConnect({
              port: p,
              host: '127.0.0.1',
              ...PSK_TLS,
              pskCallback: () => ({ psk: key, identity: 'c' }),
            })
          : tlsConnect({
              port: p,
              host: '127.0.0.1',
              servername: 'localhost',
              secureContext: context,
            });
      return { socket, ready: 'secureConnect' };
    },
    close: () => void echo.close(),
  };
}

/** `count` connections, CONC at a time: each sends 5 bytes, waits for the echo and closes. */
async function drive(setup: ModeSetup, port: number, count: number): Promise<number> {
  let started = 0;
  let failed = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const { socket, ready } = setup.open(port);
      const timer = setTimeout(() => socket.destroy(new Error('timeout')), 10000);
      let echoed = false;
      socket.once(ready, () => socket.write('hello'));
      socket.on('data', () => {
        echoed = true;
        socket.end();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        if (!echoed) failed += 1;
        resolve();
      });
    });
  const worker = async (): Promise<void> => {
    while (started < count) {
      started += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: CONC }, worker));
  return failed;
}

interface Sample {
  readonly start: number;
  readonly live: number;
  readonly idle: number;
  readonly failed: number;
}

/** RSS after a full GC in the child (it answers "GC" on stdout when done). */
async function collectedRss(child: ChildProcess): Promise<number> {
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no GC answer within 30 s')), 30000);
    const onData = (d: Buffer): void => {
      if (!d.toString().includes('GC')) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
  });
  child.kill('SIGUSR2');
  await done;
  return rssMb(child.pid);
}

async function measure(setup: ModeSetup, script?: string): Promise<Sample> {
  const { child, port } = await startTeeinitProxy(env, setup.input, script, ['--expose-gc']);
  try {
    const start = await collectedRss(child);
    const failed = await drive(setup, port, N);
    const live = rssMb(child.pid);
    await new Promise((r) => setTimeout(r, IDLE * 1000));
    return { start, live, idle: await collectedRss(child), failed };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

function row(mode: string, name: string, s: Sample, anchor?: Sample): string {
  const mb = (x: number): string => x.toFixed(1).padStart(7);
  const perConn = (((s.idle - s.start) * 1024) / N).toFixed(2);
  let line = `${mode.padEnd(12)} ${name.padEnd(8)} ${mb(s.start)} ${mb(s.live)} ${mb(s.idle)} ${perConn.padStart(8)}`;
  if (anchor !== undefined)
    line += `    ${(s.live / anchor.live).toFixed(2)}  ${(s.idle / anchor.idle).toFixed(2)}`;
  return s.failed > 0 ? `${line}   (${s.failed} connections failed)` : line;
}

async function main(): Promise<void> {
  const pki = await writeBenchPki(env, 'rss CA');
  console.log(`node ${process.version}, N=${N} connections, ${CONC} at a time, idle ${IDLE} s`);
  console.log('RSS in MB; start and idle after a full GC; KB/conn = (idle - start) / N');
  console.log('mode         process    start    live    idle  KB/conn    ratio live  idle');
  for (const mode of MODES) {
    const setup = await setupMode(mode, pki);
    try {
      const anchor = await measure(setup, ANCHOR);
      console.log(row(mode, 'anchor', anchor));
      console.log(row(mode, 'teeinit', await measure(setup), anchor));
    } finally {
      setup.close();
    }
  }
}

try {
  await main();
} finally {
  env.close();
}
