// Secret version methods: addVersion, get, list (newest first, paged), access, and the
// state changes disable / enable / destroy (DESTROYED is terminal).
import { pageOf, parsePage } from './paging.js';
import { crc32c } from '../../src/secrets/crc32c.js';
import { sendJson } from '../http.js';
import type { SecretModel, SecretVersionModel, VersionState } from '../model.js';
import type { SmPermission } from './auth.js';
import { lookupSecret, lookupVersion, readJsonObject, type SmCall } from './call.js';
import { sendInvalid, sendStateError } from './errors.js';
import { versionName } from './names.js';
import { renderVersion } from './render.js';

/** Largest payload Secret Manager stores: 64 KiB. */
export const MAX_PAYLOAD_BYTES = 65_536;
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Appends a version with the next number (shared with seeding). */
export function appendVersion(
  secret: SecretModel,
  data: Buffer,
  now: number,
  state: VersionState = 'ENABLED',
): SecretVersionModel {
  const number = secret.versions.reduce((max, v) => Math.max(max, v.number), 0) + 1;
  const createTime = new Date(now).toISOString();
  const version: SecretVersionModel = { number, state, data: Buffer.from(data), createTime };
  setVersionState(version, state, now);
  secret.versions.push(version);
  return version;
}

/** Moves a version to `state`; DESTROYED wipes the payload and stamps `destroyTime`. */
export function setVersionState(
  version: SecretVersionModel,
  state: VersionState,
  now: number,
): void {
  version.state = state;
  if (state !== 'DESTROYED') return;
  version.data?.fill(0);
  version.data = undefined;
  version.destroyTime = new Date(now).toISOString();
}

/** POST …/secrets/S:addVersion `{"payload":{"data":b64,"dataCrc32c":"n"}}`. */
export async function addVersion(call: SmCall): Promise<void> {
  const secret = lookupSecret(call, 'secretmanager.versions.add');
  if (secret === undefined) return;
  const body = await readJsonObject(call);
  if (body === undefined) return;
  const payload = body.payload as { data?: unknown; dataCrc32c?: unknown } | undefined;
  if (typeof payload !== 'object' || payload === null || typeof payload.data !== 'string') {
    return sendInvalid(call.res, 'Payload must be specified.');
  }
  if (!BASE64_RE.test(payload.data)) {
    return sendInvalid(
      call.res,
      "Invalid value at 'payload.data' (TYPE_BYTES), Base64 decoding failed.",
    );
  }
  const data = Buffer.from(payload.data, 'base64');
  if (data.length > MAX_PAYLOAD_BYTES) {
    return sendInvalid(call.res, 'Secret Payload cannot be larger than 64KiB.');
  }
  const crcField = payload.dataCrc32c;
  if (typeof crcField === 'string' || typeof crcField === 'number') {
    const given = String(crcField);
    if (!/^\d+$/.test(given) || Number(given) !== crc32c(data)) {
      return sendInvalid(
        call.res,
        'Data integrity check failed. The checksum of the received payload does not match the provided data_crc32c.',
      );
    }
  }
  const version = appendVersion(secret, data, call.ctx.now());
  sendJson(call.res, 200, renderVersion(secret, version, call.render));
}

/** GET …/versions/V (metadata only). */
export function getVersion(call: SmCall): void {
  const secret = lookupSecret(call, 'secretmanager.versions.get');
  const version = secret && lookupVersion(call, secret);
  if (secret === undefined || version === undefined) return;
  sendJson(call.res, 200, renderVersion(secret, version, call.render));
}

/** GET …/versions?pageSize&pageToken — newest first, with totalSize. */
export function listVersions(call: SmCall): void {
  const secret = lookupSecret(call, 'secretmanager.versions.list');
  if (secret === undefined) return;
  const page = parsePage(call.query);
  if (page === undefined) return sendInvalid(call.res, 'Invalid pageSize or pageToken.');
  const filter = call.query.get('filter') ?? '';
  const stateFilter = /^state\s*[:=]\s*(ENABLED|DISABLED|DESTROYED)$/.exec(filter.trim())?.[1];
  const all = [...secret.versions]
    .filter((v) => stateFilter === undefined || v.state === stateFilter)
    .sort((a, b) => b.number - a.number);
  const { items, next, total } = pageOf(all, page);
  const out: Record<string, unknown> = {};
  if (items.length > 0) out.versions = items.map((v) => renderVersion(secret, v, call.render));
  if (next !== undefined) out.nextPageToken = next;
  out.totalSize = total;
  sendJson(call.res, 200, out);
}

/** GET …/versions/V:access — the payload with its CRC32C as a decimal string. */
export function accessVersion(call: SmCall): void {
  const secret = lookupSecret(call, 'secretmanager.versions.access');
  const version = secret && lookupVersion(call, secret);
  if (secret === undefined || version === undefined) return;
  const name = versionName(secret.projectNumber, secret.secretId, version.number, secret.location);
  if (version.state !== 'ENABLED' || version.data === undefined) {
    return sendStateError(call.res, name, version.state);
  }
  let data = version.data;
  let crc = crc32c(data);
  if (call.decision.kind === 'corrupt' && call.decision.what === 'payload') {
    data = Buffer.from(data.length === 0 ? Buffer.from([0]) : data);
    data[0] = (data[0] ?? 0) ^ 0x01;
  } else if (call.decision.kind === 'corrupt') {
    crc = (crc ^ 0x01) >>> 0;
  }
  sendJson(call.res, 200, {
    name,
    payload: { data: data.toString('base64'), dataCrc32c: String(crc) },
  });
}

const TRANSITIONS: Readonly<Record<string, { to: VersionState; permission: SmPermission }>> = {
  disable: { to: 'DISABLED', permission: 'secretmanager.versions.disable' },
  enable: { to: 'ENABLED', permission: 'secretmanager.versions.enable' },
  destroy: { to: 'DESTROYED', permission: 'secretmanager.versions.destroy' },
};

/** POST …/versions/V:disable|:enable|:destroy. */
export function changeVersionState(call: SmCall): void {
  const transition = TRANSITIONS[call.path.verb ?? ''];
  if (transition === undefined) return;
  const secret = lookupSecret(call, transition.permission);
  const version = secret && lookupVersion(call, secret);
  if (secret === undefined || version === undefined) return;
  if (version.state === 'DESTROYED') {
    const name = versionName(
      secret.projectNumber,
      secret.secretId,
      version.number,
      secret.location,
    );
    return sendStateError(call.res, name, 'DESTROYED');
  }
  setVersionState(version, transition.to, call.ctx.now());
  sendJson(call.res, 200, renderVersion(secret, version, call.render));
}
