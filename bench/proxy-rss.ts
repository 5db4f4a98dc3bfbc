// Benchmark (run by hand, not a test): memory of a teeinit proxy process per mode under
// many short connections, so that a leak per connection shows. For each mode, teeinit's
// proxy (proxy-serve.js) and the anchor, a bare Node terminator of the same mode
// (lib/rss-anchor.js, same Node binary, same certificates), each in its own process under
// --expose-gc --max-semi-space-size=1, take ROUNDS batches of N / ROUNDS connections (a handshake, 5 bytes echoed,
// close), CONC at a time. After each batch: SETTLE seconds without traffic, a full GC
// (SIGUSR2, lib/gc-request.ts), then the settled RSS. The first batch takes the process to
// its high-water mark (heap, malloc arenas, caches), so KB/conn is the growth from the
// second settled reading to the last, per connection: near 0 without a leak, kilobytes
// when every connection leaves memory behind. `live` is the RSS right after the last batch,
// `idle` after IDLE more seconds and a GC. Ratios: teeinit / anchor. The small young
// generation keeps V8's own page pool out of the readings: with Node's default, RSS after a
// GC swung by 10-20 MB depending on when V8 gave its pages back, hiding a leak of 5 KB per
// connection over a few thousand connections; with 1 MB, readings stay within ~1 MB.
//   node dist/bench/proxy-rss.js
//   env: N=16000 ROUNDS=4 CONC=16 SETTLE=2 IDLE=10 MODES=mtls-server,psk-server,mtls-client,psk-client
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

const N = Number(process.env.N ?? 16000);
const ROUNDS = Math.max(3, Number(process.env.ROUNDS ?? 4));
const BATCH = Math.floor(N / ROUNDS);
const SETTLE = Number(process.env.SETTLE ?? 2);
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
  /** Settled RSS (MB) after each batch of N / ROUNDS connections. */
  readonly settled: readonly number[];
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
  const { child, port } = await startTeeinitProxy(env, setup.input, script, [
    '--expose-gc',
    '--max-semi-space-size=1',
  ]);
  const pause = (seconds: number): Promise<unknown> =>
    new Promise((r) => setTimeout(r, seconds * 1000));
  try {
    const settled: number[] = [];
    let failed = 0;
    let live = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      failed += await drive(setup, port, BATCH);
      live = rssMb(child.pid);
      await pause(SETTLE);
      settled.push(await collectedRss(child));
    }
    await pause(IDLE);
    return { settled, live, idle: await collectedRss(child), failed };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

/** KB per connection from the second settled reading to the last (past the high-water mark). */
function slope(s: Sample): number {
  const from = s.settled[1] ?? 0;
  const to = s.settled[s.settled.length - 1] ?? 0;
  return ((to - from) * 1024) / (BATCH * (s.settled.length - 2));
}

function row(mode: string, name: string, s: Sample, anchor?: Sample): string {
  const mb = (x: number): string => x.toFixed(1).padStart(7);
  const rounds = s.settled.map(mb).join('');
  let line = `${mode.padEnd(12)} ${name.padEnd(8)}${rounds} ${mb(s.live)} ${mb(s.idle)} ${slope(s).toFixed(2).padStart(8)}`;
  if (anchor !== undefined)
    line += `    ${(s.live / anchor.live).toFixed(2)}  ${(s.idle / anchor.idle).toFixed(2)}`;
  return s.failed > 0 ? `${line}   (${s.failed} connections failed)` : line;
}

async function main(): Promise<void> {
  const pki = await writeBenchPki(env, 'rss CA');
  console.log(
    `node ${process.version}, ${ROUNDS} batches of ${BATCH} connections, ${CONC} at a time`,
  );
  console.log(
    `RSS in MB after each batch (${SETTLE} s quiet, full GC), right after the last (live) and ${IDLE} s later (idle)`,
  );
  console.log(
    `KB/conn: growth from batch 2 to batch ${ROUNDS} per connection (a leak grows it linearly)`,
  );
  const heads = Array.from({ length: ROUNDS }, (_, i) => `#${i + 1}`.padStart(7)).join('');
  console.log(`mode         process ${heads}    live    idle  KB/conn    ratio live  idle`);
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
