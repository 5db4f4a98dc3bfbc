// Listen/target addresses for the proxy: the config's parser (`host:port`, `[v6]:port`,
// `unix:/path`) with errors that name the key, and the loopback rule for plaintext sides
// (DESIGN invariant 5).
import { isIP } from 'node:net';
import {
  ADDRESS_EXPECTED,
  isLoopback,
  parseAddress as parseConfigAddress,
  type Address,
} from '../config/address.js';
import { TeeinitError } from '../errors/index.js';

export { isLoopback, type Address };

/** Why: one parser for every address the proxy reads, with errors naming the config key. */
export function parseAddress(value: string, key: string): Address {
  const address = parseConfigAddress(value);
  if (address === undefined) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `${key}: ${ADDRESS_EXPECTED}; got "${value}".`,
      {
        fields: { key },
      },
    );
  }
  return address;
}

/** Why: logs and RunningProxy.address use the same spelling as the config. */
export function formatAddress(address: Address): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return isIP(address.host) === 6
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
