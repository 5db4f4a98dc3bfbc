// Fault injection as a client sees it through the emulator's Secret Manager: counted
// errors, seeded rates, resource matching, corruption, resets, expired tokens, latency.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseFaultRules } from '../../emulator/faults/controller.js';
import {
  startStandaloneSecretManager,
  type StandaloneSecretManager,
} from '../../emulator/secret-manager/standalone.js';
import { applySeed, parseSeedDocument } from '../../emulator/seed/apply.js';
import { crc32c } from '../../src/secrets/crc32c.js';

const KEY = '/v1/projects/alice-proj/secrets/server-key/versions/1:access';
const CA = '/v1/projects/alice-proj/secrets/ca/versions/1:access';

async function start(seed = 1): Promise<StandaloneSecretManager> {
  const emu = await startStandaloneSecretManager({ faultSeed: seed });
  const doc = parseSeedDocument({
    secrets: [
      { project: 'alice-proj', id: 'server-key', versions: [{ data: 'key-bytes' }] },
      { project: 'alice-proj', id: 'ca', versions: [{ data: 'ca-bytes' }] },
    ],
  });
  applySeed(emu.store, doc, Date.now);
  return emu;
}

interface Answer {
  status: number;
  body: {
    payload?: { data: string; dataCrc32c: string };
    error?: { status: string; details: { reason: string }[] };
  };
}

async function access(emu: StandaloneSecretManager, path = KEY): Promise<Answer> {
  const res = await fetch(emu.url + path, {
    headers: { authorization: `Bearer ${emu.ownerToken}` },
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

describe('faults through Secret Manager', { timeout: 180_000 }, () => {
  let emu: StandaloneSecretManager;
  before(async () => {
    emu = await start();
  });
  after(() => emu.close());

  test('the next two accesses fail with 503, the third succeeds', async () => {
    for (const r of parseFaultRules({
      route: 'secretmanager.access',
      error: { status: 503, times: 2 },
    })) {
      emu.faults.add(r);
    }
    const first = await access(emu);
    assert.equal(first.status, 503);
    assert.equal(first.body.error?.status, 'UNAVAILABLE');
    assert.equal((await access(emu)).status, 503);
    const third = await access(emu);
    assert.equal(third.status, 200);
    assert.equal(Buffer.from(third.body.payload!.data, 'base64').toString(), 'key-bytes');
    assert.deepEqual(emu.faults.list(), [], 'a counted rule expires');
  });

  test('429 is RESOURCE_EXHAUSTED with reason RATE_LIMIT_EXCEEDED', async () => {
    parseFaultRules([{ route: '*', error: { status: 429 }, times: 1 }]).forEach((r) =>
      emu.faults.add(r),
    );
    const r = await access(emu);
    assert.equal(r.status, 429);
    assert.equal(r.body.error?.status, 'RESOURCE_EXHAUSTED');
    assert.equal(r.body.error?.details[0]?.reason, 'RATE_LIMIT_EXCEEDED');
  });

  test('match limits a rule to one resource', async () => {
    parseFaultRules({
      route: 'secretmanager.access',
      match: 'secrets/server-key',
      error: { status: 500 },
    }).forEach((r) => emu.faults.add(r));
    try {
      assert.equal((await access(emu, CA)).status, 200);
      assert.equal((await access(emu, KEY)).status, 500);
      assert.equal((await access(emu, KEY)).status, 500);
    } finally {
      emu.faults.clear();
    }
  });

  test('corrupt payload or crc: the client-side CRC32C check fails', async () => {
    for (const what of ['payload', 'crc'] as const) {
      parseFaultRules({ route: 'secretmanager.access', corrupt: what, times: 1 }).forEach((r) =>
        emu.faults.add(r),
      );
      const r = await access(emu);
      assert.equal(r.status, 200);
      const data = Buffer.from(r.body.payload!.data, 'base64');
      assert.notEqual(String(crc32c(data)), r.body.payload!.dataCrc32c, what);
      const clean = await access(emu);
      const ok = Buffer.from(clean.body.payload!.data, 'base64');
      assert.equal(String(crc32c(ok)), clean.body.payload!.dataCrc32c);
    }
  });

  test('reset destroys the connection without an answer', async () => {
    parseFaultRules({ route: 'secretmanager.access', reset: true, times: 1 }).forEach((r) =>
      emu.faults.add(r),
    );
    await assert.rejects(access(emu), TypeError);
    assert.equal((await access(emu)).status, 200);
  });

  test('expiredToken: one call, or every token issued so far', async () => {
    parseFaultRules({ route: 'secretmanager.access', expiredToken: true, times: 1 }).forEach((r) =>
      emu.faults.add(r),
    );
    const once = await access(emu);
    assert.equal(once.status, 401);
    assert.equal(once.body.error?.details[0]?.reason, 'ACCESS_TOKEN_EXPIRED');
    assert.equal((await access(emu)).status, 200);
    const other = await start();
    try {
      parseFaultRules({ route: 'secretmanager.other', expiredToken: 'all', times: 1 }).forEach(
        (r) => other.faults.add(r),
      );
      const res = await fetch(`${other.url}/v1/projects/alice-proj/secrets`, {
        headers: { authorization: `Bearer ${other.ownerToken}` },
      });
      assert.equal(res.status, 401);
      assert.equal((await access(other)).status, 401, 'the token stays expired');
    } finally {
      await other.close();
    }
  });

  test('latencyMs delays the answer', async () => {
    parseFaultRules({ route: 'secretmanager.access', latencyMs: 200, times: 1 }).forEach((r) =>
      emu.faults.add(r),
    );
    const t0 = performance.now();
    assert.equal((await access(emu)).status, 200);
    assert.ok(performance.now() - t0 >= 190);
  });
});

describe('fault determinism', { timeout: 60_000 }, () => {
  async function sequence(seed: number): Promise<number[]> {
    const emu = await start(seed);
    try {
      parseFaultRules({ route: 'secretmanager.access', error: { status: 503, rate: 0.5 } }).forEach(
        (r) => emu.faults.add(r),
      );
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await access(emu)).status);
      return statuses;
    } finally {
      await emu.close();
    }
  }

  test('the same seed gives the same decisions; another seed differs', async () => {
    const a = await sequence(42);
    const b = await sequence(42);
    const c = await sequence(7);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.ok(a.includes(503) && a.includes(200));
  });
});

describe('parseFaultRules', () => {
  const bad: [string, unknown][] = [
    ['unknown key', { route: 'sts.token', error: { status: 503 }, extra: 1 }],
    ['two outcomes', { route: 'sts.token', reset: true, corrupt: 'crc' }],
    ['no effect', { route: 'sts.token' }],
    ['unsupported status', { route: 'sts.token', error: { status: 418 } }],
    ['unknown route', { route: 'kms.decrypt', latencyMs: 5 }],
    ['rate above 1', { route: 'sts.token', reset: true, rate: 2 }],
  ];
  for (const [name, input] of bad) {
    test(`rejects ${name}`, { timeout: 5_000 }, () => {
      assert.throws(() => parseFaultRules(input), { code: 'TEEINIT_CONFIG_INVALID' });
    });
  }

  test('accepts one rule, a list, or {rules}', { timeout: 5_000 }, () => {
    const one = { route: 'sts.token', error: { status: 503, times: 2 } };
    assert.equal(parseFaultRules(one)[0]?.times, 2);
    assert.equal(parseFaultRules([one, one]).length, 2);
    assert.equal(parseFaultRules({ rules: [one] }).length, 1);
  });
});
