// IAM Service Account Credentials: `POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`
// with a Bearer token from the STS; allowed when the service account's bindings grant the
// caller roles/iam.workloadIdentityUser or roles/iam.serviceAccountTokenCreator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from '../bearer-auth.js';
import type { EmulatorContext, EmulatorService } from '../context.js';
import { readJsonObject, sendGoogleError, sendHtml404, sendJson } from '../http.js';
import { isGranted } from '../members.js';

export const IMPERSONATION_ROLES = [
  'roles/iam.workloadIdentityUser',
  'roles/iam.serviceAccountTokenCreator',
] as const;
const PERMISSION = 'iam.serviceAccounts.getAccessToken';
const PATH = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):generateAccessToken$/;
const MAX_LIFETIME_SECONDS = 3600;

// Formats an expiry like Google: RFC 3339 in UTC without fractional seconds.
export function googleTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The IAM credentials API as an emulator service.
export function createIamCredentialsService(ctx: EmulatorContext): EmulatorService {
  return {
    name: 'iamcredentials',
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const match = PATH.exec(path);
      if (req.method !== 'POST' || match === null) {
        sendHtml404(res, path);
        return;
      }
      const decision = await ctx.faults.intercept('iam.generateAccessToken', res);
      if (decision.kind === 'handled') return;
      const email = decodeURIComponent(match[2] ?? '');
      const principal = authenticate(ctx.tokens, req, res, decision, {
        service: 'iamcredentials.googleapis.com',
        method: 'google.iam.credentials.v1.IAMCredentials.GenerateAccessToken',
      });
      if (principal === undefined) return;
      const body = await readJsonObject(req);
      if (body === undefined) {
        sendGoogleError(res, 400, 'Invalid JSON payload received.');
        return;
      }
      const scope = body.scope;
      if (!Array.isArray(scope) || scope.length === 0) {
        sendGoogleError(res, 400, 'Scope required.');
        return;
      }
      const lifetime = parseLifetime(body.lifetime);
      if (lifetime === undefined) {
        sendGoogleError(
          res,
          400,
          `The lifetime must be between 1 and ${MAX_LIFETIME_SECONDS} seconds ("Ns").`,
        );
        return;
      }
      const sa = ctx.store.serviceAccounts.get(email);
      if (sa === undefined) {
        sendGoogleError(res, 404, `Not found; Gaia id not found for email ${email}`);
        return;
      }
      if (!isGranted(sa.bindings, IMPERSONATION_ROLES, principal)) {
        sendGoogleError(
          res,
          403,
          `Permission '${PERMISSION}' denied on resource (or it may not exist).`,
          {
            reason: 'IAM_PERMISSION_DENIED',
            domain: 'iam.googleapis.com',
            metadata: { permission: PERMISSION },
          },
        );
        return;
      }
      const issued = ctx.tokens.issue(
        { type: 'serviceAccount', subject: sa.email, attributes: {} },
        lifetime,
      );
      sendJson(res, 200, { accessToken: issued.token, expireTime: googleTime(issued.expiresAt) });
    },
  };
}

function parseLifetime(value: unknown): number | undefined {
  if (value === undefined) return MAX_LIFETIME_SECONDS;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)(\.\d+)?s$/.exec(value);
  const seconds = m === null ? NaN : Number(m[1]);
  return seconds >= 1 && seconds <= MAX_LIFETIME_SECONDS ? seconds : undefined;
}
