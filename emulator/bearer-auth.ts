// Bearer-token authentication for the emulator's Google APIs (IAM credentials, Secret
// Manager): the token resolved through the shared registry, and the 401 answers Google's
// front end gives when it is missing, unknown or expired.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenRegistry } from './access-tokens.js';
import type { FaultDecision } from './faults-contract.js';
import { sendGoogleError } from './http.js';
import type { Principal } from './model.js';

const INVALID_CREDENTIALS =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** Google's 401 texts by ErrorInfo reason. */
export const UNAUTHENTICATED_MESSAGES = {
  CREDENTIALS_MISSING:
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  ACCESS_TOKEN_TYPE_UNSUPPORTED: INVALID_CREDENTIALS,
  ACCESS_TOKEN_EXPIRED: INVALID_CREDENTIALS,
} as const;

export type UnauthenticatedReason = keyof typeof UNAUTHENTICATED_MESSAGES;

/** The API method a request calls, as ErrorInfo metadata names it. */
export interface ApiMethod {
  /** e.g. `secretmanager.googleapis.com`. */
  readonly service: string;
  /** Full RPC name, e.g. `google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion`. */
  readonly method: string;
}

// 401 UNAUTHENTICATED with the reason and `WWW-Authenticate` header Google's front end gives.
export function sendUnauthenticated(
  res: ServerResponse,
  reason: UnauthenticatedReason,
  api: ApiMethod,
): void {
  res.setHeader(
    'www-authenticate',
    'Bearer realm="https://accounts.google.com/", error="invalid_token"',
  );
  sendGoogleError(res, 401, UNAUTHENTICATED_MESSAGES[reason], {
    reason,
    domain: 'googleapis.com',
    metadata: { service: api.service, method: api.method },
  });
}

/**
 * Resolves the bearer token; answers 401 and returns undefined when it is missing,
 * unknown or expired (or the fault injector says to treat it as expired).
 */
export function authenticate(
  tokens: AccessTokenRegistry,
  req: IncomingMessage,
  res: ServerResponse,
  decision: FaultDecision,
  api: ApiMethod,
): Principal | undefined {
  const header = req.headers.authorization;
  if (header === undefined || header.trim() === '') {
    sendUnauthenticated(res, 'CREDENTIALS_MISSING', api);
    return undefined;
  }
  const resolved = tokens.resolve(header);
  if (resolved.status === 'unknown') {
    sendUnauthenticated(res, 'ACCESS_TOKEN_TYPE_UNSUPPORTED', api);
    return undefined;
  }
  if (resolved.status === 'expired' || decision.kind === 'expired-token') {
    sendUnauthenticated(res, 'ACCESS_TOKEN_EXPIRED', api);
    return undefined;
  }
  return resolved.principal;
}
