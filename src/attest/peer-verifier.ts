// Verifies a peer's evidence for one connection, in an order that makes each refusal
// reason exact: the key parses, the token's signature and times hold, the token vouches for
// the key and the key signed this connection's exporter value, then the policy's claims.
import type { AttestPolicy } from '../config/types.js';
import { checkBinding, readPublicKey, type Role } from './binding.js';
import { stringList, summarizeClaims } from './claims.js';
import type { Evidence } from './frame.js';
import { checkPolicy } from './policy.js';
import { AttestRefusal, refuse, type ClaimSummary } from './reasons.js';
import {
  createTokenVerifier,
  type TokenVerifierOptions,
  type VerifiedToken,
} from './verify-token.js';

/** What the proxy holds per `attest.require`: one verifier (and one key cache) for all connections. */
export interface PeerVerifier {
  /** Resolves to the peer's claims; rejects with an AttestRefusal. */
  verifyEvidence(evidence: Evidence, exporter: Buffer, peerRole: Role): Promise<ClaimSummary>;
  /** A bare token (no connection), optionally for a known nonce: `teeinit attest verify`. */
  verifyToken(token: string, nonce?: string): Promise<ClaimSummary>;
  /**
   * Fetches the issuer's OIDC keys now when the policy needs them from the network (a
   * proxy's start-up); resolves to the refusal connections get until they can be fetched.
   */
  prefetchKeys(): Promise<AttestRefusal | undefined>;
}

// A verifier for `policy`; `options` may supply keys (JWKS, root), a fetch timeout, a clock.
export function createPeerVerifier(
  policy: AttestPolicy,
  options: TokenVerifierOptions = {},
): PeerVerifier {
  const tokens = createTokenVerifier(policy, options);

  /** Runs `checks` on a verified token; a refusal gets the token's claims attached. */
  const after = (
    verified: VerifiedToken,
    checks: (summary: ClaimSummary) => void,
  ): ClaimSummary => {
    const summary = summarizeClaims(verified.claims, verified.tokenType);
    try {
      checks(summary);
    } catch (error) {
      throw error instanceof AttestRefusal ? error.withClaims(summary) : error;
    }
    return summary;
  };

  return {
    async verifyEvidence(evidence, exporter, peerRole) {
      readPublicKey(evidence.publicKey);
      const verified = await tokens.verify(evidence.token);
      return after(verified, () => {
        checkBinding({
          nonces: stringList(verified.claims, 'eat_nonce'),
          publicKeyDer: evidence.publicKey,
          signature: evidence.signature,
          peerRole,
          exporter,
        });
        checkPolicy(verified.claims, policy, verified.tokenType);
      });
    },
    prefetchKeys: () => tokens.prefetchKeys(),
    async verifyToken(token, nonce) {
      const verified = await tokens.verify(token);
      return after(verified, () => {
        if (nonce !== undefined && !stringList(verified.claims, 'eat_nonce').includes(nonce)) {
          throw refuse('attestation-not-bound', 'the token does not carry the expected nonce');
        }
        checkPolicy(verified.claims, policy, verified.tokenType);
      });
    },
  };
}
