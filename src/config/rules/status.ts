// The status endpoint: `status.listen` is a TCP host:port, and it does not take a port a
// proxy listens on (the second listener would fail at start-up, after identity and fetch).
import { parseAddress, type Address } from '../address.js';
import type { Config } from '../types.js';
import { invalidAt, keyPath } from './errors.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);

// Checks `status.listen` (any host: a non-loopback one serves /healthz and /readyz only).
export function checkStatus(config: Config, _warnings: string[]): void {
  if (config.status === undefined) return;
  const at = 'status.listen';
  const listen = parseAddress(config.status.listen);
  if (!listen || listen.kind !== 'tcp') throw invalidAt(at, 'expected "host:port" or "[v6]:port"');
  config.proxies.forEach((p, i) => {
    const taken: [string, string | undefined][] = [
      ['listen', p.listen],
      ['status', p.status],
    ];
    for (const [key, value] of taken) {
      const other = value === undefined ? undefined : parseAddress(value);
      if (other !== undefined && samePort(listen, other)) {
        throw invalidAt(at, `port ${listen.port} is also used by ${keyPath('proxies', i, key)}`);
      }
    }
  });
}

function samePort(a: Address & { kind: 'tcp' }, b: Address): boolean {
  if (b.kind !== 'tcp' || a.port === 0 || a.port !== b.port) return false;
  const ha = a.host.toLowerCase();
  const hb = b.host.toLowerCase();
  return ha === hb || WILDCARDS.has(ha) || WILDCARDS.has(hb);
}
