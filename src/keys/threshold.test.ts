// Recovering a threshold secret from shares of mixed quality: any t consistent shares give
// the secret; a share from another split, a copied or an altered share is left out and
// named; too few, or two splits each reaching t, give no secret (never a wrong one).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { keyIdOf, type ThresholdShare } from './share-format.js';
import { recoverSecret, splitSecret, type HeldShare } from './threshold.js';

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'];

function hold(shares: readonly ThresholdShare[], names = NAMES): HeldShare[] {
  return shares.map((share, i) => ({
    secret: `${names[i] ?? `c${i}`}-share`,
    collaborator: names[i] ?? `c${i}`,
    share: { ...share, y: Buffer.from(share.y) },
  }));
}

function altered(held: HeldShare): HeldShare {
  const y = Buffer.from(held.share.y);
  y[0] = (y[0] ?? 0) ^ 0x01;
  return { ...held, share: { ...held.share, y } };
}

function* subsets<T>(items: readonly T[], k: number, start = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= items.length - k; i++) {
    for (const rest of subsets(items, k - 1, i + 1)) yield [items[i] as T, ...rest];
  }
}

describe('threshold recovery', { timeout: 20_000 }, () => {
  test('every t-subset of a 2-of-3 and a 3-of-5 split recovers the secret', async () => {
    for (const [t, n] of [
      [2, 3],
      [3, 5],
      [2, 2],
      [5, 5],
    ] as const) {
      const secret = randomBytes(32);
      const held = hold(await splitSecret(secret, n, t));
      assert.equal(new Set(held.map((h) => h.share.x)).size, n, 'distinct x coordinates');
      for (let k = t; k <= n; k++) {
        for (const subset of subsets(held, k)) {
          const r = await recoverSecret(t, subset);
          assert.ok(r.ok, `${t} of ${n}, ${k} shares`);
          assert.ok(r.secret.equals(secret));
          assert.equal(r.keyId, keyIdOf(secret));
          assert.equal(r.used.length, k);
          assert.deepEqual(r.rejected, []);
        }
      }
      for (const one of subsets(held, t - 1)) {
        const r = await recoverSecret(t, one);
        assert.ok(!r.ok);
      }
    }
  });

  test('a 16- and a 64-byte secret', async () => {
    for (const bytes of [16, 64]) {
      const secret = randomBytes(bytes);
      const r = await recoverSecret(2, hold(await splitSecret(secret, 3, 2)).slice(1));
      assert.ok(r.ok && r.secret.equals(secret));
    }
  });

  // [what, build shares (2-of-3 unless said), expect: used collaborators or a problem]
  const secret = randomBytes(32);
  const cases: [
    string,
    (main: HeldShare[], other: HeldShare[]) => { t?: number; shares: HeldShare[] },
    (
      | { used: string[]; rejected: [string, RegExp][] }
      | { problem: RegExp; rejected?: [string, RegExp][] }
    ),
  ][] = [
    [
      'one share of three missing',
      (m) => ({ shares: [m[0]!, m[2]!] }),
      { used: ['alice', 'carol'], rejected: [] },
    ],
    [
      'only one share',
      (m) => ({ shares: [m[1]!] }),
      { problem: /^only 1 share is usable and 2 are needed$/ },
    ],
    [
      'one altered share among three',
      (m) => ({ shares: [m[0]!, altered(m[1]!), m[2]!] }),
      {
        used: ['alice', 'carol'],
        rejected: [
          ['bob', /carries key id \w{16} but does not recombine .* it was altered or corrupted/],
        ],
      },
    ],
    [
      'one altered share among two',
      (m) => ({ shares: [m[0]!, altered(m[1]!)] }),
      {
        problem: /^no 2 of share "alice-share" .*, share "bob-share" .* recombine to their key id/,
      },
    ],
    [
      'a share of another split',
      (m, o) => ({
        shares: [m[0]!, m[1]!, { ...o[2]!, secret: 'carol-share', collaborator: 'carol' }],
      }),
      {
        used: ['alice', 'bob'],
        rejected: [['carol', /belongs to another split \(key id \w{16}\)/]],
      },
    ],
    [
      'two splits, neither reaching t',
      (m, o) => ({ shares: [m[0]!, { ...o[1]!, secret: 'bob-share', collaborator: 'bob' }] }),
      { problem: /come from 2 different splits .* and none of them has 2/ },
    ],
    [
      'a copied share',
      (m) => ({ shares: [m[0]!, { ...m[0]!, secret: 'bob-share', collaborator: 'bob' }, m[2]!] }),
      {
        problem: /^only 1 share is usable/,
        rejected: [
          [
            'alice',
            /same x coordinate \(\d+\) as share "bob-share" .* and the same value: one collaborator stored a copy/,
          ],
          ['bob', /same x coordinate/],
        ],
      },
    ],
    [
      'a copy among four of a 2-of-4 split still leaves two',
      (m) => ({
        shares: [m[0]!, { ...m[0]!, secret: 'bob-share', collaborator: 'bob' }, m[2]!, m[3]!],
      }),
      {
        used: ['carol', 'dave'],
        rejected: [
          ['alice', /same x coordinate/],
          ['bob', /same x coordinate/],
        ],
      },
    ],
    [
      'two complete splits',
      (m, o) => ({
        shares: [
          m[0]!,
          m[1]!,
          { ...o[2]!, secret: 'carol-share', collaborator: 'carol' },
          { ...o[3]!, secret: 'dave-share', collaborator: 'dave' },
        ],
      }),
      {
        problem:
          /^shares of 2 different splits \(key ids \w{16} and \w{16}\) each reach the threshold of 2/,
      },
    ],
  ];
  for (const [what, build, expect] of cases) {
    test(what, async () => {
      const main = hold(await splitSecret(secret, 4, 2));
      const other = hold(await splitSecret(randomBytes(32), 4, 2));
      const { t = 2, shares } = build(main, other);
      const r = await recoverSecret(t, shares);
      const rejected = r.rejected.map((x) => [x.held.collaborator, x.error] as const);
      for (const [, error] of rejected) {
        assert.equal(error.code, 'TEEINIT_SHARES_INCONSISTENT');
        assert.ok(!error.message.includes(secret.toString('hex').slice(0, 16)));
      }
      const expected = 'used' in expect ? expect.rejected : (expect.rejected ?? []);
      assert.deepEqual(
        rejected.map(([c]) => c),
        expected.map(([c]) => c),
      );
      expected.forEach(([, pattern], i) => assert.match(rejected[i]?.[1].message ?? '', pattern));
      if ('used' in expect) {
        assert.ok(r.ok, r.ok ? '' : r.problem);
        assert.ok(r.secret.equals(secret), 'the right secret, never another');
        assert.deepEqual(
          r.used.map((u) => u.collaborator),
          expect.used,
        );
      } else {
        assert.ok(!r.ok, 'no secret');
        assert.match(r.problem, expect.problem);
      }
    });
  }
});
