// The demo's TLS-PSK client side: the key a client derives from alice's and bob's shares
// (the same HKDF teeinit runs) and the TLS 1.3 options that present it to the psk-server.
import type { ConnectionOptions } from 'node:tls';
import { deriveKey } from '../src/keys/index.js';
import { DEMO_PSK_IDENTITY } from './demo-config.js';

const SPEC = {
  shares: ['alice-share', 'bob-share'],
  kdf: 'hkdf-sha256',
  salt: 'teeinit-psk-v1',
  info: 'session-psk',
  length: 32,
} as const;

// Why: a client must derive the very key the config's `keys.session-psk` names.
/** HKDF-SHA256 over the two shares (hex strings, as the collaborators stored them). */
export function clientPsk(aliceShare: string, bobShare: string): Buffer {
  const share = (who: 'alice' | 'bob', hex: string) => ({
    collaborator: who,
    secret: `${who}-share`,
    raw: Buffer.from(hex),
  });
  return deriveKey('session-psk', SPEC, [share('alice', aliceShare), share('bob', bobShare)]);
}

// Why: the psk-server accepts TLS 1.3 with PSK only, under the identity the config maps.
/** Connection options for a PSK client on 127.0.0.1:`port` holding `key`. */
export function pskClientOptions(port: number, key: Buffer): ConnectionOptions {
  return {
    port,
    ciphers: 'TLS_AES_128_GCM_SHA256',
    minVersion: 'TLSv1.3',
    pskCallback: () => ({ psk: key, identity: DEMO_PSK_IDENTITY }),
    checkServerIdentity: () => undefined,
  };
}
