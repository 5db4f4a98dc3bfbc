// IAM Service Account Credentials: `POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`
// with a Bearer token from the STS; allowed when the service account's bindings (as
// propagated, iam/propagation.ts) grant the caller roles/iam.workloadIdentityUser or
// roles/iam.serviceAccountTokenCreator. The same port serves iam.googleapis.com's
// getIamPolicy / setIamPolicy of a service account for the admin token (sa-policy.ts), and
// the creation of Workload Identity pools, providers and service accounts
// (workload-identity.ts).
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
import { handleServiceAccountPolicy, SA_POLICY_PATH } from './sa-policy.js';
import { handleWorkloadIdentityApi } from './workload-identity.js';

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
      const policyMatch = SA_POLICY_PATH.exec(path);
      if (policyMatch !== null) {
        await servePolicy(ctx, req, res, policyMatch);
        return;
      }
      if (await handleWorkloadIdentityApi(ctx, req, res, path)) return;
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
      // IAM propagation: a binding changed while the emulator runs is not seen yet.
      const bindings = ctx.store.serviceAccountBindings(sa, ctx.now());
      if (!isGranted(bindings, IMPERSONATION_ROLES, principal)) {
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
      // Google gives the impersonated token its own lifetime, whatever is left of the
      // attestation token behind the caller's; the lineage is kept only to count its use.
      const attestationExp = ctx.tokens.attestationExpiry(req.headers.authorization);
      const issued = ctx.tokens.issue(
        { type: 'serviceAccount', subject: sa.email, attributes: {} },
        lifetime,
        attestationExp === undefined ? {} : { attestationExp },
      );
      sendJson(res, 200, { accessToken: issued.token, expireTime: googleTime(issued.expiresAt) });
    },
  };
}

// iam.googleapis.com's getIamPolicy / setIamPolicy of a service account (owner only).
async function servePolicy(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  match: RegExpExecArray,
): Promise<void> {
  const verb = match[3] === 'setIamPolicy' ? 'setIamPolicy' : 'getIamPolicy';
  if (req.method !== 'POST' && !(verb === 'getIamPolicy' && req.method === 'GET')) {
    sendHtml404(res, new URL(req.url ?? '/', 'http://x').pathname);
    return;
  }
  const principal = authenticate(
    ctx.tokens,
    req,
    res,
    { kind: 'pass' },
    {
      service: 'iam.googleapis.com',
      method: `google.iam.admin.v1.IAM.${verb === 'setIamPolicy' ? 'SetIamPolicy' : 'GetIamPolicy'}`,
    },
  );
  if (principal === undefined) return;
  const body = req.method === 'POST' ? await readJsonObject(req) : {};
  if (body === undefined) {
    sendGoogleError(res, 400, 'Invalid JSON payload received.');
    return;
  }
  const email = decodeURIComponent(match[2] ?? '');
  handleServiceAccountPolicy(ctx, res, principal, email, verb, body);
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
