// Fidelity against Google's own client: @google-cloud/secret-manager (REST fallback mode)
// talking to the emulator's Secret Manager with an emulator-issued access token.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { OAuth2Client } from 'google-auth-library';
import {
  startStandaloneSecretManager,
  type StandaloneSecretManager,
} from '../../emulator/secret-manager/standalone.js';
import { crc32c } from '../../src/secrets/crc32c.js';

const SECRET = 'projects/alice-proj/secrets/server-key';

/**
 * A bearer-token auth client whose `fetch` does not throw on HTTP errors, so google-gax's
 * REST decoder sees Google's error body and maps `error.status` to the gRPC code. (With
 * google-auth-library 10 / gaxios 7 clients, `fetch` throws a GaxiosError whose `code` is
 * the HTTP status: googleapis/gax-nodejs#1803, google-cloud-node#9346. See the last test.)
 */
function bearerAuth(token: string) {
  return {
    getRequestHeaders: () => Promise.resolve(new Headers({ authorization: `Bearer ${token}` })),
    fetch: (url: string, init: RequestInit) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(url, {
        method: init.method ?? 'GET',
        headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      });
    },
  };
}

/** The official client in REST fallback mode against the emulator. */
function clientFor(port: number, token: string, auth: unknown = bearerAuth(token)) {
  return new SecretManagerServiceClient({
    apiEndpoint: '127.0.0.1',
    port,
    protocol: 'http',
    fallback: true,
    authClient: auth as never,
  });
}

async function rejectsWithCode(p: Promise<unknown>, code: number, message?: RegExp) {
  await assert.rejects(p, (err: { code?: number; message?: string }) => {
    assert.equal(err.code, code, `gRPC code (${err.message})`);
    if (message !== undefined) assert.match(err.message ?? '', message);
    return true;
  });
}

describe('secret-manager with the official client', { timeout: 140_000 }, () => {
  let emu: StandaloneSecretManager;
  let clock = Date.parse('2026-02-01T00:00:00Z');
  let owner: SecretManagerServiceClient;

  before(async () => {
    // These tests set IAM policies and use them at once: no propagation delay.
    emu = await startStandaloneSecretManager({ now: () => clock, iamPropagationSeconds: 0 });
    owner = clientFor(emu.port, emu.ownerToken);
  });
  after(async () => {
    await owner.close();
    await emu.close();
  });

  test('create, addVersion (with CRC32C) and list through the client', async () => {
    const [secret] = await owner.createSecret({
      parent: 'projects/alice-proj',
      secretId: 'server-key',
      secret: { replication: { automatic: {} } },
    });
    assert.equal(secret.name, 'projects/111111111111/secrets/server-key');
    for (const text of ['k1', 'k2', 'k3']) {
      const data = Buffer.from(text);
      const [v] = await owner.addSecretVersion({
        parent: SECRET,
        payload: { data, dataCrc32c: crc32c(data) },
      });
      assert.equal(v.state, 'ENABLED');
    }
    const [versions] = await owner.listSecretVersions({ parent: SECRET });
    assert.deepEqual(
      versions.map((v) => v.name),
      [3, 2, 1].map((n) => `projects/111111111111/secrets/server-key/versions/${n}`),
    );
  });

  test('access by number, latest and alias', async () => {
    const [one] = await owner.accessSecretVersion({ name: `${SECRET}/versions/1` });
    assert.equal(Buffer.from(one.payload!.data as Uint8Array).toString(), 'k1');
    assert.equal(Number(one.payload!.dataCrc32c), crc32c(Buffer.from('k1')));
    const [latest] = await owner.accessSecretVersion({ name: `${SECRET}/versions/latest` });
    assert.equal(latest.name, 'projects/111111111111/secrets/server-key/versions/3');
    await owner.updateSecret({
      secret: { name: SECRET, versionAliases: { current: 2 } },
      updateMask: { paths: ['version_aliases'] },
    });
    const [alias] = await owner.accessSecretVersion({ name: `${SECRET}/versions/current` });
    assert.equal(Buffer.from(alias.payload!.data as Uint8Array).toString(), 'k2');
  });

  test('NOT_FOUND (5), PERMISSION_DENIED (7), FAILED_PRECONDITION (9)', async () => {
    await rejectsWithCode(
      owner.accessSecretVersion({ name: 'projects/alice-proj/secrets/missing/versions/1' }),
      5,
      /not found or has no versions/,
    );
    const stranger = clientFor(
      emu.port,
      emu.tokens.issue(
        { type: 'serviceAccount', subject: 'x@bob-proj.iam.gserviceaccount.com', attributes: {} },
        3600,
      ).token,
    );
    try {
      await rejectsWithCode(
        stranger.accessSecretVersion({ name: `${SECRET}/versions/1` }),
        7,
        /Permission 'secretmanager.versions.access' denied/,
      );
    } finally {
      await stranger.close();
    }
    await owner.disableSecretVersion({ name: `${SECRET}/versions/1` });
    await rejectsWithCode(
      owner.accessSecretVersion({ name: `${SECRET}/versions/1` }),
      9,
      /is in DISABLED state/,
    );
    const [destroyed] = await owner.destroySecretVersion({ name: `${SECRET}/versions/1` });
    assert.equal(destroyed.state, 'DESTROYED');
    assert.ok(destroyed.destroyTime);
    await rejectsWithCode(
      owner.accessSecretVersion({ name: `${SECRET}/versions/1` }),
      9,
      /is in DESTROYED state/,
    );
  });

  test('an expired token surfaces as UNAUTHENTICATED (16)', async () => {
    const sa = {
      type: 'serviceAccount' as const,
      subject: 'sa@alice-proj.iam.gserviceaccount.com',
      attributes: {},
    };
    await owner.setIamPolicy({
      resource: SECRET,
      policy: {
        bindings: [
          { role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${sa.subject}`] },
        ],
      },
    });
    const shortLived = clientFor(emu.port, emu.tokens.issue(sa, 60).token);
    try {
      const [ok] = await shortLived.accessSecretVersion({ name: `${SECRET}/versions/3` });
      assert.equal(Buffer.from(ok.payload!.data as Uint8Array).toString(), 'k3');
      clock += 61_000;
      await rejectsWithCode(
        shortLived.accessSecretVersion({ name: `${SECRET}/versions/3` }),
        16,
        /invalid authentication credentials/,
      );
    } finally {
      await shortLived.close();
    }
  });

  test('stock google-auth-library client: same answer, HTTP status on err.code', async () => {
    const oauth = new OAuth2Client();
    oauth.setCredentials({ access_token: emu.ownerToken, expiry_date: Date.now() + 3_600_000 });
    const stock = clientFor(emu.port, emu.ownerToken, oauth);
    try {
      const [ok] = await stock.accessSecretVersion({ name: `${SECRET}/versions/3` });
      assert.equal(Buffer.from(ok.payload!.data as Uint8Array).toString(), 'k3');
      await assert.rejects(
        stock.accessSecretVersion({ name: 'projects/alice-proj/secrets/missing/versions/1' }),
        (err: { code?: unknown; status?: unknown }) => {
          // gax 5 + gaxios 7 in fallback mode: HTTP 404 (a later gax maps it to 5).
          assert.ok(err.code === 404 || err.code === 5, String(err.code));
          return true;
        },
      );
    } finally {
      await stock.close();
    }
  });
});
