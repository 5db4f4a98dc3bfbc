// TLS-PSK parameters. TLS 1.3 external PSK needs a SHA-256 suite; TLS 1.2 uses ECDHE-PSK
// for forward secrecy. One proxy speaks exactly one version, so a PSK is never used with
// both (DESIGN: never reuse one PSK across TLS 1.2 and 1.3).
import { randomBytes } from 'node:crypto';
import type { SecureVersion } from 'node:tls';
import type { ProxyConfig } from '../config/types.js';
import { tlsError } from './mtls-context.js';
import type { ProxyMaterial } from './types.js';

export const PSK_CIPHERS_TLS13 = 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256';
export const PSK_CIPHERS_TLS12 = 'ECDHE-PSK-AES128-CBC-SHA256:ECDHE-PSK-CHACHA20-POLY1305';

/** Why: both ends of a PSK proxy pin the same suites and exactly one protocol version. */
export function pskProtocol(config: ProxyConfig): {
  ciphers: string;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
} {
  return config.tlsVersion === '1.2'
    ? { ciphers: PSK_CIPHERS_TLS12, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }
    : { ciphers: PSK_CIPHERS_TLS13, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' };
}

/** Identity → key, resolved before listen because pskCallback is synchronous. */
export interface PskTable {
  readonly keys: ReadonlyMap<string, Buffer>;
  /** Length used for the decoy key handed out for an unknown identity. */
  readonly decoyLength: number;
}

/** Why: a missing key must fail at start, not as a handshake error later. */
export function buildPskTable(config: ProxyConfig, material: ProxyMaterial): PskTable {
  const entries = Object.entries(config.identities);
  if (entries.length === 0) throw tlsError(config, 'no PSK identities configured');
  const keys = new Map<string, Buffer>();
  for (const [identity, keyName] of entries) {
    const key = material.keys.get(keyName);
    if (key === undefined) throw tlsError(config, `PSK key "${keyName}" is not in the material`);
    if (key.length < 16) throw tlsError(config, `PSK key "${keyName}" is shorter than 16 bytes`);
    if (Buffer.byteLength(identity, 'utf8') > 128) {
      throw tlsError(config, `PSK identity "${identity.slice(0, 32)}…" is longer than 128 bytes`);
    }
    keys.set(identity, Buffer.from(key));
  }
  const first = keys.values().next().value;
  return { keys, decoyLength: first?.length ?? 32 };
}

/**
 * Why: an unknown identity gets a fresh random key instead of null. With null, OpenSSL
 * answers differently (TLS 1.2 `unknown_psk_identity`, TLS 1.3 falls back to certificates)
 * so a peer could probe which identities exist; a random key fails exactly like a wrong
 * key (bad binder / bad Finished). The proxy logs the true reason locally.
 */
export function decoyKey(table: PskTable): Buffer {
  return randomBytes(table.decoyLength);
}
