// What a failed call to a Google service or to the launcher means, decided here once for
// identity (STS, IAM credentials, the teeserver socket) and fetch (Secret Manager), so a
// start-up, a refresh and a later revocation check all read a refusal the same way:
//
// - `outage`: the service or the path to it failed; another try may succeed.
// - `denied`: PERMISSION_DENIED. Right after a collaborator's grant this is IAM still
//   propagating (start-up retries it within fetch.permissionGrace); later it is a refusal.
// - `refusal`: the collaborator's configuration (or ours) says no; retrying cannot help.
// - `credential`: the access token was refused (401); a fresh one may be accepted.
// - `corrupt`: the payload failed its CRC32C check; reading again may succeed.
//
// Secret Manager follows Google's API guidance (AIP-194) and the retry settings of Google's
// own Secret Manager client for AccessSecretVersion: only UNAVAILABLE (503) and
// RESOURCE_EXHAUSTED (429) are retried, plus failures below HTTP (reset, refused connection,
// no answer within fetch.callTimeout), which a gRPC client sees as UNAVAILABLE. INTERNAL
// (500), DEADLINE_EXCEEDED (504) and a front end's 408 are surfaced at once.

/** The kinds above; the one vocabulary of failure for identity, fetch and refresh. */
export type FailureKind = 'outage' | 'denied' | 'refusal' | 'credential' | 'corrupt';

/** HTTP statuses Secret Manager's own client retries on AccessSecretVersion. */
const SECRET_MANAGER_RETRIED = new Set([429, 503]);

/** A Secret Manager answer: HTTP status and `error.status` (google.rpc.Code name). */
export function classifySecretManager(http: number, rpcStatus?: string): FailureKind {
  if (http === 401) return 'credential';
  if (http === 403) return 'denied';
  if (SECRET_MANAGER_RETRIED.has(http)) return 'outage';
  if (rpcStatus === 'UNAVAILABLE' || rpcStatus === 'RESOURCE_EXHAUSTED') return 'outage';
  return 'refusal';
}

/**
 * An STS answer. Its refusals (`unauthorized_client`: the attribute condition; `invalid_target`:
 * no such or a disabled pool/provider; `invalid_grant`: audience, issuer, expired token) are
 * the collaborator's provider saying no. 429 and 5xx (also a 500 with 1 s of the subject
 * token left) are outages.
 */
export function classifySts(http: number): FailureKind {
  return http === 429 || http >= 500 ? 'outage' : 'refusal';
}

/** An IAM credentials (generateAccessToken) answer. */
export function classifyIamCredentials(http: number): FailureKind {
  if (http === 401) return 'credential';
  if (http === 403) return 'denied';
  return http === 429 || http >= 500 ? 'outage' : 'refusal';
}

/**
 * A teeserver (launcher) answer: every token request runs a remote attestation, and the
 * launcher answers 500 when that fails (google/go-tpm-tools launcher/teeserver); 400 is its
 * answer to a bad request or a client error of the attestation service.
 */
export function classifyLauncher(http: number): FailureKind {
  return http >= 500 ? 'outage' : 'refusal';
}

/** A failure below HTTP: no answer in time, reset, refused. A missing socket is a refusal. */
export function classifyTransport(errno?: string): FailureKind {
  return errno === 'ENOENT' || errno === 'EACCES' || errno === 'ENOTSOCK' ? 'refusal' : 'outage';
}

const KINDS = new WeakMap<object, FailureKind>();

/** Why: an error carries its kind to whoever decides to retry, without a new error class. */
export function withFailure<E extends Error>(error: E, kind: FailureKind): E {
  KINDS.set(error, kind);
  return error;
}

/** The kind an error was marked with, if any. */
export function failureOf(error: unknown): FailureKind | undefined {
  return typeof error === 'object' && error !== null ? KINDS.get(error) : undefined;
}
