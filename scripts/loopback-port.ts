// Loopback ports for servers that cannot listen on port 0 (redis, postgres, teeinit's own
// listeners in a config): one implementation for the demo, the tests and the benchmarks.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

/**
 * Why not port 0: the kernel hands out ephemeral ports (ip_local_port_range) to every
 * `listen(0)` and outgoing connection on the machine, so a port probed that way can be taken
 * again before the server that needs it binds it. Ports are drawn from below that range
 * instead, where only explicit binds land; each is handed out once per process and checked
 * by binding it.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${low}-${high} after 200 attempts`);
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
