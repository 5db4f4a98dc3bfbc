// What the emulator models of time and transient failure on Google: the launcher's token
// endpoint failing with its own texts, the STS `expires_in` bound to the subject token, the
// audiences a provider accepts by default, the STS's required scope, the attribute-mapping
// key rule, Google's error bodies, and the counts of dead tokens a workload sent.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEmulatorConfig } from '../../emulator/config.js';
import { CONFIDENTIAL_SPACE_MAPPING, defaultWorld } from '../../emulator/default-world.js';
import { parseFaultRules } from '../../emulator/faults/controller.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { startStandaloneSecretManager } from '../../emulator/secret-manager/standalone.js';
import { exchangeFields, exchangeForm, startWithProvider } from './sts-fixture.js';

const T = { timeout: 30_000 };
const READER = 'reader@alice-proj.iam.gserviceaccount.com';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** One request on the teeserver socket: status and plain-text body. */
function socketCall(
  socketPath: string,
  method: 'GET' | 'POST',
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/v1/token', method, host: 'localhost' }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the launcher token endpoint fails like the launcher', () => {
  let emu: RunningEmulator;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-launcher-'));
    emu = await startEmulator({ stateDir: dir, teeserverFailFirst: 3 });
  });
  after(async () => {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the first N calls answer 500 with the launcher texts, then tokens', T, async () => {
    const texts = [];
    for (let i = 0; i < 3; i++) {
      const r = await socketCall(emu.socketPath, 'GET');
      assert.equal(r.status, 500);
      texts.push(r.body);
    }
    assert.match(texts[0] ?? '', /^failed to refresh attestation agent: rpc error: /);
    assert.match(texts[1] ?? '', /^failed to retrieve attestation service token: rpc error: /);
    assert.match(texts[2] ?? '', /^failed to refresh attestation agent: /);
    const ok = await socketCall(emu.socketPath, 'GET');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.split('.').length, 3);
    assert.equal(emu.teeserver.remaining, 0);
  });

  test(
    'POST fails with the custom-token text; faults default to the launcher text',
    T,
    async () => {
      emu.teeserver.failNext(1);
      const body = JSON.stringify({ audience: 'https://peer.example', token_type: 'OIDC' });
      const custom = await socketCall(emu.socketPath, 'POST', body);
      assert.equal(custom.status, 500);
      assert.match(custom.body, /^failed to retrieve custom attestation service token: /);
      assert.equal((await socketCall(emu.socketPath, 'POST', body)).status, 200);
      for (const rule of parseFaultRules({
        route: 'teeserver.token',
        error: { status: 500 },
        times: 1,
      })) {
        emu.faults.add(rule);
      }
      const injected = await socketCall(emu.socketPath, 'GET');
      assert.equal(injected.status, 500);
      assert.match(injected.body, /^failed to retrieve attestation service token: /);
    },
  );

  test('config teeserver.failFirst is the same switch', T, () => {
    assert.equal(parseEmulatorConfig({ teeserver: { failFirst: 2 } }).teeserverFailFirst, 2);
    assert.equal(parseEmulatorConfig({}).teeserverFailFirst, 0);
    assert.throws(() => parseEmulatorConfig({ teeserver: { failFirst: -1 } }), /failFirst/);
  });
});

describe('STS: what Google measures and refuses', () => {
  let emu: RunningEmulator;
  let stop: () => Promise<void>;
  let fixed: RunningEmulator;
  let dir: string;
  let clock = Date.parse('2026-03-01T00:00:00Z');
  const seconds = (): number => Math.floor(clock / 1000);
  const exchange = async (target: RunningEmulator, exp: number, audience?: string) => {
    const subject = await target.attestation.mintToken({ iat: seconds() - 60, exp });
    return exchangeForm(
      target,
      exchangeFields(subject, audience ?? target.providerAudience('alice-proj')),
    );
  };
  const sm = (
    e: RunningEmulator,
    token: string,
    path = 'projects/alice-proj/secrets/x/versions/1',
  ) =>
    fetch(`${e.endpoints.secretManager}/v1/${path}:access`, {
      headers: { authorization: `Bearer ${token}` },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  before(async () => {
    // A provider without allowedAudiences, as `gcloud … create-oidc` without the flag makes it.
    ({ emu, stop } = await startWithProvider('emu-sts-google-', {
      provider: 'no-audiences',
      allowedAudiences: undefined,
    }));
    dir = await mkdtemp(join(tmpdir(), 'emu-sts-clock-'));
    fixed = await startEmulator({
      stateDir: dir,
      now: () => clock,
      config: { ...defaultWorld(), accessTokens: { stsExpiresIn: 'fixed' } },
    });
  });
  after(async () => {
    await stop();
    await fixed.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test(
    'expires_in: what is left of the subject token less 2 s; absent at 2 s; 500 at 1 s',
    T,
    async () => {
      const clocked = await startEmulator({ stateDir: join(dir, 'clocked'), now: () => clock });
      try {
        const ten = await exchange(clocked, seconds() + 10);
        assert.equal(ten.status, 200);
        assert.equal(ten.body.expires_in, 8);
        const token = String(ten.body.access_token);
        clock += 7_999;
        assert.equal((await sm(clocked, token)).status, 403, 'alive (no binding: 403, not 401)');
        clock += 1;
        assert.equal((await sm(clocked, token)).status, 401, 'dead after expires_in');
        const two = await exchange(clocked, seconds() + 2);
        assert.equal(two.status, 200);
        assert.equal('expires_in' in two.body, false, 'no expires_in with 2 s left');
        const silent = String(two.body.access_token);
        clock += 1_999;
        assert.equal((await sm(clocked, silent)).status, 403);
        clock += 1;
        assert.equal((await sm(clocked, silent)).status, 401, 'it dies with its subject token');
        const one = await exchange(clocked, seconds() + 1);
        assert.equal(one.status, 500);
        assert.deepEqual(one.body, {
          error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' },
        });
        const long = await exchange(clocked, seconds() + 7200);
        assert.equal(long.body.expires_in, 3598, 'at most the lifetime (3600) less 2 s');
        const stats = clocked.tokens.stats();
        assert.equal(stats.expiredAccessTokens, 2);
      } finally {
        await clocked.stop();
      }
    },
  );

  test('accessTokens.stsExpiresIn: fixed answers the lifetime whatever is left', T, async () => {
    const r = await exchange(fixed, seconds() + 10);
    assert.equal(r.body.expires_in, 3600);
  });

  test('without allowedAudiences only the provider name is an accepted aud', T, async () => {
    const full = emu.providerAudience('alice-proj', 'cs-pool', 'no-audiences');
    const mint = (aud: string) => emu.attestation.mintToken({ audience: aud });
    const sts = await exchangeForm(
      emu,
      exchangeFields(await mint('https://sts.googleapis.com'), full),
    );
    assert.deepEqual(sts, {
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description:
          'The audience in ID Token [https://sts.googleapis.com] does not match the expected audience.',
      },
    });
    for (const aud of [full, `https:${full}`]) {
      const r = await exchangeForm(emu, exchangeFields(await mint(aud), full));
      assert.equal(r.status, 200, aud);
    }
    // The default world lists the default token's audience, as a real provider must.
    for (const p of defaultWorld().providers ?? []) {
      assert.deepEqual(p.allowedAudiences, ['https://sts.googleapis.com']);
    }
    const listed = await exchangeForm(
      emu,
      exchangeFields(await emu.attestation.mintToken(), emu.providerAudience('alice-proj')),
    );
    assert.equal(listed.status, 200);
  });

  test('the exchange requires a scope', T, async () => {
    const fields = exchangeFields(
      await emu.attestation.mintToken(),
      emu.providerAudience('alice-proj'),
    );
    const noScope = Object.fromEntries(Object.entries(fields).filter(([k]) => k !== 'scope'));
    const r = await exchangeForm(emu, noScope);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_request');
    assert.match(String(r.body.error_description), /scope/);
  });

  test('attribute-mapping keys are [a-z0-9_]{1,100}, refused when the provider is made', T, () => {
    const world = defaultWorld();
    const withKey = (key: string) => ({
      ...world,
      providers: [
        {
          project: 'alice-proj',
          pool: 'p',
          provider: 'x',
          attributeMapping: { ...CONFIDENTIAL_SPACE_MAPPING, [key]: 'assertion.swname' },
        },
      ],
    });
    for (const bad of [
      'attribute.imageDigest',
      'attribute.image-digest',
      `attribute.${'a'.repeat(101)}`,
    ]) {
      assert.throws(() => parseEmulatorConfig(withKey(bad)), /\[a-z0-9_\]/, bad);
    }
    assert.doesNotThrow(() => parseEmulatorConfig(withKey(`attribute.${'a'.repeat(100)}`)));
  });

  test('dead tokens a workload sent are counted (GET /admin/tokens)', T, async () => {
    const before = fixed.tokens.stats();
    const expired = await exchange(fixed, seconds() - 1);
    assert.equal(expired.body.error, 'invalid_grant');
    // An impersonated token outlives the attestation token behind it (Google does not tie
    // them); using it after that token's exp is counted, not refused.
    const sts = await exchange(fixed, seconds() + 30);
    const res = await fetch(
      `${fixed.endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${READER}:generateAccessToken`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${String(sts.body.access_token)}` },
        body: JSON.stringify({ scope: [SCOPE] }),
      },
    );
    const impersonated = ((await res.json()) as { accessToken: string }).accessToken;
    assert.equal((await sm(fixed, impersonated)).status, 403);
    clock += 31_000;
    assert.equal((await sm(fixed, impersonated)).status, 403, 'still accepted by Google');
    const stats = (await (
      await fetch(`${fixed.endpoints.admin}/admin/tokens`, {
        headers: { authorization: `Bearer ${fixed.adminToken}` },
      })
    ).json()) as Record<string, number>;
    assert.deepEqual(stats, {
      expiredAccessTokens: before.expiredAccessTokens,
      pastAttestationExpiry: before.pastAttestationExpiry + 1,
      expiredSubjectTokens: before.expiredSubjectTokens + 1,
    });
  });
});

describe("Secret Manager's error bodies", () => {
  test(
    'FAILED_PRECONDITION carries no details; PERMISSION_DENIED the newer wording',
    T,
    async () => {
      const sm = await startStandaloneSecretManager();
      try {
        const call = async (method: string, path: string, body?: unknown) => {
          const res = await fetch(`${sm.url}/v1/projects/alice-proj/secrets${path}`, {
            method,
            headers: { authorization: `Bearer ${sm.ownerToken}` },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return (await res.json()) as { error?: Record<string, unknown> };
        };
        await call('POST', '?secretId=k', { replication: { automatic: {} } });
        await call('POST', '/k:addVersion', { payload: { data: 'YQo=' } });
        await call('POST', '/k/versions/1:disable');
        const disabled = await call('GET', '/k/versions/1:access');
        assert.deepEqual(disabled.error, {
          code: 400,
          message:
            'Secret Version [projects/111111111111/secrets/k/versions/1] is in DISABLED state.',
          status: 'FAILED_PRECONDITION',
        });
        const stranger = sm.tokens.issue(
          { type: 'serviceAccount', subject: 'x@bob-proj.iam.gserviceaccount.com', attributes: {} },
          60,
        ).token;
        const res = await fetch(`${sm.url}/v1/projects/alice-proj/secrets/k/versions/1:access`, {
          headers: { authorization: `Bearer ${stranger}` },
        });
        const denied = (await res.json()) as { error: { message: string } };
        assert.equal(
          denied.error.message,
          "Permission 'secretmanager.versions.access' denied on resource (or it may not exist).",
        );
      } finally {
        await sm.close();
      }
    },
  );
});
