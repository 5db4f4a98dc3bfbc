// How long an STS access token lives, as measured on Google (gcp-wire.md §2, a third-party
// measurement): `expires_in` = min(subject token exp − now, lifetime) − ~2 s; absent when
// ~2 s or less of the subject token remain; with 1 s left the exchange failed with HTTP 500.
// google-auth-library caches a token without `expires_in` with no expiry at all.

/** What the STS answers: a lifetime in seconds, none (absent `expires_in`), or a 500. */
export type StsLifetime = { readonly expiresIn?: number } | 'internal';

/** Seconds Google takes off what is left of the subject token. */
export const EXPIRES_IN_SLACK_SECONDS = 2;

/**
 * The answer for a subject token expiring at `subjectExpMs`, exchanged at `nowMs`, with
 * `lifetimeSeconds` the longest lifetime (3600 on Google). Whole seconds left are counted.
 */
export function stsLifetime(
  subjectExpMs: number,
  nowMs: number,
  lifetimeSeconds: number,
): StsLifetime {
  const left = Math.floor((subjectExpMs - nowMs) / 1000);
  if (left <= 1) return 'internal';
  if (left <= EXPIRES_IN_SLACK_SECONDS) return {};
  return { expiresIn: Math.min(left, lifetimeSeconds) - EXPIRES_IN_SLACK_SECONDS };
}
