// Benchmark (run by hand, not a test): what `attest` costs a connection through the proxies.
// One emulator run (its launchers give the tokens, once per proxy at start-up); per mode
// (mTLS, TLS-PSK) a client proxy in front of a server proxy in front of an echo, each proxy
// in its own process (proxy-serve.js), with and without `attest` both ways, and the anchor:
// haproxy originating and terminating mTLS the same way (two frontends, session reuse off,
// as teeinit's mtls-server resumes no session). A connection: plaintext connect to the
// client side, one byte, its echo, close, so it includes both TLS handshakes' work and,
// with attest, the exchange both ways. Interleaved rounds; per variant the latency of
// sequential connections (median, p95), connections per second with CONC at a time, and
// the CPU milliseconds per connection of the two proxy processes together (stable on a
// shared machine, where rates swing).
//   node dist/bench/proxy-attest.js
//   env: ROUNDS=3 SEQ=200 N=1000 CONC=16 TOKEN=OIDC|PKI
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ProxyAttestConfig } from '../src/config/types.js';
import { startAttestWorld } from '../test/attest/world.js';
import {
  BenchEnv,
  freePort,
  proxyConfig,
  startTeeinitProxy,
  waitPort,
  writeBenchPki,
  type BenchPki,
} from './lib/proxy-setup.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SEQ = Number(process.env.SEQ ?? 200);
const N = Number(process.env.N ?? 1000);
const CONC = Number(process.env.CONC ?? 16);
const TOKEN = (process.env.TOKEN ?? 'PKI') as 'OIDC' | 'PKI';
const env = new BenchEnv('teeinit-attest-bench-');

/** CPU seconds (user + system) a process has used (Linux). */
function cpuSeconds(pid: number | undefined): number {
  const fields =
    readFileSync(`/proc/${pid ?? 0}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One plaintext connection: connect, one byte, its echo, close; resolves with its ms. */
function oneConnection(port: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => s.write('x'));
    s.setTimeout(15_000, () => s.destroy(new Error('connection timeout')));
    s.once('data', () => {
      const ms = performance.now() - t0;
      s.end();
      s.once('close', () => resolve(ms));
    });
    s.on('error', reject);
    s.once('close', (hadError) => {
      if (!hadError) return;
      reject(new Error('closed'));
    });
  });
}

interface Variant {
  readonly name: string;
  readonly port: number;
  readonly pids: readonly (number | undefined)[];
  readonly latency: number[];
  readonly rates: number[];
  readonly cpuMs: number[];
}

async function measure(v: Variant): Promise<void> {
  const cpu0 = v.pids.reduce<number>((a, p) => a + cpuSeconds(p), 0);
  for (let i = 0; i < SEQ; i += 1) v.latency.push(await oneConnection(v.port));
  const t0 = performance.now();
  let left = N;
  await Promise.all(
    Array.from({ length: CONC }, async () => {
      while (left > 0) {
        left -= 1;
        await oneConnection(v.port);
      }
    }),
  );
  v.rates.push((N * 1000) / (performance.now() - t0));
  const cpu1 = v.pids.reduce<number>((a, p) => a + cpuSeconds(p), 0);
  v.cpuMs.push(((cpu1 - cpu0) * 1000) / (SEQ + N));
}

function quantile(samples: readonly number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

/** A client proxy → server proxy → echo pair of `mode`, each proxy in its own process. */
async function teeinitPair(
  mode: 'mtls' | 'psk',
  pki: BenchPki,
  echoPort: number,
  attest: { server?: ProxyAttestConfig; client?: ProxyAttestConfig },
): Promise<{ port: number; children: ChildProcess[] }> {
  const key = randomBytes(32).toString('hex');
  const tls = {
    server: { certPem: pki.server.cert, keyPem: pki.server.key, caPem: pki.ca.cert },
    client: { certPem: pki.client.cert, keyPem: pki.client.key, caPem: pki.ca.cert },
  };
  const server = await startTeeinitProxy(env, {
    config: proxyConfig({
      name: `${mode}-in`,
      mode: `${mode}-server`,
      target: `127.0.0.1:${echoPort}`,
      ...(mode === 'mtls'
        ? { tls: 'server', authorize: { ...NO_RULES, commonNames: ['bench-client'] } }
        : { identities: { c: 'k' } }),
      ...(attest.server === undefined ? {} : { attest: attest.server }),
    }),
    tls,
    keys: { k: key },
  });
  const client = await startTeeinitProxy(env, {
    config: proxyConfig({
      name: `${mode}-out`,
      mode: `${mode}-client`,
      target: `127.0.0.1:${server.port}`,
      ...(mode === 'mtls'
        ? { tls: 'client', serverName: 'localhost' }
        : { identities: { c: 'k' } }),
      ...(attest.client === undefined ? {} : { attest: attest.client }),
    }),
    tls,
    keys: { k: key },
  });
  return { port: client.port, children: [client.child, server.child] };
}

const NO_RULES = { allowAll: false, commonNames: [], dnsNames: [], uris: [], spkiSha256: [] };

/** haproxy: plaintext → mTLS origination → mTLS termination → echo, no session reuse. */
async function haproxyPair(echoPort: number): Promise<{ port: number; child: ChildProcess }> {
  const [out, inn] = [await freePort(), await freePort()];
  env.write(
    'client.pem',
    readFileSync(env.file('client.crt'), 'utf8') + readFileSync(env.file('client.key'), 'utf8'),
  );
  env.write(
    'haproxy-pair.cfg',
    [
      'global',
      '  maxconn 4000',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 30s',
      '  timeout server 30s',
      'frontend out',
      `  bind 127.0.0.1:${out}`,
      '  default_backend to_in',
      'backend to_in',
      `  server s 127.0.0.1:${inn} ssl crt ${env.file('client.pem')} ca-file ${env.file('ca.crt')} verify required verifyhost localhost sni str(localhost) no-ssl-reuse ssl-min-ver TLSv1.3`,
      'frontend in',
      `  bind 127.0.0.1:${inn} ssl crt ${env.file('server.pem')} ca-file ${env.file('ca.crt')} verify required ssl-min-ver TLSv1.3`,
      '  default_backend echo',
      'backend echo',
      `  server e 127.0.0.1:${echoPort}`,
      '',
    ].join('\n'),
  );
  const child = env.start('haproxy', ['-f', env.file('haproxy-pair.cfg')]);
  await waitPort(out);
  return { port: out, child };
}

async function main(): Promise<void> {
  const world = await startAttestWorld();
  const echo = createServer({ noDelay: true }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  try {
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const echoPort = (echo.address() as AddressInfo).port;
    const pki = await writeBenchPki(env, 'attest bench CA');
    const present = (socket: string) => ({
      audience: 'https://teeinit.test/attested-channel',
      tokenType: TOKEN,
      socket,
      startupDeadline: 10_000,
    });
    const both = {
      server: {
        present: present(world.emulator.vms.peer?.socketPath ?? ''),
        require: world.policy,
      },
      client: { present: present(world.emulator.socketPath), require: world.policy },
    };
    const variants: Variant[] = [];
    const add = (name: string, port: number, children: readonly ChildProcess[]): void => {
      variants.push({
        name,
        port,
        pids: children.map((c) => c.pid),
        latency: [],
        rates: [],
        cpuMs: [],
      });
    };
    const hap = await haproxyPair(echoPort);
    add('haproxy mTLS pair (anchor)', hap.port, [hap.child]);
    for (const mode of ['mtls', 'psk'] as const) {
      const plain = await teeinitPair(mode, pki, echoPort, {});
      add(`teeinit ${mode} pair`, plain.port, plain.children);
      const attested = await teeinitPair(mode, pki, echoPort, both);
      add(`teeinit ${mode} pair + attest both ways (${TOKEN})`, attested.port, attested.children);
    }
    // Warm-up: each variant's first connections verify the peer's token once (then cached).
    for (const v of variants) for (let i = 0; i < 20; i += 1) await oneConnection(v.port);
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const v of variants) await measure(v);
      console.log(`round ${round}/${ROUNDS} done`);
    }
    const anchor = variants[0]!;
    const anchorRate = quantile(anchor.rates, 0.5);
    console.log(
      `\n${SEQ} sequential + ${N} at ${CONC} concurrent connections per round, ${ROUNDS} rounds, ` +
        `${TOKEN} tokens; a connection = plaintext connect, 1 byte, its echo, close\n`,
    );
    console.log(
      'variant'.padEnd(46) +
        'p50 ms'.padStart(8) +
        'p95 ms'.padStart(8) +
        'conn/s'.padStart(9) +
        'vs anchor'.padStart(11) +
        'cpu ms/conn'.padStart(13),
    );
    for (const v of variants) {
      const rate = quantile(v.rates, 0.5);
      console.log(
        v.name.padEnd(46) +
          quantile(v.latency, 0.5).toFixed(2).padStart(8) +
          quantile(v.latency, 0.95).toFixed(2).padStart(8) +
          rate.toFixed(0).padStart(9) +
          (rate / anchorRate).toFixed(2).padStart(11) +
          quantile(v.cpuMs, 0.5).toFixed(2).padStart(13),
      );
    }
    for (const mode of ['mtls', 'psk']) {
      const plain = variants.find((v) => v.name === `teeinit ${mode} pair`)!;
      const attested = variants.find((v) => v.name.startsWith(`teeinit ${mode} pair + attest`))!;
      console.log(
        `${mode}: attest adds ${(quantile(attested.latency, 0.5) - quantile(plain.latency, 0.5)).toFixed(2)} ms (p50), ` +
          `${(quantile(attested.cpuMs, 0.5) - quantile(plain.cpuMs, 0.5)).toFixed(2)} ms CPU per connection; ` +
          `conn/s ${(quantile(attested.rates, 0.5) / quantile(plain.rates, 0.5)).toFixed(2)} of without`,
      );
    }
  } finally {
    echo.close();
    env.close();
    await world.stop();
  }
}

await main();
