// OpenSSL as the independent second implementation of teeinit's HKDF-SHA256: tests derive a
// key both ways and compare.
import assert from 'node:assert/strict';
import { runCommand } from './command.js';

/**
 * `openssl kdf ... HKDF` over the key material `keyHex` (SHA-256, 32 bytes, salt
 * `teeinit-psk-v1`); resolves the key as lowercase hex. Asserts openssl exits 0.
 */
export async function opensslHkdf(keyHex: string, info: string): Promise<string> {
  const r = await runCommand([
    'openssl',
    'kdf',
    '-keylen',
    '32',
    '-kdfopt',
    'digest:SHA256',
    '-kdfopt',
    `hexkey:${keyHex}`,
    '-kdfopt',
    'salt:teeinit-psk-v1',
    '-kdfopt',
    `info:${info}`,
    'HKDF',
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split(':').join('').toLowerCase();
}
