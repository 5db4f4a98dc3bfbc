// Both ends of one attestation exchange at once, as the proxy will run them: each side
// closes its socket when it refuses, so the other side's read ends instead of waiting.
import type { TLSSocket } from 'node:tls';
import { createEphemeralKey, type EphemeralKey } from '../../src/attest/binding.js';
import {
  exchangeEvidence,
  type AttestOutcome,
  type AttestSettings,
} from '../../src/attest/exchange.js';
import type { EvidenceSource } from '../../src/attest/token-keeper.js';
import type { TlsPair } from './tls-pair.js';

export type Side = Omit<AttestSettings, 'role'>;

// Runs the exchange on `socket`; a refusal destroys it (nothing is relayed).
export async function attestSide(
  socket: TLSSocket,
  settings: AttestSettings,
): Promise<AttestOutcome> {
  const outcome = await exchangeEvidence(socket, settings);
  if (!outcome.ok) socket.destroy();
  return outcome;
}

// Runs both sides; `client` may be a function that plays the client by hand instead.
export async function exchangeBoth(
  pair: TlsPair,
  server: Side,
  client: Side | ((socket: TLSSocket) => void | Promise<void>),
): Promise<{ server: AttestOutcome; client: AttestOutcome | undefined }> {
  const clientRun =
    typeof client === 'function'
      ? Promise.resolve(client(pair.client)).then(() => undefined)
      : attestSide(pair.client, { ...client, role: 'client' });
  const [s, c] = await Promise.all([
    attestSide(pair.server, { ...server, role: 'server' }),
    clientRun,
  ]);
  return { server: s, client: c };
}

/** A source that always presents `token` for `key` (tokens minted by the test). */
export function fixedSource(token: string, key: EphemeralKey): EvidenceSource {
  return { current: () => ({ token, key, expiresAt: Number.MAX_SAFE_INTEGER }) };
}

export { createEphemeralKey };
