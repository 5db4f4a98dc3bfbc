// The status endpoint: `status.listen` is a TCP host:port. That it takes no port a proxy
// listens on is checked with every other listener in listeners.ts.
import { parseAddress } from '../address.js';
import type { Config } from '../types.js';
import { invalidAt } from './errors.js';

// Checks `status.listen` (any host: a non-loopback one serves /healthz and /readyz only).
export function checkStatus(config: Config, _warnings: string[]): void {
  if (config.status === undefined) return;
  const listen = parseAddress(config.status.listen);
  if (!listen || listen.kind !== 'tcp') {
    throw invalidAt('status.listen', 'expected "host:port" or "[v6]:port"');
  }
}
