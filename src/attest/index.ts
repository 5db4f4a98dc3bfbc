// Attested TEE-to-TEE channels: Confidential Space evidence exchanged inside a TLS session,
// bound to it through the TLS exporter. The proxy calls exchangeEvidence() between the
// handshake and the relay; `teeinit attest verify` uses the same verifier on a bare token.
export {
  EXPORTER_LABEL,
  nonceForKey,
  createEphemeralKey,
  signExporter,
  exporterValue,
} from './binding.js';
export type { EphemeralKey, Role } from './binding.js';
export { encodeFrame, FrameParser, MAX_BODY_BYTES } from './frame.js';
export type { Evidence, Frame } from './frame.js';
export { exchangeEvidence, readFrame } from './exchange.js';
export type { AttestOutcome, AttestSettings } from './exchange.js';
export { createPeerVerifier } from './peer-verifier.js';
export type { PeerVerifier } from './peer-verifier.js';
export { loadPolicyFile, parsePolicy } from './load-policy.js';
export { readJwksFile } from './oidc-keys.js';
export { readRootFile, readRootPem } from './pki-chain.js';
export { ATTEST_REASONS, AttestRefusal } from './reasons.js';
export type { AttestReason, ClaimSummary } from './reasons.js';
export { TokenKeeper } from './token-keeper.js';
export type { EvidenceSource, PresentedIdentity, TokenKeeperOptions } from './token-keeper.js';
export type { TokenVerifierOptions } from './verify-token.js';
