// Listen/target addresses: `host:port`, `[v6]:port` or `unix:/path`, and the loopback rule
// for plaintext sides (DESIGN invariant 5).
import { isIP } from 'node:net';
import { TeeinitError } from '../errors/index.js';

export type Address =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/** Why: one parser for every address the proxy reads, with errors naming the config key. */
export function parseAddress(value: string, key: string): Address {
  if (value.startsWith('unix:')) {
    const path = value.slice('unix:'.length);
    if (!path.startsWith('/')) throw invalid(key, value, 'unix:/absolute/path');
    return { kind: 'unix', path };
  }
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw invalid(key, value, 'host:port, [v6]:port or unix:/path');
  }
  if (match?.[1] !== undefined && isIP(host) !== 6)
    throw invalid(key, value, 'an IPv6 literal in []');
  return { kind: 'tcp', host, port };
}

/** Why: plaintext may only travel over loopback or a unix socket unless marked unsafe. */
export function isLoopback(address: Address): boolean {
  if (address.kind === 'unix') return true;
  const host = address.host.toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Why: logs and RunningProxy.address use the same spelling as the config. */
export function formatAddress(address: Address): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return isIP(address.host) === 6
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

function invalid(key: string, value: string, expected: string): TeeinitError {
  return new TeeinitError('TEEINIT_CONFIG_INVALID', `${key} must be ${expected}; got "${value}".`, {
    fields: { key },
  });
}
