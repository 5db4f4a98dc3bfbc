// The attestation step of one connection, between the TLS handshake and the first relayed
// byte: each side writes one frame (its evidence, or "none" when it only requires), reads
// the peer's, and checks it when it requires evidence. Both directions run at once, so the
// exchange costs one round trip on top of the handshake.
import type { TLSSocket } from 'node:tls';
import { exporterValue, signExporter, type Role } from './binding.js';
import { encodeFrame, FrameParser, type Frame } from './frame.js';
import type { PeerVerifier } from './peer-verifier.js';
import { AttestRefusal, refuse, type ClaimSummary } from './reasons.js';
import type { EvidenceSource } from './token-keeper.js';

/** One proxy's `attest` block, resolved: what to present and what to require. */
export interface AttestSettings {
  /** Our end of the TLS connection: the signatures name it. */
  readonly role: Role;
  /** Our evidence; absent: we send a "none" frame. */
  readonly present?: EvidenceSource;
  /** The peer's evidence must pass this verifier; absent: the peer's frame is read, not checked. */
  readonly require?: PeerVerifier;
  /** Deadline for the peer's frame to arrive complete (ms). */
  readonly timeoutMs: number;
}

export type AttestOutcome =
  | { readonly ok: true; readonly peer?: ClaimSummary }
  | { readonly ok: false; readonly refusal: AttestRefusal };

/**
 * Runs the exchange on a connected TLS socket. On success the bytes that followed the
 * peer's frame are back in the socket (unshifted) and the socket is as it was: attach the
 * relay's `data` listener and it flows. On failure nothing was relayed; the caller closes
 * the socket and counts `refusal.reason`.
 */
export async function exchangeEvidence(
  socket: TLSSocket,
  settings: AttestSettings,
): Promise<AttestOutcome> {
  try {
    const exporter = exporterOf(socket);
    socket.write(encodeFrame(ourFrame(settings, exporter)));
    const frame = await readFrame(socket, settings.timeoutMs);
    if (settings.require === undefined) return { ok: true };
    if (frame.type === 'none') throw refuse('attestation-missing', 'the peer presents no evidence');
    const peerRole: Role = settings.role === 'client' ? 'server' : 'client';
    const peer = await settings.require.verifyEvidence(frame.evidence, exporter, peerRole);
    return { ok: true, peer };
  } catch (error) {
    if (error instanceof AttestRefusal) return { ok: false, refusal: error };
    throw error;
  }
}

/** A socket closed right after its handshake has no exporter: the peer sent nothing. */
function exporterOf(socket: TLSSocket): Buffer {
  try {
    return exporterValue(socket);
  } catch {
    throw refuse('attestation-missing', 'the connection closed before the exchange');
  }
}

function ourFrame(settings: AttestSettings, exporter: Buffer): Frame {
  if (settings.present === undefined) return { type: 'none' };
  const identity = settings.present.current();
  if (identity === undefined) {
    throw refuse('attestation-unavailable', 'this instance holds no unexpired token to present');
  }
  const signature = signExporter(identity.key.privateKey, settings.role, exporter);
  return {
    type: 'evidence',
    evidence: { token: identity.token, publicKey: identity.key.publicKeyDer, signature },
  };
}

/**
 * Reads exactly one frame with a deadline, in paused mode ('readable' + read()), so no byte
 * after the frame is consumed for good: the rest is unshifted before resolving.
 */
export function readFrame(socket: TLSSocket, timeoutMs: number): Promise<Frame> {
  return new Promise<Frame>((resolve, reject) => {
    const parser = new FrameParser();
    const finish = (error: AttestRefusal | undefined, frame?: Frame, rest?: Buffer): void => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      if (error !== undefined) reject(error);
      else {
        if (rest !== undefined && rest.length > 0) socket.unshift(rest);
        resolve(frame ?? { type: 'none' });
      }
    };
    const incomplete = (why: string): AttestRefusal =>
      parser.received === 0
        ? refuse('attestation-missing', why)
        : refuse('attestation-malformed', `incomplete frame: ${why}`);
    const onReadable = (): void => {
      for (;;) {
        const chunk = socket.read() as Buffer | null;
        if (chunk === null) return;
        try {
          const step = parser.push(chunk);
          if (step.done) {
            finish(undefined, step.frame, step.rest);
            return;
          }
        } catch (error) {
          finish(
            error instanceof AttestRefusal
              ? error
              : refuse('attestation-malformed', 'unreadable frame'),
          );
          return;
        }
      }
    };
    const onEnd = (): void => finish(incomplete('the peer closed the connection'));
    const timer = setTimeout(() => {
      finish(incomplete(`no complete frame within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onEnd);
    onReadable();
  });
}
