// `teeinit run` on a first boot as Google behaves, the emulator modelling it: IAM grants that
// land only after propagation, a launcher that fails to attest a few times, attestation
// tokens that end 10 s after each exchange. Start-up waits out a grant that lands (one
// warning per refused secret or service account), reports one that never does with the
// documented code once fetch.permissionGrace is over, retries the launcher, and never sends
// an access token past the attestation token it came from; a refresh does not wait.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { DEFAULT_IMAGE_DIGEST } from '../../emulator/attestation/claims.js';
import { startDemoWorld, type DemoWorld } from '../../emulator/demo-world.js';
import { imagePrincipalSet } from '../../emulator/default-world.js';
import type { StartEmulatorOptions } from '../../emulator/index.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { pollUntil } from '../helpers/poll.js';
import {
  FIXTURES,
  logLines,
  runTeeinit,
  stopAllTeeinit,
  type TeeinitProcess,
} from '../helpers/teeinit-process.js';
import { allowNonTmpfs, removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';
import { demoSecretValues } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';

const ACCESSOR = 'roles/secretmanager.secretAccessor';
const WI_USER = 'roles/iam.workloadIdentityUser';
const BOB_READER = 'reader@bob-proj.iam.gserviceaccount.com';
const ALICE_SET = imagePrincipalSet('111111111111', 'cs-pool', DEFAULT_IMAGE_DIGEST);
const BOB_SET = imagePrincipalSet('222222222222', 'cs-pool', DEFAULT_IMAGE_DIGEST);
const PROPAGATING = 'permission denied; retrying while the IAM grant propagates';

interface Ctx {
  world: DemoWorld;
  work: string;
  secrets: { path: string; onTmpfs: boolean };
}

const contexts: Ctx[] = [];

async function setUp(options: Omit<StartEmulatorOptions, 'stateDir'> = {}): Promise<Ctx> {
  const work = tempDir('teeinit-first-boot-').dir;
  const secrets = tmpfsDir('teeinit-first-boot-secrets-');
  const world = await startDemoWorld({ stateDir: join(work, 'emulator'), ...options });
  const ctx = { world, work, secrets };
  contexts.push(ctx);
  return ctx;
}

/** Replaces a secret's policy through the REST API, as a collaborator's gcloud would. */
async function setSecretMembers(
  w: DemoWorld,
  project: string,
  secret: string,
  members: string[],
): Promise<void> {
  const res = await fetch(
    `${w.emulator.endpoints.secretManager}/v1/projects/${project}/secrets/${secret}:setIamPolicy`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${w.emulator.adminToken}` },
      body: JSON.stringify({
        policy: { bindings: members.length ? [{ role: ACCESSOR, members }] : [] },
      }),
    },
  );
  assert.equal(res.status, 200, await res.text());
}

/** Replaces who may impersonate a service account (iam.googleapis.com's setIamPolicy). */
async function setImpersonators(w: DemoWorld, email: string, members: string[]): Promise<void> {
  const res = await fetch(
    `${w.emulator.endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${email}:setIamPolicy`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${w.emulator.adminToken}` },
      body: JSON.stringify({
        policy: { bindings: members.length ? [{ role: WI_USER, members }] : [] },
      }),
    },
  );
  assert.equal(res.status, 200, await res.text());
}

/** The demo config with one long-running process; `extra` merged over it. */
function config(ctx: Ctx, name: string, extra: Record<string, unknown> = {}): string {
  const c = worldConfig(
    ctx.world,
    join(ctx.secrets.path, name),
    [{ name: 'app', run: [process.execPath, FIXTURES + 'forever.js'] }],
    extra,
  );
  allowNonTmpfs(c, ctx.secrets);
  return writeConfig(ctx.work, c);
}

/** bob's secret read through his impersonated reader: the SA may read it, as set up at once. */
async function impersonatedBob(ctx: Ctx): Promise<Record<string, unknown>> {
  await setSecretMembers(ctx.world, 'bob-proj', 'bob-share', [`serviceAccount:${BOB_READER}`]);
  const base = ctx.world.configBase.collaborators as Record<string, Record<string, unknown>>;
  return { ...base, bob: { ...base.bob, serviceAccount: BOB_READER } };
}

async function stopAndCheck(ctx: Ctx, t: TeeinitProcess): Promise<void> {
  t.kill('SIGTERM');
  assert.equal(await t.exited(), 143, t.output());
  assertNoSecrets(t.output(), demoSecretValues(ctx.world), 'the output of teeinit');
}

describe('run: a first boot on Google', { timeout: 300_000 }, () => {
  afterEach(async () => {
    await stopAllTeeinit();
    for (const ctx of contexts.splice(0)) {
      await ctx.world.stop();
      removeDir(ctx.work);
      removeDir(ctx.secrets.path);
    }
  });

  test('a grant that lands 20 s after boot: start-up waits, warns once, succeeds', async () => {
    const ctx = await setUp({ iamPropagationSeconds: 0 });
    const collaborators = await impersonatedBob(ctx);
    // Neither grant exists yet; both are made right before the boot and take 20 s to land.
    await setSecretMembers(ctx.world, 'alice-proj', 'ca', []);
    await setImpersonators(ctx.world, BOB_READER, []);
    ctx.world.emulator.iam.setPropagationSeconds(20);
    await setSecretMembers(ctx.world, 'alice-proj', 'ca', [ALICE_SET]);
    await setImpersonators(ctx.world, BOB_READER, [BOB_SET]);
    const granted = Date.now();
    // fetch.permissionGrace and the backoff are the defaults; the start-up deadline (20 s in
    // the test config) is extended by the grace.
    const t = runTeeinit([
      'run',
      '-c',
      config(ctx, 'late-grant', { collaborators, fetch: { startupDeadline: '20s' } }),
    ]);
    await t.waitFor(/"message":"running"/, 90_000);
    const ran = Date.now();
    assert.ok(ran - granted >= 19_000, `running ${ran - granted} ms after the grants`);
    const warnings = logLines(t.stderr()).filter((l) => l.message === PROPAGATING);
    const ca = warnings.filter((l) => l.collaborator === 'alice' && l.secret === 'ca');
    const sa = warnings.filter((l) => l.collaborator === 'bob' && l.serviceAccount === BOB_READER);
    assert.equal(ca.length, 1, `one warning for alice's ca, not one per retry:\n${t.stderr()}`);
    assert.equal(sa.length, 1, `one warning for bob's service account:\n${t.stderr()}`);
    assert.equal(warnings.length, 2, t.stderr());
    assert.match(String(ca[0]?.reason), /propagat/);
    assert.equal(ca[0]?.key, 'fetch.permissionGrace');
    assert.equal(ca[0]?.code, 'TEEINIT_PERMISSION_DENIED');
    assert.equal(sa[0]?.secrets, 'bob-share');
    assert.equal(sa[0]?.code, 'TEEINIT_IMPERSONATION_DENIED');
    await stopAndCheck(ctx, t);
  });

  test('a grant that never lands: TEEINIT_PERMISSION_DENIED once the grace is over', async () => {
    const ctx = await setUp({ iamPropagationSeconds: 0 });
    await setSecretMembers(ctx.world, 'alice-proj', 'ca', []);
    const began = Date.now();
    const t = runTeeinit([
      'run',
      '-c',
      config(ctx, 'never', { fetch: { startupDeadline: '20s', permissionGrace: '3s' } }),
    ]);
    assert.equal(await t.exited(45_000), 77, t.output());
    const elapsed = Date.now() - began;
    assert.ok(elapsed >= 3_000, `gave up after ${elapsed} ms, before the 3 s grace`);
    const summary = t
      .stderr()
      .split('\n')
      .find((l) => l.startsWith('teeinit: TEEINIT_PERMISSION_DENIED: '));
    assert.ok(summary, t.stderr());
    assert.match(summary, /"ca"/);
    assert.match(summary, /alice/);
    assert.match(summary, /Still refused after 3 s of waiting for the grant to propagate/);
    assert.match(summary, /fetch\.permissionGrace/);
    const warnings = logLines(t.stderr()).filter((l) => l.message === PROPAGATING);
    assert.equal(warnings.length, 1, t.stderr());
    assert.doesNotMatch(t.stdout(), /READY/, 'no process started');
    assertNoSecrets(t.output(), demoSecretValues(ctx.world), 'the output of teeinit');
  });

  test('three launcher 500s: retried, start-up succeeds (attestation.source: teeserver)', async () => {
    const ctx = await setUp();
    ctx.world.emulator.teeserver.failNext(3);
    const t = runTeeinit([
      'run',
      '-c',
      config(ctx, 'launcher', {
        attestation: { source: 'teeserver', socket: ctx.world.emulator.socketPath },
      }),
    ]);
    await t.waitFor(/"message":"running"/);
    assert.equal(ctx.world.emulator.teeserver.remaining, 0);
    const retries = logLines(t.stderr()).filter(
      (l) => l.message === 'credential attempt failed, retrying',
    );
    assert.equal(retries.length, 3, t.stderr());
    for (const r of retries) {
      assert.equal(r.code, 'TEEINIT_TOKEN_UNAVAILABLE');
      assert.equal(r.failure, 'outage');
      assert.match(
        String(r.reason),
        /HTTP 500 .*failed to (refresh attestation agent|retrieve attestation service token)/,
      );
    }
    await stopAndCheck(ctx, t);
  });

  test('attestation tokens that end 10 s after each exchange: no dead token is sent', async () => {
    // Every teeserver token lives 10 s: each exchange happens 10 s before its subject token
    // expires (STS expires_in 8). bob impersonates, and Google's impersonated token lives an
    // hour whatever is left of the attestation token: only teeinit's own bound stops its use.
    const ctx = await setUp({ tokenLifetimeSeconds: 10, iamPropagationSeconds: 0 });
    const collaborators = await impersonatedBob(ctx);
    const t = runTeeinit([
      'run',
      '-c',
      config(ctx, 'short-tokens', {
        collaborators,
        attestation: { source: 'teeserver', socket: ctx.world.emulator.socketPath },
        refresh: {
          interval: '1s',
          jitter: '0ms',
          deadline: '5s',
          retry: { backoff: '200ms', maxBackoff: '1s' },
        },
        log: { level: 'DEBUG' },
      }),
    ]);
    await t.waitFor(/"message":"running"/);
    const ready = (who: string) =>
      logLines(t.stdout() + t.stderr()).filter(
        (l) => l.message === 'credential ready' && l.collaborator === who,
      );
    const first = ready('bob')[0];
    assert.ok(first, t.output());
    // The attestation token of bob's first exchange was minted before it: it ends by then.
    const firstExp = Date.parse(String(first.time)) + 10_000;
    await pollUntil(
      'refresh cycles well after the first attestation token ended',
      () =>
        logLines(t.stdout()).some(
          (l) => l.message === 'secrets unchanged' && Date.parse(String(l.time)) > firstExp + 3_000,
        ),
      60_000,
    );
    const stats = ctx.world.emulator.tokens.stats();
    assert.deepEqual(
      stats,
      { expiredAccessTokens: 0, pastAttestationExpiry: 0, expiredSubjectTokens: 0 },
      t.output(),
    );
    // bob's credential was renewed as its attestation tokens ended, an hour before its own end.
    assert.ok(ready('bob').length >= 2, t.stdout());
    await stopAndCheck(ctx, t);
  });

  test('in a refresh a revoked grant is reported at once, not waited for', async () => {
    const ctx = await setUp({ iamPropagationSeconds: 0 });
    const t = runTeeinit([
      'run',
      '-c',
      config(ctx, 'revoked', {
        refresh: { interval: '1s', jitter: '0ms', deadline: '10s', retry: { backoff: '1s' } },
      }),
    ]);
    await t.waitFor(/"message":"running"/);
    await setSecretMembers(ctx.world, 'alice-proj', 'ca', []);
    const revoked = Date.now();
    await t.waitFor(/secret refresh failed/, 30_000);
    const failed = logLines(t.stderr()).find(
      (l) => l.message === 'secret refresh failed; keeping the previous secrets',
    );
    assert.equal(failed?.code, 'TEEINIT_PERMISSION_DENIED', t.stderr());
    assert.ok(Date.now() - revoked < 10_000, 'reported within the cycle, not after a grace');
    assert.equal(
      logLines(t.stderr()).filter((l) => l.message === PROPAGATING).length,
      0,
      'no propagation wait in a refresh',
    );
    await stopAndCheck(ctx, t);
  });
});
