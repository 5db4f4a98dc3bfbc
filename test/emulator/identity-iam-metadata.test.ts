// IAM credentials, GCE metadata and the admin API on the wire: Google-shaped errors,
// Metadata-Flavor rules, and admin actions (auth, attestation preset, expiring tokens).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from '../../emulator/attestation/jwt.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

let emu: RunningEmulator;
let dir: string;
const READER = 'reader@alice-proj.iam.gserviceaccount.com';

async function stsToken(project = 'alice-proj'): Promise<string> {
  const res = await fetch(`${emu.endpoints.sts}/v1/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: emu.providerAudience(project),
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: await emu.attestation.mintToken(),
    }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function generate(
  email: string,
  auth?: string,
  body: unknown = { scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '3600s' },
) {
  const res = await fetch(
    `${emu.endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${email}:generateAccessToken`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(auth === undefined ? {} : { authorization: `Bearer ${auth}` }),
      },
      body: JSON.stringify(body),
    },
  );
  return {
    status: res.status,
    body: (await res.json()) as {
      error?: { code: number; message: string; status: string; details: { reason: string }[] };
      accessToken?: string;
      expireTime?: string;
    },
  };
}

async function admin(method: string, path: string, body?: unknown, token: string = emu.adminToken) {
  const res = await fetch(`${emu.endpoints.admin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('identity: IAM credentials, metadata, admin', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-iam-'));
    emu = await startEmulator({ stateDir: dir });
  });
  after(async () => {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('generateAccessToken: success shape', { timeout: 10_000 }, async () => {
    const r = await generate(READER, await stsToken());
    assert.equal(r.status, 200);
    assert.match(r.body.accessToken ?? '', /^ya29\./);
    assert.match(r.body.expireTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('generateAccessToken: Google-shaped errors', { timeout: 10_000 }, async () => {
    const missing = await generate(READER);
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error?.status, 'UNAUTHENTICATED');
    assert.equal(missing.body.error?.details[0]?.reason, 'CREDENTIALS_MISSING');
    const bogus = await generate(READER, 'ya29.bogus');
    assert.equal(bogus.status, 401);
    assert.match(
      bogus.body.error?.message ?? '',
      /^Request had invalid authentication credentials\./,
    );
    const token = await stsToken();
    const unknown = await generate('ghost@alice-proj.iam.gserviceaccount.com', token);
    assert.deepEqual(unknown.body.error?.code, 404);
    assert.equal(
      unknown.body.error?.message,
      'Not found; Gaia id not found for email ghost@alice-proj.iam.gserviceaccount.com',
    );
    const bobs = await generate('reader@bob-proj.iam.gserviceaccount.com', token);
    assert.equal(bobs.status, 403);
    assert.equal(
      bobs.body.error?.message,
      "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
    );
    const noScope = await generate(READER, token, {});
    assert.equal(noScope.status, 400);
    assert.equal(noScope.body.error?.status, 'INVALID_ARGUMENT');
  });

  test(
    'metadata requires Metadata-Flavor: Google and answers with it',
    { timeout: 10_000 },
    async () => {
      const base = `${emu.endpoints.metadata}/computeMetadata/v1`;
      const refused = await fetch(`${base}/project/project-id`);
      assert.equal(refused.status, 403);
      const get = async (p: string) => {
        const res = await fetch(`${base}${p}`, { headers: { 'Metadata-Flavor': 'Google' } });
        assert.equal(res.headers.get('metadata-flavor'), 'Google');
        return { status: res.status, text: await res.text() };
      };
      const s = emu.attestation.settings;
      assert.deepEqual(await get('/project/project-id'), { status: 200, text: s.projectId });
      assert.deepEqual(await get('/project/numeric-project-id'), {
        status: 200,
        text: s.projectNumber,
      });
      assert.deepEqual(await get('/instance/id'), { status: 200, text: s.instanceId });
      assert.deepEqual(await get('/instance/zone'), {
        status: 200,
        text: `projects/${s.projectNumber}/zones/${s.zone}`,
      });
      assert.deepEqual(await get('/instance/service-accounts/default/email'), {
        status: 200,
        text: s.googleServiceAccounts[0],
      });
      const tokenAnswer = await get('/instance/service-accounts/default/token');
      const body = JSON.parse(tokenAnswer.text) as {
        access_token: string;
        token_type: string;
        expires_in: number;
      };
      assert.equal(body.token_type, 'Bearer');
      const resolved = emu.tokens.resolve(body.access_token);
      assert.ok(resolved.status === 'valid');
      assert.deepEqual(resolved.principal, {
        type: 'serviceAccount',
        subject: s.googleServiceAccounts[0],
        attributes: {},
      });
      assert.equal((await get('/instance/nothing')).status, 404);
    },
  );

  test('admin API needs the admin token', { timeout: 10_000 }, async () => {
    assert.equal((await admin('GET', '/admin/endpoints', undefined, 'wrong')).status, 401);
    const ok = await admin('GET', '/admin/endpoints');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.sts, emu.endpoints.sts);
  });

  test('admin: switch preset, change claims, mint a token', { timeout: 10_000 }, async () => {
    const debug = await admin('POST', '/admin/attestation', { preset: 'debug' });
    assert.equal(debug.status, 200);
    assert.equal(emu.attestation.settings.dbgstat, 'enabled');
    const back = await admin('POST', '/admin/attestation', {
      preset: 'production',
      claims: { zone: 'europe-west4-a' },
    });
    assert.equal(back.status, 200);
    assert.equal(emu.attestation.settings.zone, 'europe-west4-a');
    assert.equal((await admin('POST', '/admin/attestation', { claims: { nope: 1 } })).status, 400);
    const minted = await admin('POST', '/admin/attestation/mint', {
      iat: 1000,
      exp: 2000,
      audience: 'x',
    });
    const claims = decodeJwt(String(minted.body.token))?.payload;
    assert.deepEqual([claims?.iat, claims?.exp, claims?.aud], [1000, 2000, 'x']);
  });

  test(
    'admin: expire every access token (the admin token keeps working)',
    { timeout: 10_000 },
    async () => {
      const token = await stsToken();
      assert.equal((await admin('POST', '/admin/tokens/expire')).status, 200);
      const r = await generate(READER, token);
      assert.equal(r.status, 401);
      assert.equal(r.body.error?.details[0]?.reason, 'ACCESS_TOKEN_EXPIRED');
      assert.equal(emu.tokens.resolve(emu.adminToken).status, 'valid');
      assert.equal((await generate(READER, await stsToken())).status, 200);
    },
  );
});
