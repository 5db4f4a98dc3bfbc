// Secret Manager's error answers, with Google's exact messages, statuses and ErrorInfo.
import type { ServerResponse } from 'node:http';
import { sendGoogleError } from '../http.js';

const SERVICE = 'secretmanager.googleapis.com';
const RPC = 'google.cloud.secretmanager.v1.SecretManagerService.';

const UNAUTH_MESSAGES = {
  CREDENTIALS_MISSING:
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  ACCESS_TOKEN_TYPE_UNSUPPORTED:
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  ACCESS_TOKEN_EXPIRED:
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
} as const;

/** 401 UNAUTHENTICATED with the reason Google's front end gives. */
export function sendUnauthenticated(
  res: ServerResponse,
  reason: keyof typeof UNAUTH_MESSAGES,
  method: string,
): void {
  res.setHeader(
    'www-authenticate',
    'Bearer realm="https://accounts.google.com/", error="invalid_token"',
  );
  sendGoogleError(res, 401, UNAUTH_MESSAGES[reason], {
    reason,
    domain: 'googleapis.com',
    metadata: { service: SERVICE, method: RPC + method },
  });
}

/** 403 PERMISSION_DENIED, the same whether or not the resource exists. */
export function sendPermissionDenied(
  res: ServerResponse,
  permission: string,
  resource: string,
): void {
  sendGoogleError(
    res,
    403,
    `Permission '${permission}' denied for resource '${resource}' (or it may not exist).`,
    {
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
      metadata: { permission, resource },
    },
  );
}

/** 404 NOT_FOUND with Google's message for the secret or version. */
export function sendNotFound(res: ServerResponse, message: string): void {
  sendGoogleError(res, 404, message);
}

/** `Secret [name] not found or has no versions.` (version lookups, `latest` on an empty secret). */
export function secretNoVersions(name: string): string {
  return `Secret [${name}] not found or has no versions.`;
}

/** 400 FAILED_PRECONDITION: a disabled or destroyed version. */
export function sendStateError(res: ServerResponse, version: string, state: string): void {
  sendGoogleError(res, 400, `Secret Version [${version}] is in ${state} state.`, {
    status: 'FAILED_PRECONDITION',
  });
}

/** 400 INVALID_ARGUMENT for a malformed request. */
export function sendInvalid(res: ServerResponse, message: string): void {
  sendGoogleError(res, 400, message, { status: 'INVALID_ARGUMENT' });
}
