// The STS's OAuth-shaped errors (`{"error","error_description"}`) and their fixed texts
// from gcp-wire.md §2; texts Google does not publish are marked "emulator wording".
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'invalid_target'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_client';

/** An STS refusal: HTTP status, OAuth error code and description. */
export class StsError extends Error {
  override readonly name = 'StsError';
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

export const MESSAGES = {
  conditionRejected: 'The given credential is rejected by the attribute condition.',
  invalidTarget:
    'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
  invalidAudienceParam:
    'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
  audienceMismatch: (aud: string): string =>
    `The audience in ID Token [${aud}] does not match the expected audience.`,
  subjectTooLong:
    'The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.',
} as const;

// Shorthands for the common 400 answers.
export const invalidRequest = (d: string): StsError => new StsError(400, 'invalid_request', d);
export const invalidGrant = (d: string): StsError => new StsError(400, 'invalid_grant', d);

// Writes the error as Google's STS does (JSON, no `error_uri`).
export function sendStsError(res: ServerResponse, e: StsError): void {
  sendJson(res, e.status, { error: e.error, error_description: e.description });
}
