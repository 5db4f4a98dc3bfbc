// Per-source cap on connections still in the TLS handshake (limits.maxHandshakesPerSource).
// Without it, one client that reconnects within each handshakeTimeout holds every slot of
// maxConnections before proving anything, and authenticated clients are turned away.
// A source is an IPv4 address or an IPv6 /64 (what one host or one customer usually gets).
import { isIP } from 'node:net';

/**
 * Why: the unit a flood is counted in. IPv4 (and IPv4-mapped IPv6) per address, other IPv6
 * per /64, since one host can pick any address in its /64. Undefined for a unix socket.
 */
export function sourceKey(address: string | undefined): string | undefined {
  if (address === undefined || address === '') return undefined;
  const bare = address.split('%', 1)[0] ?? address;
  if (isIP(bare) === 4) return bare;
  if (isIP(bare) !== 6) return bare;
  const groups = expandIpv6(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [a = 0, b = 0] = groups.slice(6);
    return `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

// The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing IPv4 split).
function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => parseInt(g, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/** Why: counts handshakes in progress per source; memory is bounded by the connections open. */
export class SourceLimiter {
  readonly #pending = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Takes a slot for `key`; false (nothing taken) when the source already holds `limit`. */
  enter(key: string): boolean {
    const held = this.#pending.get(key) ?? 0;
    if (held >= this.limit) return false;
    this.#pending.set(key, held + 1);
    return true;
  }

  /** Gives back a slot taken by enter(). */
  leave(key: string): void {
    const held = this.#pending.get(key) ?? 0;
    if (held <= 1) this.#pending.delete(key);
    else this.#pending.set(key, held - 1);
  }

  /** How many handshakes `key` holds now. */
  held(key: string): number {
    return this.#pending.get(key) ?? 0;
  }
}
