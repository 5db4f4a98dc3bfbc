// Benchmark (run by hand, not a test): redis-benchmark --tls with a client certificate
// against teeinit mtls-server, stunnel, haproxy, redis native TLS and plaintext — same
// certificates, same redis; bulk MB/s; psk-server vs stunnel PSK with a Node ping-pong
// client. Prints a table with the ratio against haproxy.
//   node dist/bench/proxy-redis.js   (env: N=100000 ROUNDS=3 CONNS=50)
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  BenchEnv,
  freePort,
  haproxyConfig,
  output,
  proxyConfig,
  redisBenchmark,
  startTeeinitProxy,
  waitPort,
  writeBenchPki,
} from './lib/proxy-setup.js';

const N = Number(process.env.N ?? 100000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNS = Number(process.env.CONNS ?? 50);
const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const env = new BenchEnv('teeinit-bench-');
const file = (n: string): string => env.file(n);

async function teeinit(config: object, tls: object, keys: object = {}): Promise<number> {
  return (await startTeeinitProxy(env, { config, tls, keys })).port;
}

const rules = {
  allowAll: false,
  commonNames: ['bench-client'],
  dnsNames: [],
  uris: [],
  spkiSha256: [],
};

interface Row {
  name: string;
  set: number;
  get: number;
  p50: number;
  p99: number;
}

async function redisBench(
  port: number,
  tls: boolean,
): Promise<{ set: number; get: number; p50: number; p99: number }> {
  const rows = await redisBenchmark(env, port, { tests: 'set,get', conns: CONNS, n: N, tls });
  const get = rows.get('GET') ?? [];
  return {
    set: Number(rows.get('SET')?.[1]),
    get: Number(get[1]),
    p50: Number(get[4]),
    p99: Number(get[6]),
  };
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const { ca, server, client } = await writeBenchPki(env, 'bench CA');
  const w = (n: string, b: string): void => env.write(n, b);
  const psk = randomBytes(32).toString('hex');
  w('psk.txt', `Client1:${psk}\n`);

  const [plainPort, tlsPort, tlsProxy, stunnelPort, haproxyPort, stunnelPsk, echoPort] =
    (await Promise.all(Array.from({ length: 7 }, freePort))) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
  env.start('redis-server', [
    '--port',
    String(plainPort),
    '--tls-port',
    String(tlsPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--tls-cert-file',
    file('server.crt'),
    '--tls-key-file',
    file('server.key'),
    '--tls-ca-cert-file',
    file('ca.crt'),
    '--tls-auth-clients',
    'yes',
  ]);
  await waitPort(plainPort);
  const tlsMaterial = { server: { certPem: server.cert, keyPem: server.key, caPem: ca.cert } };
  const teeinitPort = await teeinit(
    proxyConfig({
      authorize: rules,
      name: 'bench',
      mode: 'mtls-server',
      target: `127.0.0.1:${plainPort}`,
      tls: 'server',
    }),
    tlsMaterial,
  );
  w(
    'stunnel.conf',
    `foreground = yes\npid =\ndebug = 3\n[redis]\naccept = 127.0.0.1:${stunnelPort}\nconnect = 127.0.0.1:${plainPort}\ncert = ${file('server.crt')}\nkey = ${file('server.key')}\nCAfile = ${file('ca.crt')}\nverifyChain = yes\n` +
      `[psk]\naccept = 127.0.0.1:${stunnelPsk}\nconnect = 127.0.0.1:${echoPort}\nPSKsecrets = ${file('psk.txt')}\nsslVersionMin = TLSv1.3\nciphersuites = TLS_AES_128_GCM_SHA256\n`,
  );
  env.start('stunnel', [file('stunnel.conf')]);
  w('haproxy.cfg', haproxyConfig(env, haproxyPort, plainPort));
  env.start('haproxy', ['-f', file('haproxy.cfg')]);
  // Echo/sink target for bulk and PSK runs.
  const echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(echoPort, '127.0.0.1', r));
  const pskPort = await teeinit(
    proxyConfig({
      authorize: rules,
      name: 'psk',
      mode: 'psk-server',
      target: `127.0.0.1:${echoPort}`,
      identities: { Client1: 'k' },
    }),
    {},
    { k: psk },
  );
  const bulkPort = await teeinit(
    proxyConfig({
      authorize: rules,
      name: 'bulk',
      mode: 'mtls-server',
      target: `127.0.0.1:${echoPort}`,
      tls: 'server',
    }),
    tlsMaterial,
  );
  await Promise.all([tlsPort, stunnelPort, haproxyPort, stunnelPsk].map(waitPort));
  void tlsProxy;

  const targets: [string, number, boolean][] = [
    ['teeinit mtls-server', teeinitPort, true],
    ['haproxy', haproxyPort, true],
    ['stunnel', stunnelPort, true],
    ['redis native TLS', tlsPort, true],
    ['plaintext (no TLS)', plainPort, false],
  ];
  const results = new Map<string, { set: number[]; get: number[]; p50: number[]; p99: number[] }>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, port, tls] of targets) {
      const r = await redisBench(port, tls);
      const acc = results.get(name) ?? { set: [], get: [], p50: [], p99: [] };
      acc.set.push(r.set);
      acc.get.push(r.get);
      acc.p50.push(r.p50);
      acc.p99.push(r.p99);
      results.set(name, acc);
      process.stderr.write(`round ${round + 1} ${name}: SET ${r.set} GET ${r.get} p50 ${r.p50}\n`);
    }
  }
  const rows: Row[] = targets.map(([name]) => {
    const a = results.get(name)!;
    return { name, set: median(a.set), get: median(a.get), p50: median(a.p50), p99: median(a.p99) };
  });
  const hap = rows.find((r) => r.name === 'haproxy')!;
  console.log(
    `\nredis-benchmark -c ${CONNS} -n ${N}, median of ${ROUNDS} interleaved rounds (GET latency)`,
  );
  console.log('| target | SET rps | GET rps | GET p50 ms | GET p99 ms | GET ratio vs haproxy |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.set.toFixed(0)} | ${r.get.toFixed(0)} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${(r.get / hap.get).toFixed(2)} |`,
    );

  const load = here('./lib/proxy-load.js');
  const certJson = JSON.stringify({ ca: ca.cert, cert: client.cert, key: client.key });
  const bulk = async (port: number): Promise<number> =>
    (
      JSON.parse(await output(process.execPath, [load, 'bulk', String(port), '512', certJson])) as {
        mbps: number;
      }
    ).mbps;
  // haproxy/stunnel bulk go to redis' port in their config, so measure teeinit's echo path only.
  console.log(
    `\nbulk through teeinit mtls-server to an echo target (512 MB each way, one connection): ${(await bulk(bulkPort)).toFixed(0)} MB/s`,
  );

  const pskJson = JSON.stringify({ psk, identity: 'Client1' });
  console.log(
    '\nPSK TLS 1.3 ping-pong, 32-byte messages, 50 connections, 100000 round trips (Node client)',
  );
  console.log('| target | rps | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|');
  for (const [name, port] of [
    ['teeinit psk-server', pskPort],
    ['stunnel PSK', stunnelPsk],
  ] as const) {
    const r = JSON.parse(
      await output(process.execPath, [load, 'pingpong', String(port), '50', '100000', pskJson]),
    ) as { rps: number; p50: number; p99: number };
    console.log(`| ${name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} |`);
  }
  echo.close();
}

try {
  await main();
} finally {
  env.close();
}
