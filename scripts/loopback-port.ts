// Loopback ports for servers that cannot listen on port 0 (redis, postgres, teeinit's own
// listeners in a config): one implementation for the demo, the tests and the benchmarks.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const handedOut = new Set<number>();

/**
 * Ports handed out by any process on this machine: a file per port holding the owner's pid,
 * created exclusively, removed when the owner exits. Test files run in parallel processes;
 * without it two of them could draw the same port before either server binds it.
 */
const RESERVATIONS = join(tmpdir(), 'teeinit-loopback-ports');

/**
 * Why not port 0: the kernel hands out ephemeral ports (ip_local_port_range) to every
 * `listen(0)` and outgoing connection on the machine, so a port probed that way can be taken
 * again before the server that needs it binds it. Ports are drawn from below that range
 * instead, where only explicit binds land; each is handed out once on this machine while its
 * process lives (a reservation file) and checked by binding it.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port) || !reservePort(port)) continue;
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port found in ${low}-${high} after 200 attempts`);
}

/** Why: claims `port` for this process; false when a live process already holds it. */
export function reservePort(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  let claim = createExclusive(file);
  if (claim === 'exists') {
    // Held: by a live process, keep away; by one that died without cleaning up, take over
    // (unlink, then create exclusively again: never write through what another put there).
    if (isAlive(Number(readOr(file, '0')))) return false;
    try {
      unlinkSync(file);
    } catch {
      // Another process took it over first: the exclusive create below decides.
    }
    claim = createExclusive(file);
    if (claim === 'exists') return false;
  }
  // 'unavailable' (the directory cannot be made or written, e.g. another user's): this
  // process still hands each port out once, as without reservations.
  if (!releaseOnExit) {
    process.once('exit', release);
    releaseOnExit = true;
  }
  handedOut.add(port);
  return true;
}

let releaseOnExit = false;

function createExclusive(file: string): 'created' | 'exists' | 'unavailable' {
  try {
    mkdirSync(RESERVATIONS, { recursive: true });
  } catch {
    return 'unavailable';
  }
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return 'created';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists' : 'unavailable';
  }
}

/** Removes this process's reservations (on exit; synchronous by necessity). */
function release(): void {
  for (const port of handedOut) {
    const file = join(RESERVATIONS, String(port));
    if (readOr(file, '') === String(process.pid)) {
      try {
        unlinkSync(file);
      } catch {
        // Already gone: nothing to release.
      }
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** The first port of the kernel's ephemeral range (32768 when /proc does not say). */
function ephemeralLow(): number {
  try {
    const text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const first = Number(text.trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 11_000 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
