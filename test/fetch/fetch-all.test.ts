// fetchAll against the emulator: per-collaborator credentials and the Secret Manager
// errors a user sees. Every captured log is grepped for every secret value.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FetchHarness, ref } from './harness.js';
import {
  ALICE,
  BOB,
  granted,
  provider,
  reader,
  secretValue,
  startWorld,
  workload,
  type World,
} from './world.js';

const V = {
  ca: secretValue('ca'),
  key: secretValue('key'),
  aliceShare: secretValue('alice-share'),
  bobShare: secretValue('bob-share'),
  bobViaSa: secretValue('bob-sa'),
  old: secretValue('old'),
  disabled: secretValue('disabled'),
  destroyed: secretValue('destroyed'),
  regional: secretValue('regional'),
};
const h = new FetchHarness(Object.values(V));

describe('fetchAll against the emulator', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
    world.seed([
      granted(ALICE, 'ca', V.ca),
      granted(ALICE, 'key', 'v1-unused', V.key),
      granted(ALICE, 'share', V.aliceShare),
      granted(BOB, 'share', V.bobShare),
      {
        project: BOB.project,
        id: 'sa-only',
        versions: [{ data: V.bobViaSa }],
        members: [reader(BOB)],
      },
      {
        project: ALICE.project,
        id: 'states',
        versions: [
          { data: V.old },
          { data: V.disabled, state: 'DISABLED' },
          { data: V.destroyed, state: 'DESTROYED' },
        ],
        members: [workload(ALICE)],
      },
      { ...granted(ALICE, 'eu', V.regional), location: 'europe-west4' },
    ]);
  });
  after(async () => {
    await world.stop();
    h.assertNoLeaks();
  });

  const five = (): Record<string, unknown> => ({
    ca: { from: 'alice', ref: ref(ALICE.project, 'ca') },
    'server-key': { from: 'alice', ref: ref(ALICE.project, 'key', 2) },
    'alice-share': { from: 'alice', ref: ref(ALICE.project, 'share') },
    'bob-share': { from: 'bob', ref: ref(BOB.project, 'share') },
    'bob-sa': { from: 'bob-sa', ref: ref(BOB.project, 'sa-only') },
  });
  const withBobSa = {
    alice: { provider: provider(ALICE) },
    bob: { provider: provider(BOB) },
    'bob-sa': {
      provider: provider(BOB),
      serviceAccount: `reader@${BOB.project}.iam.gserviceaccount.com`,
    },
  };

  test(
    'fetches every secret with the right collaborator, with and without impersonation',
    { timeout: 15_000 },
    async () => {
      const log = h.capture();
      const got = await h.run(
        world,
        world.config({ collaborators: withBobSa, secrets: five() }),
        log,
      );
      assert.equal(got.get('ca')?.toString(), V.ca);
      assert.equal(got.get('server-key')?.toString(), V.key);
      assert.equal(got.get('alice-share')?.toString(), V.aliceShare);
      assert.equal(got.get('bob-share')?.toString(), V.bobShare);
      assert.equal(got.get('bob-sa')?.toString(), V.bobViaSa);
      const lines = log.records().filter((r) => r.message === 'secret fetched');
      assert.equal(lines.length, 5);
      const key = lines.find((r) => r.secret === 'server-key');
      assert.equal(key?.collaborator, 'alice');
      assert.match(String(key?.version), /secrets\/key\/versions\/2$/);
      assert.equal(key?.bytes, V.key.length);
      assert.equal(key?.attempts, 1);
      assert.equal(typeof key?.ms, 'number');
    },
  );

  test(
    "alice's credential cannot read bob's secret → TEEINIT_PERMISSION_DENIED",
    { timeout: 15_000 },
    async () => {
      const r = ref(BOB.project, 'share');
      // A short grace: the 403 is taken for IAM propagation that long, then reported.
      const config = world.config({
        fetch: { permissionGrace: '400ms' },
        secrets: { stolen: { from: 'alice', ref: r } },
      });
      await assert.rejects(
        h.run(world, config),
        h.failsWith(
          'TEEINIT_PERMISSION_DENIED',
          '"stolen"',
          'alice',
          r,
          'HTTP 403',
          'fetch.permissionGrace',
        ),
      );
    },
  );

  test('missing version → TEEINIT_SECRET_NOT_FOUND', { timeout: 15_000 }, async () => {
    const r = ref(ALICE.project, 'ca', 9);
    const config = world.config({ secrets: { ca: { from: 'alice', ref: r } } });
    await assert.rejects(
      h.run(world, config),
      h.failsWith('TEEINIT_SECRET_NOT_FOUND', '"ca"', r, 'HTTP 404'),
    );
  });

  for (const [version, state] of [
    [2, 'DISABLED'],
    [3, 'DESTROYED'],
  ] as const) {
    test(`${state} version → TEEINIT_SECRET_DISABLED`, { timeout: 15_000 }, async () => {
      const r = ref(ALICE.project, 'states', version);
      const config = world.config({ secrets: { s: { from: 'alice', ref: r } } });
      await assert.rejects(
        h.run(world, config),
        h.failsWith('TEEINIT_SECRET_DISABLED', '"s"', r, 'FAILED_PRECONDITION', state),
      );
    });
  }

  test('regional secret goes to the regional endpoint', { timeout: 15_000 }, async () => {
    const r = `projects/${ALICE.project}/locations/europe-west4/secrets/eu/versions/1`;
    const config = world.config({
      endpoints: { secretManager: 'http://127.0.0.1:9' }, // global endpoint unusable on purpose
      secrets: { eu: { from: 'alice', ref: r } },
    });
    const got = await h.run(world, config);
    assert.equal(got.get('eu')?.toString(), V.regional);
  });

  test('version "latest" works and is warned about', { timeout: 15_000 }, async () => {
    const log = h.capture();
    const config = world.config({
      secrets: { key: { from: 'alice', ref: ref(ALICE.project, 'key', 'latest') } },
    });
    const got = await h.run(world, config, log);
    assert.equal(got.get('key')?.toString(), V.key);
    const warn = log
      .records()
      .find((r) => r.severity === 'WARNING' && String(r.message).includes('latest'));
    assert.equal(warn?.secret, 'key');
  });

  test('file source reads relative to baseDir', { timeout: 15_000 }, async () => {
    await writeFile(join(world.dir, 'dev-share.hex'), V.aliceShare);
    const config = world.config({
      collaborators: { dev: { credentials: 'none' } },
      secrets: { share: { from: 'dev', source: 'file', path: 'dev-share.hex' } },
    });
    const got = await h.run(world, config);
    assert.equal(got.get('share')?.toString(), V.aliceShare);
  });
});
