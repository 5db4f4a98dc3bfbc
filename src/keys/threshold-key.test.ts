// A threshold key from the shares at hand: a share split for another t or n is refused on
// its own and the key is made from the others; fewer than t usable shares is one error that
// names each share not used and why; the key is HKDF of the secret whichever t were used.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync, randomBytes } from 'node:crypto';
import type { KeyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { formatShare, keyIdOf } from './share-format.js';
import { splitSecret } from './threshold.js';
import { deriveThresholdKey } from './threshold-key.js';

const SPEC: KeyConfig = {
  shares: ['alice-q', 'bob-q', 'carol-q'],
  threshold: 2,
  kdf: 'hkdf-sha256',
  salt: 'teeinit-psk-v1',
  info: 'quorum-psk',
  length: 32,
};
const WHO = ['alice', 'bob', 'carol'] as const;

async function inputs(secret: Buffer, t = 2, n = 3) {
  const shares = await splitSecret(secret, n, t);
  return shares.map((share, i) => ({
    secret: `${WHO[i % 3]}-q`,
    collaborator: WHO[i % 3]!,
    raw: Buffer.from(formatShare(share)),
  }));
}

describe('threshold key derivation', { timeout: 20_000 }, () => {
  test('any 2 of 3 give HKDF(secret, salt, info, length); the origin names them', async () => {
    const secret = randomBytes(32);
    const expected = Buffer.from(
      hkdfSync('sha256', secret, Buffer.from('teeinit-psk-v1'), Buffer.from('quorum-psk'), 32),
    );
    const all = await inputs(secret);
    for (const present of [all, [all[0]!, all[1]!], [all[2]!, all[0]!], [all[1]!, all[2]!]]) {
      const d = await deriveThresholdKey('quorum-psk', SPEC, present);
      assert.ok(d.key.equals(expected));
      assert.equal(d.origin.threshold, 2);
      assert.equal(d.origin.total, 3);
      assert.equal(d.origin.keyId, keyIdOf(secret));
      assert.deepEqual(
        d.origin.shares.map((s) => s.collaborator),
        present.map((p) => p.collaborator).sort(),
      );
      assert.deepEqual(d.unusable, []);
    }
  });

  test('a share split for another t or n is refused on its own', async () => {
    const secret = randomBytes(32);
    const [alice, bob] = await inputs(secret);
    const [, , carol] = await inputs(secret, 3, 3);
    const d = await deriveThresholdKey('quorum-psk', SPEC, [alice!, bob!, carol!]);
    assert.deepEqual(
      d.origin.shares.map((s) => s.collaborator),
      ['alice', 'bob'],
    );
    const [refused] = d.unusable;
    assert.equal(refused?.collaborator, 'carol');
    assert.equal(refused?.error.code, 'TEEINIT_SHARE_INVALID');
    assert.match(
      refused?.error.message ?? '',
      /^PSK share "carol-q" \(collaborator carol\) of key "quorum-psk" was split for any 3 of 3 shares, but keys.quorum-psk takes 2 of 3; it comes from another split\.$/,
    );
  });

  test('fewer than t: one error naming every share not used and why', async () => {
    const secret = randomBytes(32);
    const [alice] = await inputs(secret);
    const missing = [
      {
        secret: 'bob-q',
        collaborator: 'bob',
        error: new TeeinitError('TEEINIT_SECRET_NOT_FOUND', 'Secret bob-q not found.'),
      },
    ];
    const carol = { secret: 'carol-q', collaborator: 'carol', raw: Buffer.from('not a share') };
    await assert.rejects(
      deriveThresholdKey('quorum-psk', SPEC, [alice!, carol], missing),
      (e: unknown) => {
        assert.ok(e instanceof TeeinitError);
        assert.equal(e.code, 'TEEINIT_THRESHOLD_NOT_MET');
        assert.equal(e.exitCode, 69);
        assert.match(
          e.message,
          /^Key "quorum-psk" needs 2 of its 3 shares: only 1 share is usable and 2 are needed\. Not usable: share "bob-q" \(collaborator bob\): TEEINIT_SECRET_NOT_FOUND: Secret bob-q not found; share "carol-q" \(collaborator carol\): TEEINIT_SHARE_INVALID: .* is not a threshold share/,
        );
        assert.equal(e.fields.collaborators, 'bob,carol');
        assert.equal(e.fields.unusable, 'bob-q,carol-q');
        return true;
      },
    );
  });
});
