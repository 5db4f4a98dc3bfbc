// Which refusals are evidence that a collaborator withdrew its consent, and the likely
// cause of each, read from the refusal and the claims of the attestation token it refused.
// An outage (5xx, 429, network, timeouts), a refused access token (401) or a corrupt
// payload is never evidence; neither is a failure of our own side (the launcher, a token
// file, a request Google called malformed).
import type { TeeinitError } from '../errors/index.js';
import { tokenClaimsOf, type TokenClaims } from '../identity/index.js';
import { failureOf } from '../retry/index.js';

/** Why: /status and /metrics name a cause by a stable word; the log says it in full. */
export type CauseCode =
  | 'binding-removed'
  | 'impersonation-binding-removed'
  | 'service-account-deleted'
  | 'secret-deleted'
  | 'version-disabled'
  | 'provider-disabled'
  | 'image-not-stable'
  | 'claims-refused'
  | 'token-refused';

export interface LikelyCause {
  readonly code: CauseCode;
  /** One sentence for the log and /status: what most likely happened and what to do. */
  readonly text: string;
}

/** STS refusals that come from the collaborator's provider (its condition, its state). */
const PROVIDER_REFUSALS = new Set(['unauthorized_client', 'invalid_target', 'invalid_grant']);

/**
 * Why: one place decides what counts towards a revocation. Undefined for anything that is
 * not a refusal by the collaborator's side (src/retry/failure.ts: `denied`, `refusal`).
 */
export function revocationEvidence(error: TeeinitError): LikelyCause | undefined {
  const kind = failureOf(error);
  if (kind !== 'denied' && kind !== 'refusal') return undefined;
  const f = error.fields;
  switch (error.code) {
    case 'TEEINIT_PERMISSION_DENIED':
      return {
        code: 'binding-removed',
        text: `binding removed: Secret Manager refused secret "${String(f.secret ?? '?')}" (PERMISSION_DENIED); the collaborator removed the image's roles/secretmanager.secretAccessor binding`,
      };
    case 'TEEINIT_SECRET_NOT_FOUND':
      return {
        code: 'secret-deleted',
        text: `secret deleted: ${String(f.ref ?? f.secret ?? '?')} is NOT_FOUND; the collaborator deleted the secret or its version`,
      };
    case 'TEEINIT_SECRET_DISABLED':
      return {
        code: 'version-disabled',
        text: `version disabled: ${String(f.ref ?? f.secret ?? '?')} answers FAILED_PRECONDITION; the collaborator disabled or destroyed the version`,
      };
    case 'TEEINIT_IMPERSONATION_DENIED':
      return f.status === 404
        ? {
            code: 'service-account-deleted',
            text: `service account deleted: ${String(f.serviceAccount ?? '?')} is NOT_FOUND`,
          }
        : {
            code: 'impersonation-binding-removed',
            text: `binding removed: impersonating ${String(f.serviceAccount ?? '?')} is refused (PERMISSION_DENIED); the collaborator removed the image's roles/iam.workloadIdentityUser binding`,
          };
    case 'TEEINIT_IDENTITY_REJECTED':
      return stsCause(String(f.oauthError ?? ''), tokenClaimsOf(error));
    default:
      return undefined;
  }
}

function stsCause(oauthError: string, claims: TokenClaims | undefined): LikelyCause | undefined {
  if (!PROVIDER_REFUSALS.has(oauthError)) return undefined;
  if (oauthError === 'invalid_target') {
    return {
      code: 'provider-disabled',
      text: 'provider disabled: the STS answered invalid_target; the collaborator disabled or deleted its Workload Identity pool or provider',
    };
  }
  if (oauthError === 'invalid_grant') {
    return {
      code: 'token-refused',
      text: "token refused: the STS answered invalid_grant; the provider no longer accepts the attestation token's audience or issuer",
    };
  }
  const seen = describeClaims(claims);
  if (claims !== undefined && !(claims.supportAttributes ?? []).includes('STABLE')) {
    return {
      code: 'image-not-stable',
      text: `image no longer STABLE: the provider's attribute condition refused a token whose support_attributes lack STABLE (${seen}); the Confidential Space image is no longer STABLE-supported: roll the VM to a current image`,
    };
  }
  return {
    code: 'claims-refused',
    text: `claims refused: the provider's attribute condition refused the token's claims (${seen}); either the collaborator withdrew (changed the condition) or the image digest is not the one it admits`,
  };
}

/** The claims named in a cause: image digest, support attributes, dbgstat (never the token). */
export function describeClaims(claims: TokenClaims | undefined): string {
  if (claims === undefined) return 'claims unknown';
  return [
    `image_digest ${claims.imageDigest ?? 'absent'}`,
    `support_attributes ${claims.supportAttributes === undefined ? 'absent' : `[${claims.supportAttributes.join(', ')}]`}`,
    `dbgstat ${claims.dbgstat ?? 'absent'}`,
  ].join(', ');
}
