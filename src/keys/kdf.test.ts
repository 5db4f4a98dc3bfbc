// KDF vectors: the public Confidential Space TLS-PSK demo (sha256-concat) and teeinit's
// hkdf-sha256 (cross-checked with `openssl kdf … HKDF`). The same vectors are in docs/psk.md.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { deriveKey, type ShareInput } from './kdf.js';
import { DEMO_SHARES } from '../../test/helpers/collaborators.js';

// Published demo shares (salrashid123/tee_server_proxy psk/, salrashid123/mcbn README).
const { alice: ALICE, bob: BOB } = DEMO_SHARES;
const CAROL = '3e2078d5cd04beabfa4a7a1486bc626d679184df2e0a2b9942d913d4b835516c';

function spec(kdf: KeyConfig['kdf'], shares: string[], extra: Partial<KeyConfig> = {}): KeyConfig {
  return { shares, kdf, salt: 'teeinit-psk-v1', info: 'session-psk', length: 32, ...extra };
}
function share(collaborator: string, hex: string, raw = Buffer.from(hex)): ShareInput {
  return { collaborator, secret: `${collaborator}-share`, raw };
}

describe('sha256-concat (demo compatible)', () => {
  const cases: { what: string; shares: ShareInput[]; expected: string }[] = [
    {
      what: 'alice+bob (the demo PSK for identity Client1)',
      shares: [share('alice', ALICE), share('bob', BOB)],
      expected: '2f835009708d32bb71a72a0deda737be2049acc6deae0b1ec7ebd4f25bc16b7c',
    },
    {
      what: 'alice+bob+carol (published in the mcbn README)',
      shares: [share('alice', ALICE), share('bob', BOB), share('carol', CAROL)],
      expected: '6d1bbd1e6235c9d9ec8cdbdf9b32d4d08304a7f305f7c6c67775130d914f4dc4',
    },
    {
      what: 'shares stored as raw bytes give the same key',
      shares: [
        share('alice', ALICE, Buffer.from(ALICE, 'hex')),
        share('bob', BOB, Buffer.from(BOB, 'hex')),
      ],
      expected: '2f835009708d32bb71a72a0deda737be2049acc6deae0b1ec7ebd4f25bc16b7c',
    },
    {
      what: 'uppercase hex with a trailing newline gives the same key',
      shares: [share('alice', ALICE, Buffer.from(ALICE.toUpperCase() + '\n')), share('bob', BOB)],
      expected: '2f835009708d32bb71a72a0deda737be2049acc6deae0b1ec7ebd4f25bc16b7c',
    },
    {
      what: 'order matters (config order, as in the demo)',
      shares: [share('bob', BOB), share('alice', ALICE)],
      expected: '', // anything but the alice+bob key
    },
  ];
  for (const c of cases) {
    test(c.what, { timeout: 5000 }, () => {
      const key = deriveKey(
        'demo',
        spec(
          'sha256-concat',
          c.shares.map((s) => s.secret),
        ),
        c.shares,
      );
      assert.equal(key.length, 32);
      if (c.expected === '') assert.notEqual(key.toString('hex'), cases[0]?.expected);
      else assert.equal(key.toString('hex'), c.expected);
    });
  }
});

describe('hkdf-sha256', () => {
  const cases: {
    what: string;
    shares: ShareInput[];
    extra?: Partial<KeyConfig>;
    expected: string;
  }[] = [
    {
      what: 'alice+bob, salt teeinit-psk-v1, info session-psk, 32 bytes',
      shares: [share('alice', ALICE), share('bob', BOB)],
      expected: '708b8c7c6a589e801d536943b0dba2a235a39012c9793311324500f07b7a345e',
    },
    {
      what: 'config order does not matter (sorted by collaborator)',
      shares: [share('bob', BOB), share('alice', ALICE)],
      expected: '708b8c7c6a589e801d536943b0dba2a235a39012c9793311324500f07b7a345e',
    },
    {
      what: 'three collaborators',
      shares: [share('carol', CAROL), share('alice', ALICE), share('bob', BOB)],
      expected: '64dac45c1ed647bfc5813525dfc04e7ba52b54cbfc1b73d7b843c5a068a857cf',
    },
    {
      what: 'info tls13-ingress, 48 bytes',
      shares: [share('alice', ALICE), share('bob', BOB)],
      extra: { info: 'tls13-ingress', length: 48 },
      expected:
        'a614cbd1a7dd583ab9b9bde027d746ea50cfdf95632e9f80d71f5e3bd14aa005899ad803887d7204d43d38d4d39fe3d3',
    },
  ];
  for (const c of cases) {
    test(c.what, { timeout: 5000 }, () => {
      const s = spec(
        'hkdf-sha256',
        c.shares.map((x) => x.secret),
        c.extra,
      );
      assert.equal(deriveKey('session-psk', s, c.shares).toString('hex'), c.expected);
    });
  }

  test('sha256-concat accepts only length 32', { timeout: 5000 }, () => {
    const shares = [share('alice', ALICE), share('bob', BOB)];
    assert.throws(
      () =>
        deriveKey('k', spec('sha256-concat', ['alice-share', 'bob-share'], { length: 48 }), shares),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_CONFIG_INVALID' &&
        e.message.includes('keys.k.length'),
    );
  });

  test('rejects an invalid share', { timeout: 5000 }, () => {
    const shares = [share('alice', ALICE), share('bob', ALICE)];
    assert.throws(
      () => deriveKey('k', spec('hkdf-sha256', ['alice-share', 'bob-share']), shares),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_SHARE_INVALID' &&
        e.message.includes('bob-share') &&
        !e.message.includes(ALICE),
    );
  });
});
