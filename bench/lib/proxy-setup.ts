// Shared setup of the proxy benchmarks (proxy-redis, proxy-ab): a temp dir with fresh
// certificates, child processes killed at the end, free ports, a teeinit proxy in its own
// process (proxy-serve.js), haproxy's config and redis-benchmark's CSV.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCa, issueCert, type IssuedCa, type Pem } from '../../emulator/pki.js';

/** proxy-serve.js of this build. */
export const PROXY_SERVE = fileURLToPath(new URL('./proxy-serve.js', import.meta.url));

/** Why: every bench writes its files in one temp dir and must leave no child behind. */
export class BenchEnv {
  readonly dir: string;
  readonly #children: ChildProcess[] = [];

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, text: string): void {
    writeFileSync(this.file(name), text, { mode: 0o600 });
  }

  /** A long-running child (server, proxy), SIGTERMed by close(). */
  start(cmd: string, args: string[], input?: string): ChildProcess {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#children.push(child);
    if (input !== undefined) child.stdin?.end(input);
    return child;
  }

  close(): void {
    for (const c of this.#children)
      if (c.exitCode === null && c.pid !== undefined) c.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A client's stdout once it has exited (SIGKILLed after 5 minutes). */
export function output(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300000);
    child.on('error', reject);
    child.on('close', () => (clearTimeout(timer), resolve(out)));
  });
}

export { freePort } from '../../scripts/loopback-port.js';

/** Polls a connect to 127.0.0.1:port every 50 ms, 200 times at most. */
export async function waitPort(port: number): Promise<void> {
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

/** Fresh CA, server (localhost) and client (CN bench-client) certificates. */
export interface BenchPki {
  readonly ca: IssuedCa;
  readonly server: Pem;
  readonly client: Pem;
}

/** Issues the PKI and writes ca.crt, server.{crt,key,pem} and client.{crt,key}. */
export async function writeBenchPki(env: BenchEnv, caName: string): Promise<BenchPki> {
  const ca = await createCa(caName);
  const server = await issueCert(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
    usage: 'server',
  });
  const client = await issueCert(ca, { commonName: 'bench-client', usage: 'client' });
  env.write('ca.crt', ca.cert);
  env.write('server.crt', server.cert);
  env.write('server.key', server.key);
  env.write('server.pem', server.cert + server.key);
  env.write('client.crt', client.cert);
  env.write('client.key', client.key);
  return { ca, server, client };
}

/** haproxy terminating mTLS on `port` in front of 127.0.0.1:`backend`. */
export function haproxyConfig(
  env: BenchEnv,
  port: number,
  backend: number,
  threads?: string,
): string {
  return `global\n  maxconn 1000\n${threads === undefined ? '' : `  nbthread ${threads}\n`}defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 300s\n  timeout server 300s\nfrontend f\n  bind 127.0.0.1:${port} ssl crt ${env.file('server.pem')} ca-file ${env.file('ca.crt')} verify required\n  default_backend b\nbackend b\n  server r 127.0.0.1:${backend}\n`;
}

/** A normalized ProxyConfig listening on 127.0.0.1:0 with bench limits; `fields` on top. */
export function proxyConfig(fields: object): object {
  return {
    listen: '127.0.0.1:0',
    sniCa: {},
    identities: {},
    tlsVersion: '1.3',
    unsafeNonLoopback: false,
    start: 'before-processes',
    authorize: { allowAll: false, commonNames: [], dnsNames: [], uris: [], spkiSha256: [] },
    limits: {
      handshakeTimeout: 10000,
      idleTimeout: 300000,
      maxLifetime: 0,
      maxConnections: 10000,
      connectTimeout: 5000,
      maxHandshakesPerSource: 64,
    },
    ...fields,
  };
}

/** What proxy-serve.js reads on stdin (keys hex, PEMs as text). */
export interface ServeInput {
  readonly config: object;
  readonly tls: object;
  readonly keys?: object;
}

/** Starts proxy-serve.js (this build or `script`) and resolves with its listening port. */
export async function startTeeinitProxy(
  env: BenchEnv,
  input: ServeInput,
  script = PROXY_SERVE,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = env.start(
    process.execPath,
    [...nodeArgs, script],
    JSON.stringify({ keys: {}, ...input }),
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
  return { child, port };
}

/** redis-benchmark `-t tests` on 127.0.0.1:port (mTLS with the bench PKI when `tls`). */
export async function redisBenchmark(
  env: BenchEnv,
  port: number,
  options: { tests: string; conns: number; n: number; tls: boolean },
): Promise<Map<string, string[]>> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', options.tests];
  args.push('-c', String(options.conns), '-n', String(options.n), '--csv');
  if (options.tls) {
    args.push('--tls', '--cacert', env.file('ca.crt'));
    args.push('--cert', env.file('client.crt'), '--key', env.file('client.key'));
  }
  const csv = await output('redis-benchmark', args);
  // Rows like "GET","12345.67","0.2",... : test name → columns without quotes.
  const rows = new Map<string, string[]>();
  for (const line of csv.split('\n')) {
    const m = /^"([A-Z]+)"/.exec(line);
    if (m?.[1] !== undefined && !rows.has(m[1]))
      rows.set(
        m[1],
        line.split(',').map((c) => c.replace(/"/g, '')),
      );
  }
  return rows;
}
