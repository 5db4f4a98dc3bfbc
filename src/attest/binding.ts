// How evidence is tied to one TLS connection: the token's nonce is a hash of the presenter's
// ephemeral public key, and that key signs this connection's TLS exporter value together
// with the signer's role. Byte-exact definitions: docs/attested-channel.md#binding.
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { refuse } from './reasons.js';

/** RFC 5705 / RFC 8446 §7.5 exporter label of our own ("EXPORTER-" prefix: not IANA-registered). */
export const EXPORTER_LABEL = 'EXPORTER-teeinit-attest-v1';
export const EXPORTER_BYTES = 32;
/** Prefix of the bytes hashed into the nonce: a key bound for another protocol is not ours. */
const NONCE_CONTEXT = Buffer.from('teeinit-attest-v1 key\0', 'ascii');
/** Prefix of the signed bytes; the role follows, then a NUL, then the exporter value. */
const SIGNATURE_CONTEXT = 'teeinit-attest-v1 evidence ';

/** Which end of the TLS connection signed: evidence is never valid for the other end. */
export type Role = 'client' | 'server';

/** An ephemeral Ed25519 key: the private half never leaves this process. */
export interface EphemeralKey {
  readonly privateKey: KeyObject;
  /** SPKI DER of the public half (44 bytes for Ed25519). */
  readonly publicKeyDer: Buffer;
  /** The nonce a token must carry to vouch for this key. */
  readonly nonce: string;
}

// A fresh key; generated at start-up and again with every new token.
export function createEphemeralKey(): EphemeralKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyDer = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKeyDer, nonce: nonceForKey(publicKeyDer) };
}

/** hex(SHA-256("teeinit-attest-v1 key\0" ‖ SPKI DER)): 64 characters, within every nonce rule. */
export function nonceForKey(publicKeyDer: Buffer): string {
  return createHash('sha256').update(NONCE_CONTEXT).update(publicKeyDer).digest('hex');
}

/** The exporter context: empty (in TLS 1.3 the same as none; in TLS 1.2 stated explicitly). */
const EXPORTER_CONTEXT = Buffer.alloc(0);

// This connection's exporter value (the same on both ends, different on every connection).
export function exporterValue(socket: TLSSocket): Buffer {
  return socket.exportKeyingMaterial(EXPORTER_BYTES, EXPORTER_LABEL, EXPORTER_CONTEXT);
}

/** "teeinit-attest-v1 evidence " ‖ role ‖ NUL ‖ exporter value. */
export function signedBytes(role: Role, exporter: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${SIGNATURE_CONTEXT}${role}\0`, 'ascii'), exporter]);
}

// Signs the exporter value of this connection as `role`.
export function signExporter(key: KeyObject, role: Role, exporter: Buffer): Buffer {
  return sign(null, signedBytes(role, exporter), key);
}

/**
 * Reads the presenter's key: SPKI DER of an Ed25519 key, nothing else. A key that does not
 * parse is `attestation-malformed`.
 */
export function readPublicKey(der: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw refuse('attestation-malformed', 'the public key is not SPKI DER');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw refuse(
      'attestation-malformed',
      `public key type ${key.asymmetricKeyType ?? '?'} (expected ed25519)`,
    );
  }
  return key;
}

/**
 * Checks the binding: the token's nonces include the hash of `publicKeyDer`, and `signature`
 * is that key's signature over OUR exporter value with the peer's role. Either failing is
 * `attestation-not-bound`: evidence captured on another connection, or made for another key.
 */
export function checkBinding(options: {
  readonly nonces: readonly string[];
  readonly publicKeyDer: Buffer;
  readonly signature: Buffer;
  readonly peerRole: Role;
  readonly exporter: Buffer;
}): void {
  const key = readPublicKey(options.publicKeyDer);
  if (!options.nonces.includes(nonceForKey(options.publicKeyDer))) {
    throw refuse('attestation-not-bound', 'the token does not vouch for the presented key (nonce)');
  }
  const data = signedBytes(options.peerRole, options.exporter);
  if (!verify(null, data, key, options.signature)) {
    throw refuse('attestation-not-bound', 'the signature does not cover this connection');
  }
}
