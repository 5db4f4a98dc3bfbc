// fetchAll against the emulator: per-collaborator credentials, Secret Manager errors as a
// user sees them, retries, checksums, deadlines, cancellation and parallelism. Every
// captured log is grepped for every secret value.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../../src/config/index.js';
import { TeeinitError, type ErrorCode } from '../../src/errors/index.js';
import { createIdentities } from '../../src/identity/index.js';
import { fetchAll } from '../../src/secrets/index.js';
import {
  ALICE,
  BOB,
  LogCapture,
  findLeaks,
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
const ALL_VALUES = Object.values(V);
const captures: LogCapture[] = [];

function capture(): LogCapture {
  const c = new LogCapture();
  captures.push(c);
  return c;
}

const ref = (project: string, id: string, version: string | number = 1): string =>
  `projects/${project}/secrets/${id}/versions/${version}`;

async function run(world: World, config: Config, log = capture(), signal?: AbortSignal) {
  const ids = createIdentities(config, log.logger);
  return fetchAll(config, ids, {
    logger: log.logger,
    baseDir: world.dir,
    ...(signal ? { signal } : {}),
  });
}

function failsWith(code: ErrorCode, ...parts: string[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof TeeinitError, `expected a TeeinitError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of parts) assert.ok(e.message.includes(p), `"${p}" not in: ${e.message}`);
    for (const v of ALL_VALUES) assert.ok(!e.message.includes(v), 'secret value in error message');
    return true;
  };
}

describe('fetchAll against the emulator', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
    world.seed([
      { project: ALICE.project, id: 'ca', versions: [{ data: V.ca }], members: [workload(ALICE)] },
      {
        project: ALICE.project,
        id: 'key',
        versions: [{ data: 'v1-unused' }, { data: V.key }],
        members: [workload(ALICE)],
      },
      {
        project: ALICE.project,
        id: 'share',
        versions: [{ data: V.aliceShare }],
        members: [workload(ALICE)],
      },
      {
        project: BOB.project,
        id: 'share',
        versions: [{ data: V.bobShare }],
        members: [workload(BOB)],
      },
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
      {
        project: ALICE.project,
        id: 'eu',
        location: 'europe-west4',
        versions: [{ data: V.regional }],
        members: [workload(ALICE)],
      },
    ]);
  });
  after(async () => {
    await world.stop();
    const leaks = captures.flatMap((c) => findLeaks(c.text, ALL_VALUES));
    assert.deepEqual(leaks, [], 'secret values appeared in logs');
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
      const log = capture();
      const got = await run(
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
      const config = world.config({ secrets: { stolen: { from: 'alice', ref: r } } });
      await assert.rejects(
        run(world, config),
        failsWith('TEEINIT_PERMISSION_DENIED', '"stolen"', 'alice', r, 'HTTP 403'),
      );
    },
  );

  test('missing version → TEEINIT_SECRET_NOT_FOUND', { timeout: 15_000 }, async () => {
    const r = ref(ALICE.project, 'ca', 9);
    const config = world.config({ secrets: { ca: { from: 'alice', ref: r } } });
    await assert.rejects(
      run(world, config),
      failsWith('TEEINIT_SECRET_NOT_FOUND', '"ca"', r, 'HTTP 404'),
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
        run(world, config),
        failsWith('TEEINIT_SECRET_DISABLED', '"s"', r, 'FAILED_PRECONDITION', state),
      );
    });
  }

  test('regional secret goes to the regional endpoint', { timeout: 15_000 }, async () => {
    const r = `projects/${ALICE.project}/locations/europe-west4/secrets/eu/versions/1`;
    const config = world.config({
      endpoints: { secretManager: 'http://127.0.0.1:9' }, // global endpoint unusable on purpose
      secrets: { eu: { from: 'alice', ref: r } },
    });
    const got = await run(world, config);
    assert.equal(got.get('eu')?.toString(), V.regional);
  });

  test('version "latest" works and is warned about', { timeout: 15_000 }, async () => {
    const log = capture();
    const config = world.config({
      secrets: { key: { from: 'alice', ref: ref(ALICE.project, 'key', 'latest') } },
    });
    const got = await run(world, config, log);
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
    const got = await run(world, config);
    assert.equal(got.get('share')?.toString(), V.aliceShare);
  });
});

describe('fetchAll under faults', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
    world.seed([
      { project: ALICE.project, id: 'ca', versions: [{ data: V.ca }], members: [workload(ALICE)] },
      {
        project: ALICE.project,
        id: 'key',
        versions: [{ data: V.key }],
        members: [workload(ALICE)],
      },
      {
        project: ALICE.project,
        id: 'share',
        versions: [{ data: V.aliceShare }],
        members: [workload(ALICE)],
      },
      {
        project: BOB.project,
        id: 'share',
        versions: [{ data: V.bobShare }],
        members: [workload(BOB)],
      },
      {
        project: BOB.project,
        id: 'other',
        versions: [{ data: V.bobViaSa }],
        members: [workload(BOB)],
      },
    ]);
  });
  after(async () => {
    await world.stop();
    const leaks = captures.flatMap((c) => findLeaks(c.text, ALL_VALUES));
    assert.deepEqual(leaks, [], 'secret values appeared in logs');
  });

  const one = (fetch: Record<string, unknown> = {}) =>
    world.config({ fetch, secrets: { ca: { from: 'alice', ref: ref(ALICE.project, 'ca') } } });

  test('CRC mismatch once → read again and succeed', { timeout: 15_000 }, async (t) => {
    world.fault({ route: 'secretmanager.access', corrupt: 'payload', times: 1 });
    t.after(() => world.em.faults.clear());
    const log = capture();
    const got = await run(world, one(), log);
    assert.equal(got.get('ca')?.toString(), V.ca);
    assert.ok(log.records().some((r) => String(r.message).includes('CRC32C')));
  });

  for (const what of ['payload', 'crc'] as const) {
    test(
      `CRC mismatch twice (corrupt ${what}) → TEEINIT_SECRET_CHECKSUM`,
      { timeout: 15_000 },
      async (t) => {
        world.fault({ route: 'secretmanager.access', corrupt: what });
        t.after(() => world.em.faults.clear());
        await assert.rejects(
          run(world, one()),
          failsWith('TEEINIT_SECRET_CHECKSUM', '"ca"', 'CRC32C'),
        );
      },
    );
  }

  test('503 twice then success; attempts logged', { timeout: 15_000 }, async (t) => {
    world.fault({ route: 'secretmanager.access', error: { status: 503 }, times: 2 });
    t.after(() => world.em.faults.clear());
    const log = capture();
    const got = await run(world, one(), log);
    assert.equal(got.get('ca')?.toString(), V.ca);
    const line = log.records().find((r) => r.message === 'secret fetched');
    assert.equal(line?.attempts, 3);
  });

  test(
    '429 until attempts run out → TEEINIT_SECRET_UNAVAILABLE',
    { timeout: 15_000 },
    async (t) => {
      world.fault({ route: 'secretmanager.access', error: { status: 429 } });
      t.after(() => world.em.faults.clear());
      await assert.rejects(
        run(world, one({ attempts: 3 })),
        failsWith('TEEINIT_SECRET_UNAVAILABLE', '"ca"', 'HTTP 429', '3 attempts'),
      );
    },
  );

  test('503 forever → fails within the start-up deadline', { timeout: 15_000 }, async (t) => {
    world.fault({ route: 'secretmanager.access', error: { status: 503 } });
    t.after(() => world.em.faults.clear());
    const deadline = 1500;
    const started = Date.now();
    await assert.rejects(
      run(
        world,
        one({ attempts: 20, startupDeadline: deadline, initialBackoff: 100, maxBackoff: 400 }),
      ),
      failsWith('TEEINIT_STARTUP_DEADLINE', 'ca', 'HTTP 503'),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= deadline - 50 && elapsed <= deadline + 500, `elapsed ${elapsed} ms`);
  });

  test(
    'answers slower than callTimeout are retried, then the deadline ends it',
    { timeout: 15_000 },
    async (t) => {
      world.fault({ route: 'secretmanager.access', latencyMs: 2000 });
      t.after(() => world.em.faults.clear());
      const log = capture();
      const started = Date.now();
      await assert.rejects(
        run(world, one({ callTimeout: 200, attempts: 20, startupDeadline: 1200 }), log),
        failsWith('TEEINIT_STARTUP_DEADLINE', 'ca', 'did not answer within 200 ms'),
      );
      assert.ok(Date.now() - started <= 1700);
      const retries = log.records().filter((r) => r.message === 'secret access failed, retrying');
      assert.ok(retries.length >= 2, `${retries.length} retries`);
      assert.ok(retries.every((r) => r.code === 'TEEINIT_DEADLINE_EXCEEDED'));
    },
  );

  test(
    'slow answers until attempts run out → TEEINIT_DEADLINE_EXCEEDED',
    { timeout: 15_000 },
    async (t) => {
      world.fault({ route: 'secretmanager.access', latencyMs: 2000 });
      t.after(() => world.em.faults.clear());
      await assert.rejects(
        run(world, one({ callTimeout: 150, attempts: 2 })),
        failsWith('TEEINIT_DEADLINE_EXCEEDED', '"ca"'),
      );
    },
  );

  test('connection reset → retried and succeeds', { timeout: 15_000 }, async (t) => {
    world.fault({ route: 'secretmanager.access', reset: true, times: 1 });
    t.after(() => world.em.faults.clear());
    const log = capture();
    const got = await run(world, one(), log);
    assert.equal(got.get('ca')?.toString(), V.ca);
    assert.equal(log.records().find((r) => r.message === 'secret fetched')?.attempts, 2);
  });

  test(
    '401 (expired access token) → token refreshed once and the access succeeds',
    { timeout: 15_000 },
    async (t) => {
      world.fault({ route: 'secretmanager.access', expiredToken: true, times: 1 });
      t.after(() => world.em.faults.clear());
      const log = capture();
      const got = await run(world, one(), log);
      assert.equal(got.get('ca')?.toString(), V.ca);
      assert.ok(log.records().some((r) => String(r.message).includes('refreshing')));
    },
  );

  test('401 again after the refresh → TEEINIT_UNAUTHENTICATED', { timeout: 15_000 }, async (t) => {
    world.fault({ route: 'secretmanager.access', expiredToken: true });
    t.after(() => world.em.faults.clear());
    await assert.rejects(
      run(world, one()),
      failsWith('TEEINIT_UNAUTHENTICATED', '"ca"', 'alice', 'HTTP 401'),
    );
  });

  test('the first fatal error aborts the slow rest at once', { timeout: 15_000 }, async (t) => {
    world.fault({ route: 'secretmanager.access', match: 'secrets/ca/', latencyMs: 5000 });
    t.after(() => world.em.faults.clear());
    const config = world.config({
      secrets: {
        ca: { from: 'alice', ref: ref(ALICE.project, 'ca') },
        missing: { from: 'bob', ref: ref(BOB.project, 'share', 9) },
      },
    });
    const started = Date.now();
    await assert.rejects(
      run(world, config),
      failsWith('TEEINIT_SECRET_NOT_FOUND', '"missing"', 'bob'),
    );
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  test(
    "a caller's signal cancels start-up → TEEINIT_STARTUP_CANCELLED",
    { timeout: 15_000 },
    async (t) => {
      world.fault({ route: 'secretmanager.access', latencyMs: 5000 });
      t.after(() => world.em.faults.clear());
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 200);
      const started = Date.now();
      await assert.rejects(
        run(world, one(), capture(), ctl.signal),
        failsWith('TEEINIT_STARTUP_CANCELLED'),
      );
      assert.ok(Date.now() - started < 1500);
    },
  );

  test(
    'parallel: 5 secrets from 2 collaborators with 100 ms latency on every call',
    { timeout: 15_000 },
    async (t) => {
      const latency = 100;
      world.fault({ route: '*', latencyMs: latency });
      t.after(() => world.em.faults.clear());
      const config = world.config({
        secrets: {
          ca: { from: 'alice', ref: ref(ALICE.project, 'ca') },
          key: { from: 'alice', ref: ref(ALICE.project, 'key') },
          'alice-share': { from: 'alice', ref: ref(ALICE.project, 'share') },
          'bob-share': { from: 'bob', ref: ref(BOB.project, 'share') },
          'bob-other': { from: 'bob', ref: ref(BOB.project, 'other') },
        },
      });
      const started = Date.now();
      const got = await run(world, config);
      const elapsed = Date.now() - started;
      assert.equal(got.size, 5);
      // The same secrets one after another (one token per collaborator, then each access
      // in turn), measured in the same run so machine load affects both alike.
      const seqStarted = Date.now();
      const log = capture();
      const ids = createIdentities(config, log.logger);
      for (const [name, secret] of Object.entries(config.secrets)) {
        const single = world.config({ secrets: { [name]: secret } });
        await fetchAll(single, ids, { logger: log.logger, baseDir: world.dir });
      }
      const sequential = Date.now() - seqStarted;
      assert.ok(sequential >= 7 * latency, `sequential ${sequential} ms`);
      assert.ok(elapsed < sequential / 2, `parallel ${elapsed} ms vs sequential ${sequential} ms`);
    },
  );
});
