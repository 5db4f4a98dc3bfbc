// Benchmark driver (run by hand, not a test): one teeinit mtls-server in its own process
// (optionally under `node --cpu-prof`) and haproxy in front of the same plaintext redis,
// redis-benchmark GET interleaved, printing the ratio per round. For profiling the relay.
//   node dist/bench/proxy-ab.js
//   env: N=50000 ROUNDS=3 CONNS=50 PROF=dir NODE_ARGS="..." HAPROXY_THREADS=n PROXY_EXTRA='{json}'
//   A/B: OTHER=path/to/proxy-serve.js (another build; default this one) with OTHER_NODE_ARGS,
//   OTHER_EXTRA='{json merged into its config}'. The machine is shared: compare the CPU
//   microseconds per request (stable) more than rps (noisy).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  BenchEnv,
  PROXY_SERVE,
  freePort,
  haproxyConfig,
  proxyConfig,
  redisBenchmark,
  startTeeinitProxy,
  waitPort,
  writeBenchPki,
} from './lib/proxy-setup.js';

const N = Number(process.env.N ?? 50000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNS = Number(process.env.CONNS ?? 50);
const PROXY_EXTRA = JSON.parse(process.env.PROXY_EXTRA ?? '{}') as object;
const env = new BenchEnv('teeinit-ab-');

/** CPU seconds (user, system) a process and its direct children (cluster workers) have used. */
function cpu(pid: number | undefined): [number, number] {
  const fields =
    readFileSync(`/proc/${pid ?? 0}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid ?? 0}/task/${pid ?? 0}/children`, 'utf8')
      .split(' ')
      .filter((c) => c !== '')
      .map(Number);
  } catch {
    // no children file: none
  }
  return children
    .map(cpu)
    .reduce<[number, number]>(
      ([u, s], [cu, cs]) => [u + cu, s + cs],
      [Number(fields[11]) / 100, Number(fields[12]) / 100],
    );
}

async function measured(
  port: number,
  pid: number | undefined,
): Promise<{ rps: number; p50: number; cpu: string; cpuUs: number }> {
  const [u0, s0] = cpu(pid);
  const r = await bench(port);
  const [u1, s1] = cpu(pid);
  const per = (x: number): string => ((x * 1e6) / N).toFixed(0);
  return {
    ...r,
    cpuUs: ((u1 - u0 + s1 - s0) * 1e6) / N,
    cpu: `cpu/req usr ${per(u1 - u0)}us sys ${per(s1 - s0)}us`,
  };
}

async function bench(port: number): Promise<{ rps: number; p50: number }> {
  const rows = await redisBenchmark(env, port, { tests: 'get', conns: CONNS, n: N, tls: true });
  const row = rows.get('GET');
  return { rps: Number(row?.[1]), p50: Number(row?.[4]) };
}

async function main(): Promise<void> {
  const { ca, server } = await writeBenchPki(env, 'ab CA');
  const [redisPort, haproxyPort] = [await freePort(), await freePort()];
  env.start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '']);
  await waitPort(redisPort);
  env.write('haproxy.cfg', haproxyConfig(env, haproxyPort, redisPort, process.env.HAPROXY_THREADS));
  const haproxy = env.start('haproxy', ['-f', env.file('haproxy.cfg')]);
  const config = proxyConfig({
    name: 'ab',
    mode: 'mtls-server',
    target: `127.0.0.1:${redisPort}`,
    tls: 'server',
    authorize: { allowAll: true, commonNames: [], dnsNames: [], uris: [], spkiSha256: [] },
    ...PROXY_EXTRA,
  });
  const split = (v: string | undefined): string[] => (v ?? '').split(' ').filter((x) => x !== '');
  const nodeArgs = split(process.env.NODE_ARGS);
  if (process.env.PROF !== undefined)
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`);
  const tls = { server: { certPem: server.cert, keyPem: server.key, caPem: ca.cert } };
  // OTHER=/path/to/other/dist/bench/lib/proxy-serve.js adds a second teeinit build (A/B).
  const builds: [string, string, string[], object][] = [['teeinit', PROXY_SERVE, nodeArgs, config]];
  if (['OTHER', 'OTHER_EXTRA', 'OTHER_NODE_ARGS'].some((k) => process.env[k] !== undefined)) {
    const extra = JSON.parse(process.env.OTHER_EXTRA ?? '{}') as object;
    const args = [...split(process.env.OTHER_NODE_ARGS), ...nodeArgs];
    builds.push(['other', process.env.OTHER ?? PROXY_SERVE, args, { ...config, ...extra }]);
  }
  const proxies: { name: string; child: ChildProcess; port: number }[] = [];
  for (const [name, script, args, cfg] of builds) {
    const { child, port } = await startTeeinitProxy(env, { config: cfg, tls }, script, args);
    proxies.push({ name, child, port });
  }
  await waitPort(haproxyPort);
  const ratios = new Map<string, number[]>();
  const cpuUs = new Map<string, number[]>();
  for (let round = 1; round <= ROUNDS; round += 1) {
    const h = await measured(haproxyPort, haproxy.pid);
    let line = `round ${round}: haproxy ${h.rps.toFixed(0)} rps p50 ${h.p50} ${h.cpu}`;
    for (const p of proxies) {
      const t = await measured(p.port, p.child.pid);
      ratios.set(p.name, [...(ratios.get(p.name) ?? []), t.rps / h.rps]);
      cpuUs.set(p.name, [...(cpuUs.get(p.name) ?? []), t.cpuUs]);
      cpuUs.set('haproxy', [...(cpuUs.get('haproxy') ?? []), h.cpuUs]);
      line += ` | ${p.name} ${t.rps.toFixed(0)} rps p50 ${t.p50} ${t.cpu} ratio ${(t.rps / h.rps).toFixed(2)}`;
    }
    console.log(line);
  }
  for (const [name, r] of ratios) {
    r.sort((x, y) => x - y);
    const c = cpuUs.get(name) ?? [];
    const h = cpuUs.get('haproxy') ?? [];
    const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / Math.max(1, x.length);
    console.log(
      `${name}: median ratio ${r[Math.floor(r.length / 2)]?.toFixed(2)}, mean CPU ${mean(c).toFixed(1)} us/req (haproxy ${mean(h).toFixed(1)})`,
    );
  }
  for (const p of proxies) {
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGTERM');
    await exited;
  }
}

try {
  await main();
} finally {
  env.close();
}
