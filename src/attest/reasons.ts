// Why an attested connection is refused: a closed set of reasons (they become metric labels
// and log fields, never free text) and the refusal value that carries one with its details.

/** Every way an attestation exchange can fail; see docs/attested-channel.md#reasons. */
export const ATTEST_REASONS = [
  'attestation-missing',
  'attestation-malformed',
  'attestation-oversize',
  'attestation-invalid-signature',
  'attestation-expired',
  'attestation-not-yet-valid',
  'attestation-not-bound',
  'attestation-policy',
  'attestation-keys-unavailable',
  'attestation-unavailable',
] as const;

export type AttestReason = (typeof ATTEST_REASONS)[number];

/**
 * The non-secret claims of a peer's token worth a log line: what image, on what hardware,
 * with what debug state. Never the token, never a key.
 */
export interface ClaimSummary {
  readonly tokenType: 'OIDC' | 'PKI';
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly imageDigest?: string;
  readonly imageReference?: string;
  readonly hwmodel?: string;
  readonly swname?: string;
  readonly dbgstat?: string;
  readonly supportAttributes?: readonly string[];
  readonly projectId?: string;
  readonly instanceName?: string;
  readonly serviceAccounts?: readonly string[];
  readonly nonces: readonly string[];
  readonly issuedAt?: number;
  readonly expiresAt?: number;
}

/** Why: a refusal is an expected outcome per connection, not a fatal error of teeinit. */
export class AttestRefusal extends Error {
  readonly reason: AttestReason;
  /** A short fixed phrase or a claim value (e.g. the unlisted digest); never a secret. */
  readonly detail: string;
  /** The peer's claims when its token's signature checked out before the refusal. */
  readonly claims: ClaimSummary | undefined;

  constructor(reason: AttestReason, detail: string, claims?: ClaimSummary) {
    super(`${reason}: ${detail}`);
    this.name = 'AttestRefusal';
    this.reason = reason;
    this.detail = detail;
    this.claims = claims;
  }

  /** The same refusal with the claims known by now attached. */
  withClaims(claims: ClaimSummary): AttestRefusal {
    return this.claims === undefined ? new AttestRefusal(this.reason, this.detail, claims) : this;
  }
}

// Shorthand used by every check: `throw refuse('attestation-policy', 'debug image')`.
export function refuse(reason: AttestReason, detail: string, claims?: ClaimSummary): AttestRefusal {
  return new AttestRefusal(reason, detail, claims);
}
