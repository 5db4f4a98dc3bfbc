// Per-secret IAM policies: getIamPolicy and setIamPolicy (read-modify-write with etags).
import { sendGoogleError, sendJson } from '../http.js';
import type { IamBinding } from '../model.js';
import { lookupSecret, readJsonObject, type SmCall } from './call.js';
import { sendInvalid } from './errors.js';
import { ROLE_RE } from './names.js';
import { policyEtag, renderPolicy } from './render.js';

/** GET or POST …/secrets/S:getIamPolicy */
export function getIamPolicy(call: SmCall): void {
  const secret = lookupSecret(call, 'secretmanager.secrets.getIamPolicy');
  if (secret !== undefined) sendJson(call.res, 200, renderPolicy(secret.bindings));
}

/** POST …/secrets/S:setIamPolicy `{"policy":{"bindings":[…],"etag":"…"}}` */
export async function setIamPolicy(call: SmCall): Promise<void> {
  const secret = lookupSecret(call, 'secretmanager.secrets.setIamPolicy');
  if (secret === undefined) return;
  const body = await readJsonObject(call);
  if (body === undefined) return;
  const policy = body.policy as { bindings?: unknown; etag?: unknown } | undefined;
  if (typeof policy !== 'object' || policy === null) {
    return sendInvalid(call.res, 'Policy must be specified.');
  }
  const bindings = parseBindings(policy.bindings ?? []);
  if (typeof bindings === 'string') return sendInvalid(call.res, bindings);
  if (
    typeof policy.etag === 'string' &&
    policy.etag !== '' &&
    policy.etag !== policyEtag(secret.bindings)
  ) {
    return sendGoogleError(
      call.res,
      409,
      'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      { status: 'ABORTED' },
    );
  }
  call.ctx.store.setSecretBindings(secret, bindings, call.ctx.now());
  sendJson(call.res, 200, renderPolicy(secret.bindings));
}

/** Validates IAM bindings; returns an error message on failure. Conditions are unsupported. */
export function parseBindings(input: unknown): IamBinding[] | string {
  if (!Array.isArray(input)) return 'Policy.bindings must be a list.';
  const out: IamBinding[] = [];
  for (const [i, raw] of input.entries()) {
    const b = raw as { role?: unknown; members?: unknown; condition?: unknown };
    if (typeof b !== 'object' || b === null) return `Policy.bindings[${i}] must be an object.`;
    if (typeof b.role !== 'string' || !ROLE_RE.test(b.role)) {
      return `Policy.bindings[${i}].role is invalid.`;
    }
    if (!Array.isArray(b.members) || b.members.some((m) => typeof m !== 'string' || m === '')) {
      return `Policy.bindings[${i}].members must be a list of member strings.`;
    }
    if (b.condition !== undefined) return 'The emulator does not support IAM conditions.';
    const existing = out.find((x) => x.role === b.role);
    const members = b.members as string[];
    if (existing === undefined) out.push({ role: b.role, members: [...new Set(members)] });
    else
      out[out.indexOf(existing)] = {
        role: b.role,
        members: [...new Set([...existing.members, ...members])],
      };
  }
  return out.filter((b) => b.members.length > 0);
}
