// keys.NAME.threshold: every refusal names the key and says why, and the accepted forms
// load with the threshold kept (or absent: the n-of-n key as before).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorCode } from '../errors/index.js';
import { loadConfigTree } from './load.js';
import { assertRefused, baseTree } from './test-fixtures.js';

type Tree = Record<string, any>;

/** The base tree with carol and a 2-of-3 key `quorum-psk` over three shares. */
function thresholdTree(): Tree {
  const t = baseTree();
  t.collaborators.carol = {
    provider:
      '//iam.googleapis.com/projects/444/locations/global/workloadIdentityPools/tee-pool/providers/cs-prov',
  };
  t.secrets['alice-t'] = { from: 'alice', ref: 'projects/alice-proj/secrets/t/versions/1' };
  t.secrets['bob-t'] = { from: 'bob', ref: 'projects/bob-proj/secrets/t/versions/1' };
  t.secrets['carol-t'] = { from: 'carol', ref: 'projects/carol-proj/secrets/t/versions/1' };
  t.keys['quorum-psk'] = { shares: ['alice-t', 'bob-t', 'carol-t'], threshold: 2 };
  return t;
}

// [what, mutate, code, message fragment]
const refused: [string, (t: Tree) => void, ErrorCode, string][] = [
  [
    'threshold 1',
    (t) => (t.keys['quorum-psk'].threshold = 1),
    'TEEINIT_CONFIG_INVALID',
    "keys.quorum-psk.threshold: expected at least 2: with a threshold below 2 one collaborator's share alone would make the key",
  ],
  [
    'threshold 0',
    (t) => (t.keys['quorum-psk'].threshold = 0),
    'TEEINIT_CONFIG_INVALID',
    'keys.quorum-psk.threshold: expected at least 2',
  ],
  [
    'threshold above the share count',
    (t) => (t.keys['quorum-psk'].threshold = 4),
    'TEEINIT_CONFIG_INVALID',
    'keys.quorum-psk.threshold: expected at most the number of shares listed in keys.quorum-psk.shares',
  ],
  [
    'threshold not a whole number',
    (t) => (t.keys['quorum-psk'].threshold = 1.5),
    'TEEINIT_CONFIG_INVALID',
    'keys.quorum-psk.threshold',
  ],
  [
    'threshold as text',
    (t) => (t.keys['quorum-psk'].threshold = '2'),
    'TEEINIT_CONFIG_INVALID',
    'keys.quorum-psk.threshold',
  ],
  [
    'more than 255 shares',
    (t) => {
      const shares: string[] = [];
      for (let i = 0; i < 256; i++) {
        t.collaborators[`c${i}`] = { credentials: 'adc' };
        t.secrets[`s${i}`] = { from: `c${i}`, ref: `projects/p-proj/secrets/s${i}/versions/1` };
        shares.push(`s${i}`);
      }
      t.keys['quorum-psk'].shares = shares;
    },
    'TEEINIT_CONFIG_INVALID',
    'keys.quorum-psk.shares: a threshold key has at most 255 shares (Shamir over GF(256))',
  ],
  [
    'a share listed twice',
    (t) => (t.keys['quorum-psk'].shares = ['alice-t', 'bob-t', 'alice-t']),
    'TEEINIT_CONFIG_INVALID',
    'keys.quorum-psk.shares[2]: the same secret is already listed at keys.quorum-psk.shares[0]; list each share once',
  ],
  [
    'two shares from one collaborator (fewer collaborators than shares)',
    (t) => (t.secrets['carol-t'].from = 'alice'),
    'TEEINIT_CONFIG_INVALID',
    'keys.quorum-psk.shares[2]: secrets.alice-t and secrets.carol-t both come from collaborators.alice; each share must come from a different collaborator (with two shares, that collaborator would count twice towards keys.quorum-psk.threshold)',
  ],
  [
    'fewer distinct collaborators than the threshold',
    (t) => {
      t.keys['quorum-psk'].threshold = 3;
      t.secrets['bob-t'].from = 'carol';
    },
    'TEEINIT_CONFIG_INVALID',
    'both come from collaborators.carol',
  ],
  [
    'sha256-concat with a threshold',
    (t) => (t.keys['quorum-psk'].kdf = 'sha256-concat'),
    'TEEINIT_CONFIG_INVALID',
    'keys.quorum-psk.kdf: sha256-concat has no threshold form',
  ],
  [
    'a threshold share feeding another key',
    (t) => (t.keys['session-psk'].shares = ['alice-share', 'bob-t']),
    'TEEINIT_CONFIG_INVALID',
    'keys.session-psk.shares[1]: secrets.bob-t is a share of threshold key keys.quorum-psk and cannot feed another key',
  ],
  [
    'a threshold share written to a file',
    (t) => (t.files.entries['carol-t'] = {}),
    'TEEINIT_CONFIG_INVALID',
    'carol-t',
  ],
  [
    'an undeclared share',
    (t) => (t.keys['quorum-psk'].shares = ['alice-t', 'bob-t', 'dave-t']),
    'TEEINIT_CONFIG_REFERENCE',
    'keys.quorum-psk.shares[2]: names a secret that is not declared',
  ],
];

describe('keys.NAME.threshold', { timeout: 20_000 }, () => {
  for (const [what, mutate, code, fragment] of refused) {
    test(`refuses: ${what}`, () => {
      const t = thresholdTree();
      mutate(t);
      assertRefused(t, code, fragment);
    });
  }

  test('accepts 2 of 3 and 3 of 3, and keeps a key without threshold as it was', () => {
    const { config } = loadConfigTree(thresholdTree());
    assert.equal(config.keys['quorum-psk']?.threshold, 2);
    assert.equal(config.keys['quorum-psk']?.kdf, 'hkdf-sha256');
    assert.equal(config.keys['quorum-psk']?.info, 'quorum-psk');
    assert.equal(config.keys['session-psk']?.threshold, undefined);
    const all = thresholdTree();
    all.keys['quorum-psk'].threshold = 3;
    assert.equal(loadConfigTree(all).config.keys['quorum-psk']?.threshold, 3);
  });
});
