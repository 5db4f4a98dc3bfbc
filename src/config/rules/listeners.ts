// Listeners: `status.listen` is a TCP host:port; and no clash: every address teeinit itself
// listens on (`proxies[].listen`, `proxies[].status`, `status.listen`) must be free of the
// others, or the second one fails at start-up, after identity and fetch, although
// `validate` said OK. Two TCP listeners clash on the same port with overlapping hosts; two
// unix listeners on the same path.
import { isIP } from 'node:net';
import { posix } from 'node:path';
import { TeeinitError } from '../../errors/index.js';
import { parseAddress, type Address } from '../address.js';
import type { Config } from '../types.js';
import { invalidAt, keyPath } from './errors.js';

/** One listener of the config: its key path, its text as written, and the parsed address. */
export interface Listener {
  readonly at: string;
  readonly text: string;
  readonly address: Address;
}

// One address a TCP host binds: an IPv4/IPv6 address, that family's wildcard `*`, or a
// host name left unresolved (family `name`).
interface Bind {
  readonly family: 4 | 6 | 'name';
  readonly addr: string;
}

// Checks `status.listen` (any host: a non-loopback one serves /healthz and /readyz only).
export function checkStatus(config: Config, _warnings: string[]): void {
  if (config.status === undefined) return;
  const listen = parseAddress(config.status.listen);
  if (!listen || listen.kind !== 'tcp') {
    throw invalidAt('status.listen', 'expected "host:port" or "[v6]:port"');
  }
}

// Lists the listeners in config order; addresses that do not parse are skipped (the
// proxies and status rules, which run first, already refused them).
export function collectListeners(config: Config): Listener[] {
  const out: Listener[] = [];
  const add = (at: string, text: string | undefined): void => {
    const address = text === undefined ? undefined : parseAddress(text);
    if (text !== undefined && address !== undefined) out.push({ at, text, address });
  };
  config.proxies.forEach((p, i) => {
    add(keyPath('proxies', i, 'listen'), p.listen);
    add(keyPath('proxies', i, 'status'), p.status);
  });
  add('status.listen', config.status?.listen);
  return out;
}

// Refuses the first listener that would clash with an earlier one, naming both.
export function checkListeners(config: Config, _warnings: string[]): void {
  const seen: Listener[] = [];
  for (const listener of collectListeners(config)) {
    const earlier = seen.find((s) => clashes(s.address, listener.address));
    if (earlier !== undefined) throw clashError(earlier, listener);
    seen.push(listener);
  }
}

/** True when both addresses cannot be listened on at once (port 0 never clashes). */
export function clashes(a: Address, b: Address): boolean {
  if (a.kind === 'unix' || b.kind === 'unix') {
    return (
      a.kind === 'unix' && b.kind === 'unix' && posix.normalize(a.path) === posix.normalize(b.path)
    );
  }
  if (a.port === 0 || a.port !== b.port) return false;
  const ba = binds(a.host);
  return binds(b.host).some((x) => ba.some((y) => overlap(x, y)));
}

// What Node's `server.listen(port, host)` takes. `::` is dual-stack (Node listens with
// ipv6Only: false), so it also takes every IPv4 address. `localhost` is taken as both
// 127.0.0.1 and ::1: Node binds whichever the resolver returns first, so either may clash.
function binds(host: string): Bind[] {
  const h = host.toLowerCase();
  if (h === 'localhost') return [v4('127.0.0.1'), v6('::1')];
  if (isIP(h) === 4) return [h === '0.0.0.0' ? v4('*') : v4(h)];
  if (isIP(h) === 6) {
    const canonical = new URL(`http://[${h}]/`).hostname.slice(1, -1);
    if (canonical === '::') return [v4('*'), v6('*')];
    // An IPv4-mapped address on a dual-stack socket binds that IPv4 address.
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
    if (mapped) return binds(mappedV4(mapped[1]!, mapped[2]!));
    return [v6(canonical)];
  }
  // Other names are not resolved here (validation makes no network call and a name may
  // resolve differently at run time): a name overlaps only the same name and the
  // wildcards, never an IP literal or another name, even if it resolves to the same address.
  return [{ family: 'name', addr: h }];
}

function overlap(x: Bind, y: Bind): boolean {
  if (x.family === 'name' || y.family === 'name') {
    return x.family === y.family ? x.addr === y.addr : x.addr === '*' || y.addr === '*';
  }
  return x.family === y.family && (x.addr === y.addr || x.addr === '*' || y.addr === '*');
}

function v4(addr: string): Bind {
  return { family: 4, addr };
}

function v6(addr: string): Bind {
  return { family: 6, addr };
}

function mappedV4(hi: string, lo: string): string {
  const a = parseInt(hi, 16);
  const b = parseInt(lo, 16);
  return [a >> 8, a & 255, b >> 8, b & 255].join('.');
}

// Names both keys, never their addresses (values of the file); the code's fix explains
// which hosts overlap (0.0.0.0, [::], localhost).
function clashError(earlier: Listener, later: Listener): TeeinitError {
  const what =
    later.address.kind === 'unix'
      ? 'the same unix socket'
      : 'the same TCP port with overlapping hosts';
  return new TeeinitError(
    'TEEINIT_CONFIG_LISTEN_CLASH',
    `${later.at} and ${earlier.at} would listen on ${what}; the second would fail at start-up`,
    { fields: { path: later.at, other: earlier.at } },
  );
}
