// Secret methods: create (`?secretId=`), get, list, patch (versionAliases, labels), delete.
import { pageOf, parsePage } from './paging.js';
import { sendGoogleError, sendJson } from '../http.js';
import { secretResource } from '../iam/propagation.js';
import type { SecretModel } from '../model.js';
import { secretKey } from '../store.js';
import { callParent, lookupProject, lookupSecret, readJsonObject, type SmCall } from './call.js';
import { sendInvalid } from './errors.js';
import { SECRET_ID_RE, secretName, VERSION_ALIAS_RE } from './names.js';
import { renderSecret, setSecretExtras } from './render.js';

/** Secret fields the API knows; anything else is rejected like Google's JSON parser does. */
const KNOWN_FIELDS = new Set([
  'name',
  'replication',
  'createTime',
  'labels',
  'topics',
  'expireTime',
  'ttl',
  'etag',
  'rotation',
  'versionAliases',
  'annotations',
  'versionDestroyTtl',
  'customerManagedEncryption',
  'tags',
]);

/** POST …/secrets?secretId=S */
export async function createSecret(call: SmCall): Promise<void> {
  const projectNumber = lookupProject(call, 'secretmanager.secrets.create');
  if (projectNumber === undefined) return;
  const secretId = call.query.get('secretId') ?? '';
  const body = await readJsonObject(call);
  if (body === undefined) return;
  if (!SECRET_ID_RE.test(secretId)) {
    return sendInvalid(
      call.res,
      'The secret_id must be 1 to 255 characters long and contain only letters, digits, underscores and hyphens.',
    );
  }
  const unknown = Object.keys(body).find((k) => !KNOWN_FIELDS.has(k));
  if (unknown !== undefined) {
    return sendInvalid(
      call.res,
      `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`,
    );
  }
  const { location } = call.path;
  const replication = body.replication;
  if (location === undefined && !isReplication(replication)) {
    return sendInvalid(call.res, 'Secret.replication must be specified: automatic or userManaged.');
  }
  if (location !== undefined && replication !== undefined) {
    return sendInvalid(call.res, 'Regional secrets do not accept a replication policy.');
  }
  const key = secretKey(projectNumber, secretId, location);
  const name = secretName(projectNumber, secretId, location);
  if (call.ctx.store.secrets.has(key)) {
    return sendGoogleError(call.res, 409, `Secret [${name}] already exists.`);
  }
  const secret: SecretModel = {
    projectNumber,
    secretId,
    ...(location === undefined ? {} : { location }),
    createTime: new Date(call.ctx.now()).toISOString(),
    versions: [],
    versionAliases: {},
    bindings: [],
  };
  setSecretExtras(secret, {
    ...(location === undefined ? { replication } : {}),
    ...(isLabels(body.labels) ? { labels: body.labels } : {}),
  });
  call.ctx.store.secrets.set(key, secret);
  sendJson(call.res, 200, renderSecret(secret));
}

/** GET …/secrets/S */
export function getSecret(call: SmCall): void {
  const secret = lookupSecret(call, 'secretmanager.secrets.get');
  if (secret !== undefined) sendJson(call.res, 200, renderSecret(secret));
}

/** GET …/secrets?pageSize&pageToken — the project's secrets (of that location) by name. */
export function listSecrets(call: SmCall): void {
  const projectNumber = lookupProject(call, 'secretmanager.secrets.list');
  if (projectNumber === undefined) return;
  const parent = callParent(call, projectNumber);
  const all = [...call.ctx.store.secrets.values()]
    .filter((s) => s.projectNumber === projectNumber && s.location === call.path.location)
    .sort((a, b) => a.secretId.localeCompare(b.secretId));
  const page = parsePage(call.query);
  if (page === undefined) {
    return sendInvalid(call.res, `Invalid pageSize or pageToken for ${parent}.`);
  }
  const { items, next, total } = pageOf(all, page);
  const out: Record<string, unknown> = {};
  if (items.length > 0) out.secrets = items.map((s) => renderSecret(s));
  if (next !== undefined) out.nextPageToken = next;
  out.totalSize = total;
  sendJson(call.res, 200, out);
}

/** PATCH …/secrets/S?updateMask=versionAliases,labels */
export async function patchSecret(call: SmCall): Promise<void> {
  const secret = lookupSecret(call, 'secretmanager.secrets.update');
  if (secret === undefined) return;
  const body = await readJsonObject(call);
  if (body === undefined) return;
  const mask = (call.query.get('updateMask') ?? '').split(',').filter((f) => f !== '');
  if (mask.length === 0) return sendInvalid(call.res, 'update_mask must be specified.');
  const unsupported = mask.find(
    (f) => f !== 'versionAliases' && f !== 'version_aliases' && f !== 'labels',
  );
  if (unsupported !== undefined) {
    return sendInvalid(call.res, `The emulator cannot update field [${unsupported}].`);
  }
  if (mask.includes('labels')) {
    if (body.labels !== undefined && !isLabels(body.labels))
      return sendInvalid(call.res, 'Invalid labels.');
    setSecretExtras(secret, {
      ...currentExtras(secret),
      labels: isLabels(body.labels) ? body.labels : {},
    });
  }
  if (mask.includes('versionAliases') || mask.includes('version_aliases')) {
    const aliases = parseAliases(body.versionAliases ?? {}, secret);
    if (typeof aliases === 'string') return sendInvalid(call.res, aliases);
    secret.versionAliases = aliases;
  }
  sendJson(call.res, 200, renderSecret(secret));
}

/** DELETE …/secrets/S */
export function deleteSecret(call: SmCall): void {
  const secret = lookupSecret(call, 'secretmanager.secrets.delete');
  if (secret === undefined) return;
  const key = secretKey(secret.projectNumber, secret.secretId, secret.location);
  call.ctx.store.secrets.delete(key);
  call.ctx.store.iam.forget(secretResource(key));
  sendJson(call.res, 200, {});
}

/** Validates `{alias: versionNumber}`; returns an error message on failure. */
export function parseAliases(input: unknown, secret: SecretModel): Record<string, number> | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return 'versionAliases must be a map.';
  const out: Record<string, number> = {};
  for (const [alias, value] of Object.entries(input as Record<string, unknown>)) {
    const n = Number(value);
    if (!VERSION_ALIAS_RE.test(alias) || alias === 'latest') {
      return `Invalid version alias [${alias}].`;
    }
    const version = secret.versions.find((v) => v.number === n);
    if (version === undefined)
      return `Version alias [${alias}] points to a version that does not exist.`;
    if (version.state === 'DESTROYED')
      return `Version alias [${alias}] points to a destroyed version.`;
    out[alias] = n;
  }
  return out;
}

function isReplication(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return 'automatic' in value || 'userManaged' in value;
}

function isLabels(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

function currentExtras(secret: SecretModel): { replication?: unknown } {
  const rendered = renderSecret(secret);
  return rendered.replication === undefined ? {} : { replication: rendered.replication };
}
