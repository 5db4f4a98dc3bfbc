// A service account's own IAM policy (who may impersonate it), as iam.googleapis.com serves
// it: `GET|POST /v1/projects/P/serviceAccounts/EMAIL:getIamPolicy` and
// `POST …:setIamPolicy` `{"policy":{"bindings":[…],"etag":"…"}}`. The emulator serves both on
// its iamCredentials port, for the emulator owner (admin token) only. A change goes through
// the IAM propagation delay (store.iam) before generateAccessToken sees it.
import type { ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { sendGoogleError, sendJson } from '../http.js';
import type { Principal } from '../model.js';
import { isOwner } from '../secret-manager/auth.js';
import { parseBindings } from '../secret-manager/iam.js';
import { policyEtag, renderPolicy } from '../secret-manager/render.js';

/** `/v1/projects/P/serviceAccounts/EMAIL:getIamPolicy` or `:setIamPolicy`. */
export const SA_POLICY_PATH =
  /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):(getIamPolicy|setIamPolicy)$/;

/** Serves one policy request of an authenticated caller. */
export function handleServiceAccountPolicy(
  ctx: EmulatorContext,
  res: ServerResponse,
  principal: Principal,
  email: string,
  verb: 'getIamPolicy' | 'setIamPolicy',
  body: Record<string, unknown> | undefined,
): void {
  const permission = `iam.serviceAccounts.${verb}`;
  const sa = ctx.store.serviceAccounts.get(email);
  if (!isOwner(principal)) {
    sendGoogleError(
      res,
      403,
      `Permission '${permission}' denied on resource (or it may not exist).`,
      {
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'iam.googleapis.com',
        metadata: { permission },
      },
    );
    return;
  }
  if (sa === undefined) {
    sendGoogleError(
      res,
      404,
      `Service account projects/-/serviceAccounts/${email} does not exist.`,
    );
    return;
  }
  if (verb === 'getIamPolicy') {
    sendJson(res, 200, renderPolicy(sa.bindings));
    return;
  }
  const policy = body?.policy as { bindings?: unknown; etag?: unknown } | undefined;
  if (typeof policy !== 'object' || policy === null) {
    sendGoogleError(res, 400, 'Policy must be specified.');
    return;
  }
  const bindings = parseBindings(policy.bindings ?? []);
  if (typeof bindings === 'string') {
    sendGoogleError(res, 400, bindings);
    return;
  }
  if (
    typeof policy.etag === 'string' &&
    policy.etag !== '' &&
    policy.etag !== policyEtag(sa.bindings)
  ) {
    sendGoogleError(
      res,
      409,
      'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      { status: 'ABORTED' },
    );
    return;
  }
  ctx.store.setServiceAccountBindings(email, bindings, ctx.now());
  sendJson(res, 200, renderPolicy(bindings));
}
