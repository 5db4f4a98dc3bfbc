// IAM Service Account Credentials: `POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`
// with a Bearer token from the STS; allowed when the service account's bindings grant the
// caller roles/iam.workloadIdentityUser or roles/iam.serviceAccountTokenCreator.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  accessTokenPolicy,
  DEFAULT_ACCESS_TOKEN_SECONDS,
  type AccessTokenPolicy,
} from '../access-token-policy.js';
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

// Formats an expiry like Google: RFC 3339 in UTC without fractional seconds.
export function googleTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The IAM credentials API as an emulator service; `policy` gives the default `lifetime` and
// the largest one a request may ask for.
export function createIamCredentialsService(
  ctx: EmulatorContext,
  policy: AccessTokenPolicy = accessTokenPolicy({}),
): EmulatorService {
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
      const lifetime = parseLifetime(body.lifetime, policy.lifetimeSeconds);
      if (lifetime === undefined) {
        sendGoogleError(
          res,
          400,
          `Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration): expected a duration of at least 1 second such as "3600s".`,
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
      if (lifetime > policy.maxLifetimeSeconds) {
        sendGoogleError(res, 400, lifetimeTooLong(sa.email, policy.maxLifetimeSeconds));
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

// A protobuf Duration in JSON (`"600s"`, `"600.5s"`, whole seconds kept); absent: default.
function parseLifetime(value: unknown, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)(\.\d{1,9})?s$/.exec(value);
  const seconds = m === null ? NaN : Number(m[1]);
  return seconds >= 1 ? seconds : undefined;
}

// Google's refusal of a lifetime above the ceiling (1 h without the org policy).
function lifetimeTooLong(email: string, maxSeconds: number): string {
  const limit = maxSeconds === DEFAULT_ACCESS_TOKEN_SECONDS ? '1 hour' : `${maxSeconds} seconds`;
  return `Access tokens for service account ${email} can not have lifetimes of more than ${limit}. Use the Org Policy Constraint constraints/iam.allowServiceAccountCredentialLifetimeExtension to allow up to 12 hours.`;
}
