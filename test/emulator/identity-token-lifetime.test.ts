// Access token lifetimes: the config's `accessTokens` (and the start option) bound the STS's
// `expires_in` (less Google's ~2 s) and set the generateAccessToken default; a requested `lifetime` is honoured up to
// the ceiling and refused above it with Google's 400. Seen by plain fetch and by
// google-auth-library's ExternalAccountClient.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExternalAccountClient } from 'google-auth-library';
import { defaultWorld } from '../../emulator/default-world.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { expiresInRange } from './sts-fixture.js';

const READER = 'reader@alice-proj.iam.gserviceaccount.com';
const T = { timeout: 15_000 };
let dir: string;
let short: RunningEmulator; // accessTokens.lifetimeSeconds: 600
let extended: RunningEmulator; // accessTokens.maxLifetimeSeconds: 43200

async function sts(emu: RunningEmulator): Promise<{ access_token: string; expires_in: number }> {
  const res = await fetch(`${emu.endpoints.sts}/v1/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: emu.providerAudience('alice-proj'),
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      subject_token: await emu.attestation.mintToken(),
    }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { access_token: string; expires_in: number };
}

async function generate(emu: RunningEmulator, lifetime?: string) {
  const res = await fetch(
    `${emu.endpoints.iamCredentials}/v1/projects/-/serviceAccounts/${READER}:generateAccessToken`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${(await sts(emu)).access_token}`,
      },
      body: JSON.stringify({
        scope: ['https://www.googleapis.com/auth/cloud-platform'],
        ...(lifetime === undefined ? {} : { lifetime }),
      }),
    },
  );
  return {
    status: res.status,
    body: (await res.json()) as {
      expireTime?: string;
      error?: { code: number; status: string; message: string };
    },
  };
}

/** Runs `fn` and asserts the expiry it yields is `seconds` after the call (1 s resolution). */
async function expiresAfter(seconds: number, fn: () => Promise<number>): Promise<void> {
  const start = Date.now();
  const expiry = await fn();
  const end = Date.now();
  assert.ok(
    expiry >= Math.floor(start / 1000) * 1000 + seconds * 1000 && expiry <= end + seconds * 1000,
    `expiry ${new Date(expiry).toISOString()} is ${seconds}s after ${new Date(start).toISOString()}`,
  );
}

async function clientExpiry(json: Record<string, unknown>): Promise<number> {
  const client = ExternalAccountClient.fromJSON(json as never);
  assert.ok(client);
  assert.ok((await client.getAccessToken()).token);
  assert.ok(
    client.credentials.expiry_date !== undefined && client.credentials.expiry_date !== null,
  );
  return client.credentials.expiry_date;
}

/** The default world with `accessTokens` and the start option's lifetime, for `fn`. */
async function withEmulator(
  name: string,
  accessTokens: Record<string, number>,
  accessTokenLifetimeSeconds: number,
  fn: (emu: RunningEmulator) => Promise<void>,
): Promise<void> {
  const emu = await startEmulator({
    stateDir: join(dir, name),
    config: { ...defaultWorld(), accessTokens },
    accessTokenLifetimeSeconds,
  });
  try {
    await fn(emu);
  } finally {
    await emu.stop();
  }
}

describe('identity: access token lifetimes', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-lifetime-'));
    const world = defaultWorld();
    short = await startEmulator({
      stateDir: join(dir, 'short'),
      config: { ...world, accessTokens: { lifetimeSeconds: 600 } },
    });
    extended = await startEmulator({
      stateDir: join(dir, 'extended'),
      config: { ...world, accessTokens: { maxLifetimeSeconds: 43_200 } },
    });
  });
  after(async () => {
    await short?.stop();
    await extended?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('STS expires_in and the generateAccessToken default follow the config', T, async () => {
    // As on Google: min(what is left of the subject token, the lifetime) − 2 s. A fresh
    // attestation token has up to 3600 s left, so the default lifetime gives at most 3598.
    assert.equal((await sts(short)).expires_in, 598);
    const mintedAt = Math.floor(Date.now() / 1000);
    const fresh = (await sts(extended)).expires_in;
    const [min, max] = expiresInRange(mintedAt, Date.now() / 1000);
    assert.ok(fresh >= min && fresh <= max, `expires_in ${fresh}, not in ${min}..${max}`);
    await expiresAfter(600, async () => Date.parse((await generate(short)).body.expireTime ?? ''));
    await expiresAfter(120, async () =>
      Date.parse((await generate(short, '120s')).body.expireTime ?? ''),
    );
    const metadata = await fetch(
      `${short.endpoints.metadata}/computeMetadata/v1/instance/service-accounts/default/token`,
      { headers: { 'Metadata-Flavor': 'Google' } },
    );
    assert.equal(((await metadata.json()) as { expires_in: number }).expires_in, 599);
  });

  test('google-auth-library sees the same lifetimes', T, async () => {
    const project = { project: 'alice-proj' };
    await expiresAfter(598, () => clientExpiry(short.credentialConfig(project)));
    const impersonated = { ...project, serviceAccount: READER };
    // The client asks for 3600s unless the credential config says otherwise.
    await expiresAfter(3600, () => clientExpiry(short.credentialConfig(impersonated)));
    await expiresAfter(900, () =>
      clientExpiry(short.credentialConfig({ ...impersonated, tokenLifetimeSeconds: 900 })),
    );
    await expiresAfter(7200, () =>
      clientExpiry(extended.credentialConfig({ ...impersonated, tokenLifetimeSeconds: 7200 })),
    );
  });

  test("a lifetime above the ceiling is refused with Google's 400", T, async () => {
    const tooLong = await generate(short, '3601s');
    assert.equal(tooLong.status, 400);
    assert.deepEqual(
      [tooLong.body.error?.code, tooLong.body.error?.status, tooLong.body.error?.message],
      [
        400,
        'INVALID_ARGUMENT',
        `Access tokens for service account ${READER} can not have lifetimes of more than 1 hour. Use the Org Policy Constraint constraints/iam.allowServiceAccountCredentialLifetimeExtension to allow up to 12 hours.`,
      ],
    );
    const beyond = await generate(extended, '43201s');
    assert.equal(beyond.status, 400);
    assert.match(beyond.body.error?.message ?? '', /more than 43200 seconds\./);
    for (const malformed of ['120', '0s', '-5s', 'soon']) {
      const r = await generate(short, malformed);
      assert.equal(r.status, 400, malformed);
      assert.match(r.body.error?.message ?? '', /^Invalid value at 'lifetime'/);
    }
    const client = ExternalAccountClient.fromJSON(
      short.credentialConfig({
        project: 'alice-proj',
        serviceAccount: READER,
        tokenLifetimeSeconds: 7200,
      }) as never,
    );
    await assert.rejects(client!.getAccessToken(), (e: { response?: { status: number } }) => {
      assert.equal(e.response?.status, 400);
      return true;
    });
  });

  test('the start option overrides the config; bad values fail before start', T, async () => {
    await withEmulator('override', { lifetimeSeconds: 600 }, 30, async (emu) => {
      assert.equal((await sts(emu)).expires_in, 28);
      await expiresAfter(30, async () => Date.parse((await generate(emu)).body.expireTime ?? ''));
    });
    const invalid = (message: RegExp) => ({ code: 'TEEINIT_CONFIG_INVALID', message });
    await assert.rejects(
      startEmulator({
        stateDir: join(dir, 'bad1'),
        config: { accessTokens: { lifetimeSeconds: 7200, maxLifetimeSeconds: 3600 } },
      }),
      invalid(/accessTokens\.lifetimeSeconds: 7200 is above accessTokens\.maxLifetimeSeconds/),
    );
    await assert.rejects(
      startEmulator({
        stateDir: join(dir, 'bad3'),
        config: { ...defaultWorld(), accessTokens: { maxLifetimeSeconds: 600 } },
      }),
      invalid(/the default access token lifetime: 3600 is above accessTokens\.maxLifetimeSeconds/),
    );
    await assert.rejects(
      startEmulator({
        stateDir: join(dir, 'bad4'),
        config: { ...defaultWorld(), accessTokens: { maxLifetimeSeconds: 600 } },
        accessTokenLifetimeSeconds: 601,
      }),
      invalid(/--access-token-lifetime: 601 is above accessTokens\.maxLifetimeSeconds \(600\)/),
    );
    await assert.rejects(
      startEmulator({ stateDir: join(dir, 'bad2'), accessTokenLifetimeSeconds: 50_000 }),
      invalid(/access token lifetime: expected 1\.\.43200 seconds, got 50000/),
    );
  });

  test(
    'the start option brings the lifetime under a config ceiling below the default',
    T,
    async () => {
      // maxLifetimeSeconds 600 alone is refused (the default lifetime is 3600); the start
      // option is applied before the one check, so 300 is accepted and served.
      await withEmulator('rescued', { maxLifetimeSeconds: 600 }, 300, async (emu) => {
        assert.equal((await sts(emu)).expires_in, 298);
        await expiresAfter(300, async () =>
          Date.parse((await generate(emu)).body.expireTime ?? ''),
        );
        await expiresAfter(600, async () =>
          Date.parse((await generate(emu, '600s')).body.expireTime ?? ''),
        );
        assert.equal((await generate(emu, '601s')).status, 400);
      });
    },
  );
});
