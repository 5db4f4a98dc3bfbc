// Listen/target address syntax shared by config rules and the proxy: `host:port`,
// `[v6]:port` or `unix:/absolute/path`.
import { isIP } from 'node:net';

export type Address =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

const HOSTNAME_RE =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Parses an address; undefined when malformed (callers name the key in their error). */
export function parseAddress(text: string): Address | undefined {
  if (text.startsWith('unix:')) {
    const path = text.slice(5);
    return path.startsWith('/') && path.length > 1 ? { kind: 'unix', path } : undefined;
  }
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? { kind: 'tcp', host: m[1], port } : undefined;
  const host = m[2]!;
  if (isIP(host) === 4 || HOSTNAME_RE.test(host)) return { kind: 'tcp', host, port };
  return undefined;
}

/** Loopback: unix sockets, 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(addr: Address): boolean {
  if (addr.kind === 'unix') return true;
  const h = addr.host.toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** The address syntax as users read it in error messages. */
export const ADDRESS_EXPECTED = 'expected "host:port", "[v6]:port" or "unix:/path"';
