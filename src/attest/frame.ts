// The one message each side of an attested connection sends after the TLS handshake, before
// any application byte: a 10-byte header (magic, version, type, body length) and a body of
// three length-prefixed fields. Layout and limits: docs/attested-channel.md#framing.
import { refuse } from './reasons.js';

/** "TEEA": lets a receiver tell a peer that speaks this protocol from one that does not. */
export const FRAME_MAGIC = Buffer.from('TEEA', 'ascii');
export const FRAME_VERSION = 1;
export const HEADER_BYTES = 10;
/** Type 1: evidence follows. Type 2: this side presents none (it only requires). */
export const FRAME_EVIDENCE = 1;
export const FRAME_NONE = 2;
export const MAX_TOKEN_BYTES = 32 * 1024;
export const MAX_KEY_BYTES = 256;
export const MAX_SIGNATURE_BYTES = 256;
/** The largest body a receiver reads; a header announcing more is refused unread. */
export const MAX_BODY_BYTES = MAX_TOKEN_BYTES + MAX_KEY_BYTES + MAX_SIGNATURE_BYTES + 6;

/** The three fields of an evidence frame. */
export interface Evidence {
  /** The launcher's attestation token (compact JWS, ASCII). */
  readonly token: string;
  /** The presenter's ephemeral public key, SPKI DER (Ed25519). */
  readonly publicKey: Buffer;
  /** Ed25519 signature over the signed bytes (see binding.ts). */
  readonly signature: Buffer;
}

export type Frame =
  { readonly type: 'evidence'; readonly evidence: Evidence } | { readonly type: 'none' };

// Encodes a frame; throws on fields over the limits (our own token is never that large).
export function encodeFrame(frame: Frame): Buffer {
  if (frame.type === 'none') return header(FRAME_NONE, 0);
  const { token, publicKey, signature } = frame.evidence;
  const tokenBytes = Buffer.from(token, 'ascii');
  if (tokenBytes.length > MAX_TOKEN_BYTES || publicKey.length > MAX_KEY_BYTES) {
    throw new RangeError('evidence field over the frame limits');
  }
  if (signature.length > MAX_SIGNATURE_BYTES) throw new RangeError('signature over the limit');
  const body = Buffer.concat([field(tokenBytes), field(publicKey), field(signature)]);
  return Buffer.concat([header(FRAME_EVIDENCE, body.length), body]);
}

function header(type: number, length: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  FRAME_MAGIC.copy(h, 0);
  h.writeUInt8(FRAME_VERSION, 4);
  h.writeUInt8(type, 5);
  h.writeUInt32BE(length, 6);
  return h;
}

function field(bytes: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

/** What the parser has after a chunk: not enough yet, or one frame and the bytes after it. */
export type ParseStep =
  | { readonly done: false; readonly received: number }
  | { readonly done: true; readonly frame: Frame; readonly rest: Buffer };

/**
 * Incremental parser for one frame. Throws an AttestRefusal as soon as the bytes seen
 * cannot start a valid frame: other data instead of the magic is `attestation-missing`
 * (the peer does not speak this protocol), a header announcing more than MAX_BODY_BYTES is
 * `attestation-oversize` (refused before reading it), anything else `attestation-malformed`.
 */
export class FrameParser {
  #buffered: Buffer = Buffer.alloc(0);

  /** Bytes received so far. */
  get received(): number {
    return this.#buffered.length;
  }

  push(chunk: Buffer): ParseStep {
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    const buf = this.#buffered;
    const magicSeen = Math.min(buf.length, FRAME_MAGIC.length);
    if (!buf.subarray(0, magicSeen).equals(FRAME_MAGIC.subarray(0, magicSeen))) {
      throw refuse('attestation-missing', 'the peer sent other data instead of an evidence frame');
    }
    if (buf.length < HEADER_BYTES) return { done: false, received: buf.length };
    const version = buf.readUInt8(4);
    if (version !== FRAME_VERSION) {
      throw refuse('attestation-malformed', `unsupported frame version ${version}`);
    }
    const type = buf.readUInt8(5);
    const length = buf.readUInt32BE(6);
    if (type !== FRAME_EVIDENCE && type !== FRAME_NONE) {
      throw refuse('attestation-malformed', `unknown frame type ${type}`);
    }
    if (length > MAX_BODY_BYTES) {
      throw refuse(
        'attestation-oversize',
        `frame body of ${length} bytes (at most ${MAX_BODY_BYTES})`,
      );
    }
    if (type === FRAME_NONE && length !== 0) {
      throw refuse('attestation-malformed', 'a frame without evidence must have an empty body');
    }
    if (buf.length < HEADER_BYTES + length) return { done: false, received: buf.length };
    const body = buf.subarray(HEADER_BYTES, HEADER_BYTES + length);
    const rest = Buffer.from(buf.subarray(HEADER_BYTES + length));
    this.#buffered = Buffer.alloc(0);
    if (type === FRAME_NONE) return { done: true, frame: { type: 'none' }, rest };
    return { done: true, frame: { type: 'evidence', evidence: parseEvidence(body) }, rest };
  }
}

function parseEvidence(body: Buffer): Evidence {
  let at = 0;
  const next = (name: string, max: number): Buffer => {
    if (at + 2 > body.length) throw refuse('attestation-malformed', `truncated ${name} length`);
    const len = body.readUInt16BE(at);
    at += 2;
    if (len === 0) throw refuse('attestation-malformed', `empty ${name}`);
    if (len > max) throw refuse('attestation-oversize', `${name} of ${len} bytes (at most ${max})`);
    if (at + len > body.length) throw refuse('attestation-malformed', `truncated ${name}`);
    const out = Buffer.from(body.subarray(at, at + len));
    at += len;
    return out;
  };
  const token = next('token', MAX_TOKEN_BYTES);
  const publicKey = next('public key', MAX_KEY_BYTES);
  const signature = next('signature', MAX_SIGNATURE_BYTES);
  if (at !== body.length) throw refuse('attestation-malformed', 'bytes after the signature');
  if (!/^[A-Za-z0-9_.-]+$/.test(token.toString('latin1'))) {
    throw refuse('attestation-malformed', 'the token is not a compact JWS');
  }
  return { token: token.toString('ascii'), publicKey, signature };
}
