// TLS-PSK clients for tests: OpenSSL's s_client and Node's TLS client, with an external PSK.
import { connect, type TLSSocket } from 'node:tls';

/**
 * The argv of `openssl s_client -psk` to `address` (host:port) at `version` (`-tls1_3`,
 * `-tls1_2`, ...), `-quiet` (which implies `-ign_eof`); `extra` is appended (ciphers).
 */
export function pskSClientArgv(
  address: string,
  version: string,
  keyHex: string,
  identity: string,
  ...extra: string[]
): string[] {
  return [
    'openssl',
    's_client',
    '-connect',
    address,
    version,
    '-psk',
    keyHex,
    '-psk_identity',
    identity,
    '-quiet',
    ...extra,
  ];
}

/**
 * Node's TLS 1.3 client with an external PSK (TLS_AES_128_GCM_SHA256, the suite Node needs
 * for one) to 127.0.0.1:`port`; destroyed after 10 s without traffic.
 */
export function connectPsk(port: number, identity: string, key: Buffer): TLSSocket {
  const socket = connect({
    host: '127.0.0.1',
    port,
    minVersion: 'TLSv1.3',
    ciphers: 'TLS_AES_128_GCM_SHA256',
    pskCallback: () => ({ identity, psk: key }),
    checkServerIdentity: () => undefined,
  });
  socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  return socket;
}
