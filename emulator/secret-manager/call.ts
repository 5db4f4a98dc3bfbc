// One Secret Manager request in flight, and the lookups every handler shares: project,
// secret (with its IAM check), version (number, `latest` or alias) and the JSON body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import type { FaultDecision } from '../faults-contract.js';
import { readJsonObject as readJsonObjectBody } from '../http.js';
import type { Principal, SecretModel, SecretVersionModel } from '../model.js';
import { secretKey } from '../store.js';
import { hasPermission, type SmPermission } from './auth.js';
import { secretNoVersions, sendInvalid, sendNotFound, sendPermissionDenied } from './errors.js';
import { parentName, secretName, versionName, type SmPath } from './names.js';
import type { RenderOptions } from './render.js';

/** Everything a handler needs about the current request. */
export interface SmCall {
  readonly ctx: EmulatorContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: SmPath;
  readonly query: URLSearchParams;
  readonly principal: Principal;
  readonly decision: FaultDecision;
  readonly render: RenderOptions;
}

/** The request's resource name as the caller wrote it (used in PERMISSION_DENIED). */
export function requestedName(path: SmPath): string {
  let name = `projects/${path.project}`;
  if (path.location !== undefined) name += `/locations/${path.location}`;
  if (path.secretId === undefined) return name;
  name += `/secrets/${path.secretId}`;
  if (path.version !== undefined) name += `/versions/${path.version}`;
  return name;
}

/** Resolves the project; answers 403 (as Google does for unknown projects) when it fails. */
export function lookupProject(call: SmCall, permission: SmPermission): string | undefined {
  const number = call.ctx.store.projectNumber(call.path.project);
  if (number === undefined || !hasPermission(call.principal, permission, [])) {
    sendPermissionDenied(call.res, permission, requestedName(call.path));
    return undefined;
  }
  return number;
}

/** Canonical `projects/N[/locations/L]` of the request. */
export function callParent(call: SmCall, projectNumber: string): string {
  return parentName(projectNumber, call.path.location);
}

/**
 * Resolves the secret after checking `permission` on it: 403 when the caller lacks it
 * (whether or not the secret exists), then 404 when it does not exist.
 */
export function lookupSecret(call: SmCall, permission: SmPermission): SecretModel | undefined {
  const { path, ctx, res } = call;
  const number = ctx.store.projectNumber(path.project);
  const secret =
    number === undefined
      ? undefined
      : ctx.store.secrets.get(secretKey(number, path.secretId ?? '', path.location));
  // IAM propagation: a grant or removal made while the emulator runs is not seen yet.
  const bindings = secret === undefined ? [] : ctx.store.secretBindings(secret, ctx.now());
  if (number === undefined || !hasPermission(call.principal, permission, bindings)) {
    sendPermissionDenied(res, permission, requestedName(path));
    return undefined;
  }
  if (secret === undefined) {
    const name = secretName(number, path.secretId ?? '', path.location);
    sendNotFound(res, path.versions ? secretNoVersions(name) : `Secret [${name}] not found.`);
    return undefined;
  }
  return secret;
}

/** Resolves `V` (number, `latest` = most recently created, or an alias); 404 when absent. */
export function lookupVersion(call: SmCall, secret: SecretModel): SecretVersionModel | undefined {
  const requested = call.path.version ?? '';
  let number: number | undefined;
  if (requested === 'latest') {
    const newest = secret.versions.reduce<SecretVersionModel | undefined>(
      (a, v) => (a === undefined || v.number > a.number ? v : a),
      undefined,
    );
    if (newest !== undefined) return newest;
    const name = secretName(secret.projectNumber, secret.secretId, secret.location);
    sendNotFound(call.res, secretNoVersions(name));
    return undefined;
  }
  if (/^[1-9]\d{0,9}$/.test(requested)) number = Number(requested);
  else if (Object.hasOwn(secret.versionAliases, requested))
    number = secret.versionAliases[requested];
  const version = secret.versions.find((v) => v.number === number);
  if (version === undefined) {
    const name = versionName(secret.projectNumber, secret.secretId, requested, secret.location);
    sendNotFound(call.res, `Secret Version [${name}] not found.`);
  }
  return version;
}

/** Reads the JSON object body; answers 400 INVALID_ARGUMENT and returns undefined if bad. */
export async function readJsonObject(call: SmCall): Promise<Record<string, unknown> | undefined> {
  let body: Record<string, unknown> | undefined;
  try {
    body = await readJsonObjectBody(call.req);
  } catch {
    sendInvalid(call.res, 'Request payload size exceeds the limit: 1048576 bytes.');
    return undefined;
  }
  if (body === undefined)
    sendInvalid(call.res, 'Invalid JSON payload received. Expected an object.');
  return body;
}
