// Loopback ports for integration tests: a port for servers that cannot listen on port 0
// (redis, postgres, the CLI under test), and a probe for "is something listening".
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1, for servers that cannot listen on port 0.
 * Why not port 0: the kernel hands out ephemeral ports (ip_local_port_range) to every
 * `listen(0)` and outgoing connection of every test running at the same time, so a port
 * probed that way can be taken again before the server under test binds it. Ports are
 * drawn from below that range instead, where only explicit binds land; each is handed out
 * once per process and checked by binding it.
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

const handedOut = new Set<number>();

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

/** True when something accepts TCP connections on 127.0.0.1:port (1 s connect timeout). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
