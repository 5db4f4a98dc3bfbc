// The answers an injected `error` fault sends, shaped like the real service on that route:
// Google JSON errors for the APIs, OAuth errors for STS client errors, plain text for the
// metadata server and the launcher's teeserver socket.
import type { ServerResponse } from 'node:http';
import { UNAUTHENTICATED_MESSAGES } from '../bearer-auth.js';
import { sendGoogleError, sendJson, sendText } from '../http.js';
import type { RouteId } from '../faults-contract.js';
import { LAUNCHER_GET_FAILURES } from '../teeserver/failures.js';

const DEFAULTS: Readonly<Record<number, { message: string; reason?: string }>> = {
  400: { message: 'Request contains an invalid argument.' },
  401: {
    message: UNAUTHENTICATED_MESSAGES.ACCESS_TOKEN_EXPIRED,
    reason: 'ACCESS_TOKEN_EXPIRED',
  },
  403: { message: 'The caller does not have permission', reason: 'IAM_PERMISSION_DENIED' },
  404: { message: 'Requested entity was not found.' },
  408: { message: 'Request timed out.' },
  429: {
    message:
      "Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute per project' of service 'secretmanager.googleapis.com'.",
    reason: 'RATE_LIMIT_EXCEEDED',
  },
  500: { message: 'Internal error encountered.' },
  503: { message: 'The service is currently unavailable.' },
  504: { message: 'Deadline expired before operation could complete.' },
};

const SERVICE_DOMAIN: Readonly<Record<string, string>> = {
  sts: 'sts.googleapis.com',
  iam: 'iamcredentials.googleapis.com',
  secretmanager: 'secretmanager.googleapis.com',
};

const OAUTH_ERROR: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'invalid_client',
  403: 'unauthorized_client',
  404: 'invalid_target',
};

/** Sends the injected error `status` on `route`, optionally with a custom message. */
export function sendInjectedError(
  res: ServerResponse,
  route: RouteId,
  status: number,
  message?: string,
): void {
  const base = DEFAULTS[status] ?? { message: 'Injected fault.' };
  // The launcher's own 500 text (it answered the attestation failed), unless one is given.
  const launcher =
    route === 'teeserver.token' && status === 500 ? LAUNCHER_GET_FAILURES[1] : undefined;
  const text = message ?? launcher ?? base.message;
  if (route === 'metadata.get' || route === 'teeserver.token') {
    sendText(res, status, text);
    return;
  }
  const oauth = OAUTH_ERROR[status];
  if (route === 'sts.token' && oauth !== undefined) {
    sendJson(res, status, { error: oauth, error_description: text });
    return;
  }
  const service = SERVICE_DOMAIN[route.split('.')[0] ?? ''] ?? 'googleapis.com';
  if (status === 401)
    res.setHeader(
      'www-authenticate',
      'Bearer realm="https://accounts.google.com/", error="invalid_token"',
    );
  sendGoogleError(res, status, text, {
    ...(base.reason === undefined ? {} : { reason: base.reason }),
    domain: base.reason === 'IAM_PERMISSION_DENIED' ? 'iam.googleapis.com' : 'googleapis.com',
    metadata: { service },
  });
}
