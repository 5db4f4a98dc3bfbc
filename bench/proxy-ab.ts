// Benchmark driver (run by hand, not a test): one teeinit mtls-server in its own process
// (optionally under `node --cpu-prof`) and haproxy in front of the same plaintext redis,
// redis-benchmark GET interleaved, printing the ratio per round. For profiling the relay.
//   node dist/bench/proxy-ab.js
//   env: N=50000 ROUNDS=3 CONNS=50 PROF=dir NODE_ARGS="..." HAPROXY_THREADS=n PROXY_EXTRA='{json}'
//   A/B: OTHER=path/to/proxy-serve.js (another build; default this one) with OTHER_NODE_ARGS,
//   OTHER_EXTRA='{json merged into its config}'. The machine is shared: compare the CPU
//   microseconds per request (stable) more than rps (noisy).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCa, issueCert } from '../emulator/pki.js';

const N = Number(process.env.N ?? 50000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNS = Number(process.env.CONNS ?? 50);
const PROXY_EXTRA = JSON.parse(process.env.PROXY_EXTRA ?? '{}') as object;
const dir = mkdtempSync(join(tmpdir(), 'teeinit-ab-'));
const file = (n: string): string => join(dir, n);
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const up = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened`);
}

function start(cmd: string, args: string[], input?: string): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  if (input !== undefined) child.stdin?.end(input);
  return child;
}

function output(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

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
  const csv = await output('redis-benchmark', [
    ...['-h', '127.0.0.1', '-p', String(port), '-t', 'get', '-c', String(CONNS)],
    ...['-n', String(N), '--csv', '--tls', '--cacert', file('ca.crt')],
    ...['--cert', file('client.crt'), '--key', file('client.key')],
  ]);
  const row = csv
    .split('\n')
    .find((l) => l.startsWith('"GET"'))
    ?.split(',')
    .map((c) => c.replace(/"/g, ''));
  return { rps: Number(row?.[1]), p50: Number(row?.[4]) };
}

async function main(): Promise<void> {
  const ca = await createCa('ab CA');
  const server = await issueCert(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
    usage: 'server',
  });
  const client = await issueCert(ca, { commonName: 'bench-client', usage: 'client' });
  const w = (n: string, b: string): void => writeFileSync(file(n), b, { mode: 0o600 });
  w('ca.crt', ca.cert);
  w('client.crt', client.cert);
  w('client.key', client.key);
  w('server.pem', server.cert + server.key);
  const [redisPort, haproxyPort] = [await freePort(), await freePort()];
  start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '']);
  await waitPort(redisPort);
  w(
    'haproxy.cfg',
    `global\n  maxconn 1000\n${process.env.HAPROXY_THREADS === undefined ? '' : `  nbthread ${process.env.HAPROXY_THREADS}\n`}defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 300s\n  timeout server 300s\nfrontend f\n  bind 127.0.0.1:${haproxyPort} ssl crt ${file('server.pem')} ca-file ${file('ca.crt')} verify required\n  default_backend b\nbackend b\n  server r 127.0.0.1:${redisPort}\n`,
  );
  const haproxy = start('haproxy', ['-f', file('haproxy.cfg')]);
  const config = {
    name: 'ab',
    mode: 'mtls-server',
    listen: '127.0.0.1:0',
    target: `127.0.0.1:${redisPort}`,
    tls: 'server',
    sniCa: {},
    identities: {},
    tlsVersion: '1.3',
    unsafeNonLoopback: false,
    start: 'before-processes',
    authorize: { allowAll: true, commonNames: [], dnsNames: [], uris: [], spkiSha256: [] },
    limits: {
      handshakeTimeout: 10000,
      idleTimeout: 300000,
      maxLifetime: 0,
      maxConnections: 10000,
      connectTimeout: 5000,
    },
    ...PROXY_EXTRA,
  };
  const nodeArgs = (process.env.NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  if (process.env.PROF !== undefined)
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`);
  const input = JSON.stringify({
    config: 'CONFIG',
    tls: { server: { certPem: server.cert, keyPem: server.key, caPem: ca.cert } },
    keys: {},
  });
  // OTHER=/path/to/other/dist/bench/proxy-serve.js adds a second teeinit build (A/B).
  const here = fileURLToPath(new URL('./proxy-serve.js', import.meta.url));
  const split = (v: string | undefined): string[] => (v ?? '').split(' ').filter((x) => x !== '');
  const builds: [string, string, string[], object][] = [['teeinit', here, nodeArgs, config]];
  if (['OTHER', 'OTHER_EXTRA', 'OTHER_NODE_ARGS'].some((k) => process.env[k] !== undefined)) {
    const extra = JSON.parse(process.env.OTHER_EXTRA ?? '{}') as object;
    const args = [...split(process.env.OTHER_NODE_ARGS), ...nodeArgs];
    builds.push(['other', process.env.OTHER ?? here, args, { ...config, ...extra }]);
  }
  const proxies: { name: string; child: ChildProcess; port: number }[] = [];
  for (const [name, script, args, cfg] of builds) {
    const child = start(
      process.execPath,
      [...args, script],
      input.replace('"CONFIG"', JSON.stringify(cfg)),
    );
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /ADDRESS \S+:(\d+)/.exec(out);
        if (m?.[1] !== undefined) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error('proxy-serve exited')));
    });
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
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
