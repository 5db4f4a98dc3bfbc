// Secret Manager's error answers, with Google's exact messages, statuses and ErrorInfo.
import type { ServerResponse } from 'node:http';
import { sendGoogleError } from '../http.js';

/**
 * 403 PERMISSION_DENIED, the same whether or not the resource exists, in Google's newer
 * wording (the resource is named in the ErrorInfo metadata, no longer in the message).
 */
export function sendPermissionDenied(
  res: ServerResponse,
  permission: string,
  resource: string,
): void {
  sendGoogleError(
    res,
    403,
    `Permission '${permission}' denied on resource (or it may not exist).`,
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
