// Secret Manager REST v1 in the emulator, seen by a plain HTTP client: shapes, names,
// version resolution, state changes, IAM and Google's exact errors.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStandaloneSecretManager,
  type StandaloneSecretManager,
} from '../../emulator/secret-manager/standalone.js';
import type { Principal } from '../../emulator/model.js';

const T = { timeout: 15_000 };
const workload: Principal = {
  type: 'workload',
  subject: 'gcpcs::sha256:aa::1::2',
  pool: 'projects/111111111111/locations/global/workloadIdentityPools/cs-pool',
  attributes: { image_digest: 'sha256:aa' },
};
const MEMBER =
  'principalSet://iam.googleapis.com/projects/111111111111/locations/global/workloadIdentityPools/cs-pool/attribute.image_digest/sha256:aa';

/** The answer fields these tests read (success and error bodies). */
interface Json {
  name: string;
  payload: { data: string; dataCrc32c: string };
  error: {
    status: string;
    message: string;
    details: { reason: string; metadata?: Record<string, string> }[];
  };
  replication: unknown;
  createTime: string;
  versionAliases: Record<string, string>;
  versions: { name: string; state: string }[];
  secrets: { name: string }[];
  totalSize: number;
  nextPageToken?: string;
  state: string;
  destroyTime: string;
  bindings: unknown;
}

describe('secret-manager REST', () => {
  let emu: StandaloneSecretManager;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let userToken = '';

  async function call(method: string, path: string, body?: unknown, token = emu.ownerToken) {
    const res = await fetch(emu.url + path, {
      method,
      headers: {
        ...(token === '' ? {} : { authorization: `Bearer ${token}` }),
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      json: (text.startsWith('{') ? JSON.parse(text) : {}) as Json,
    };
  }
  const add = (path: string, data: string) =>
    call('POST', `${path}:addVersion`, { payload: { data: Buffer.from(data).toString('base64') } });

  before(async () => {
    emu = await startStandaloneSecretManager({ now: () => clock });
    userToken = emu.tokens.issue(workload, 3600).token;
    await call('POST', '/v1/projects/alice-proj/secrets?secretId=key', {
      replication: { automatic: {} },
    });
    await add('/v1/projects/alice-proj/secrets/key', 'a\n');
    await add('/v1/projects/alice-proj/secrets/key', 'v2');
    await add('/v1/projects/alice-proj/secrets/key', 'v3');
  });
  after(() => emu.close());

  test('create answers the Secret with the project number; duplicates are 409', T, async () => {
    const r = await call('POST', '/v1/projects/alice-proj/secrets?secretId=fresh', {
      replication: { automatic: {} },
    });
    assert.equal(r.status, 200);
    assert.equal(r.json.name, 'projects/111111111111/secrets/fresh');
    assert.deepEqual(r.json.replication, { automatic: {} });
    assert.equal(r.json.createTime, '2026-01-01T00:00:00.000Z');
    const dup = await call('POST', '/v1/projects/111111111111/secrets?secretId=fresh', {
      replication: { automatic: {} },
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error.status, 'ALREADY_EXISTS');
    const noRepl = await call('POST', '/v1/projects/alice-proj/secrets?secretId=x', {});
    assert.equal(noRepl.json.error.status, 'INVALID_ARGUMENT');
  });

  test('access by number: base64 data and decimal-string CRC32C', T, async () => {
    const r = await call('GET', '/v1/projects/alice-proj/secrets/key/versions/1:access');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {
      name: 'projects/111111111111/secrets/key/versions/1',
      payload: { data: 'YQo=', dataCrc32c: '163439259' },
    });
  });

  test('latest is the most recently created version, whatever its state', T, async () => {
    await call('POST', '/v1/projects/alice-proj/secrets?secretId=lat', {
      replication: { automatic: {} },
    });
    await add('/v1/projects/alice-proj/secrets/lat', 'one');
    await add('/v1/projects/alice-proj/secrets/lat', 'two');
    const ok = await call('GET', '/v1/projects/alice-proj/secrets/lat/versions/latest:access');
    assert.equal(ok.json.name, 'projects/111111111111/secrets/lat/versions/2');
    await call('POST', '/v1/projects/alice-proj/secrets/lat/versions/2:disable');
    const r = await call('GET', '/v1/projects/alice-proj/secrets/lat/versions/latest:access');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.status, 'FAILED_PRECONDITION');
    assert.equal(
      r.json.error.message,
      'Secret Version [projects/111111111111/secrets/lat/versions/2] is in DISABLED state.',
    );
  });

  test('aliases resolve through versionAliases (PATCH)', T, async () => {
    const p = await call('PATCH', '/v1/projects/alice-proj/secrets/key?updateMask=versionAliases', {
      versionAliases: { current: '2' },
    });
    assert.equal(p.status, 200);
    assert.deepEqual(p.json.versionAliases, { current: '2' });
    const r = await call('GET', '/v1/projects/alice-proj/secrets/key/versions/current:access');
    assert.equal(r.json.name, 'projects/111111111111/secrets/key/versions/2');
    assert.equal(Buffer.from(r.json.payload.data, 'base64').toString(), 'v2');
  });

  test('list versions: newest first, paged, totalSize', T, async () => {
    const r = await call('GET', '/v1/projects/alice-proj/secrets/key/versions?pageSize=2');
    assert.deepEqual(
      r.json.versions.map((v: { name: string }) => v.name.split('/').pop()),
      ['3', '2'],
    );
    assert.equal(r.json.totalSize, 3);
    assert.equal(r.json.versions[0]!.state, 'ENABLED');
    const next = await call(
      'GET',
      `/v1/projects/alice-proj/secrets/key/versions?pageSize=2&pageToken=${r.json.nextPageToken}`,
    );
    assert.equal(next.json.versions.length, 1);
    assert.equal(next.json.nextPageToken, undefined);
  });

  test('destroy is terminal and sets destroyTime', T, async () => {
    await call('POST', '/v1/projects/alice-proj/secrets?secretId=gone', {
      replication: { automatic: {} },
    });
    await add('/v1/projects/alice-proj/secrets/gone', 'bye');
    clock += 1000;
    const d = await call('POST', '/v1/projects/alice-proj/secrets/gone/versions/1:destroy');
    assert.equal(d.json.state, 'DESTROYED');
    assert.equal(d.json.destroyTime, new Date(clock).toISOString());
    const e = await call('POST', '/v1/projects/alice-proj/secrets/gone/versions/1:enable');
    assert.equal(e.json.error.status, 'FAILED_PRECONDITION');
    const a = await call('GET', '/v1/projects/alice-proj/secrets/gone/versions/1:access');
    assert.equal(
      a.json.error.message,
      'Secret Version [projects/111111111111/secrets/gone/versions/1] is in DESTROYED state.',
    );
  });

  test('not found messages name the project number', T, async () => {
    const r = await call('GET', '/v1/projects/alice-proj/secrets/nope/versions/1:access');
    assert.equal(r.status, 404);
    assert.equal(
      r.json.error.message,
      'Secret [projects/111111111111/secrets/nope] not found or has no versions.',
    );
    const v = await call('GET', '/v1/projects/alice-proj/secrets/key/versions/9:access');
    assert.equal(
      v.json.error.message,
      'Secret Version [projects/111111111111/secrets/key/versions/9] not found.',
    );
  });

  test('IAM: a workload needs secretAccessor on the secret', T, async () => {
    const path = '/v1/projects/alice-proj/secrets/key/versions/1:access';
    const denied = await call('GET', path, undefined, userToken);
    assert.equal(denied.status, 403);
    // Google's newer wording: the resource is in the ErrorInfo metadata, not the message.
    assert.equal(
      denied.json.error.message,
      "Permission 'secretmanager.versions.access' denied on resource (or it may not exist).",
    );
    assert.equal(denied.json.error.details[0]!.reason, 'IAM_PERMISSION_DENIED');
    assert.deepEqual(denied.json.error.details[0]!.metadata, {
      permission: 'secretmanager.versions.access',
      resource: 'projects/alice-proj/secrets/key/versions/1',
    });
    const missing = await call(
      'GET',
      '/v1/projects/alice-proj/secrets/nope/versions/1:access',
      undefined,
      userToken,
    );
    assert.equal(missing.status, 403, 'no existence oracle for callers without access');
    const set = await call('POST', '/v1/projects/alice-proj/secrets/key:setIamPolicy', {
      policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [MEMBER] }] },
    });
    assert.equal(set.status, 200);
    const got = await call('GET', '/v1/projects/alice-proj/secrets/key:getIamPolicy');
    assert.deepEqual(got.json.bindings, [
      { role: 'roles/secretmanager.secretAccessor', members: [MEMBER] },
    ]);
    // The policy reads back at once, but the grant takes effect after the IAM propagation
    // delay (default 120 s), as on Google.
    assert.equal((await call('GET', path, undefined, userToken)).status, 403);
    clock += 119_000;
    assert.equal((await call('GET', path, undefined, userToken)).status, 403);
    clock += 1_000;
    assert.equal((await call('GET', path, undefined, userToken)).status, 200);
    const adminOp = await add('/v1/projects/alice-proj/secrets/key', 'nope');
    assert.equal(adminOp.status, 200, 'owner may add');
    const byUser = await call(
      'POST',
      '/v1/projects/alice-proj/secrets/key:addVersion',
      {
        payload: { data: 'AA==' },
      },
      userToken,
    );
    assert.equal(byUser.status, 403);
    const stale = await call('POST', '/v1/projects/alice-proj/secrets/key:setIamPolicy', {
      policy: { bindings: [], etag: 'AAAAAAAAAAA=' },
    });
    assert.equal(stale.json.error.status, 'ABORTED');
    // A removal propagates too: access goes on until the delay is over.
    const removed = await call('POST', '/v1/projects/alice-proj/secrets/key:setIamPolicy', {
      policy: { bindings: [] },
    });
    assert.equal(removed.status, 200);
    assert.equal((await call('GET', path, undefined, userToken)).status, 200);
    clock += 120_000;
    assert.equal((await call('GET', path, undefined, userToken)).status, 403);
  });

  test('401 for missing, unknown and expired tokens', T, async () => {
    const path = '/v1/projects/alice-proj/secrets/key/versions/1:access';
    const none = await call('GET', path, undefined, '');
    assert.equal(none.status, 401);
    assert.equal(none.json.error.details[0]!.reason, 'CREDENTIALS_MISSING');
    const bogus = await call('GET', path, undefined, 'ya29.bogus');
    assert.equal(bogus.json.error.details[0]!.reason, 'ACCESS_TOKEN_TYPE_UNSUPPORTED');
    const short = emu.tokens.issue(workload, 60).token;
    clock += 61_000;
    const expired = await call('GET', path, undefined, short);
    assert.equal(expired.status, 401);
    assert.equal(expired.json.error.status, 'UNAUTHENTICATED');
    assert.equal(expired.json.error.details[0]!.reason, 'ACCESS_TOKEN_EXPIRED');
  });

  test('addVersion validates size and checksum', T, async () => {
    const path = '/v1/projects/alice-proj/secrets/key:addVersion';
    const big = await call('POST', path, {
      payload: { data: Buffer.alloc(65_537).toString('base64') },
    });
    assert.equal(big.json.error.status, 'INVALID_ARGUMENT');
    const bad = await call('POST', path, { payload: { data: 'YQo=', dataCrc32c: '1' } });
    assert.equal(bad.status, 400);
    const good = await call('POST', path, { payload: { data: 'YQo=', dataCrc32c: '163439259' } });
    assert.equal(good.status, 200);
    assert.equal(good.json.state, 'ENABLED');
  });

  test('regional names on the same port; unknown paths get the HTML 404', T, async () => {
    const base = '/v1/projects/alice-proj/locations/europe-west4/secrets';
    const c = await call('POST', `${base}?secretId=reg`, {});
    assert.equal(c.json.name, 'projects/111111111111/locations/europe-west4/secrets/reg');
    await add(`${base}/reg`, 'regional');
    const r = await call('GET', `${base}/reg/versions/latest:access`);
    assert.equal(
      r.json.name,
      'projects/111111111111/locations/europe-west4/secrets/reg/versions/1',
    );
    const globalList = await call('GET', '/v1/projects/alice-proj/secrets');
    assert.ok(!globalList.json.secrets.some((s: { name: string }) => s.name.includes('/reg')));
    const html = await call('GET', '/v1/projects/alice-proj/nothing');
    assert.equal(html.status, 404);
    assert.match(html.text, /<title>Error 404 \(Not Found\)!!1<\/title>/);
  });
});
