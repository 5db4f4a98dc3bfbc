// docs/psk.md's threshold test vectors, read from the doc itself: every pair of the shares
// recombines to the secret (with teeinit's code, and with an independent GF(2^8)
// interpolation written here for this check only, which pins the field), the key id and the
// PSKs follow, and the doc's client recipes (`shares combine --write-psk`, and
// `--write-secret` then `openssl kdf`) give the same PSK.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { KeyConfig } from '../../src/config/types.js';
import {
  deriveThresholdKey,
  keyIdOf,
  parseShareText,
  recoverSecret,
} from '../../src/keys/index.js';
import { runCli } from '../cli/cli-helpers.js';
import { removeDir, tempDir } from '../helpers/temp.js';
import { fences } from './markdown.js';
import { opensslHkdf } from '../helpers/openssl-hkdf.js';

const DOC = new URL('../../../docs/psk.md', import.meta.url);

/** The ```text block holding SHARE_ALICE, as NAME → value. */
function vectors(): Map<string, string> {
  const block = fences(readFileSync(DOC, 'utf8')).find(
    (f) => f.info === 'text' && f.body.includes('SHARE_ALICE'),
  );
  assert.ok(block, 'docs/psk.md has the threshold vectors block');
  const out = new Map<string, string>();
  for (const line of block.body.split('\n')) {
    const m = /^(\S.*?)\s*=\s*(\S+)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** GF(2^8) mod x^8+x^4+x^3+x+1, for the independent cross-check only. */
function gmul(a: number, b: number): number {
  let r = 0;
  for (; b > 0; b >>= 1) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11b;
  }
  return r;
}
function ginv(a: number): number {
  for (let b = 1; b < 256; b++) if (gmul(a, b) === 1) return b;
  throw new Error('no inverse of 0');
}
function interpolateAtZero(points: readonly { x: number; y: Buffer }[]): Buffer {
  const length = points[0]?.y.length ?? 0;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    let acc = 0;
    for (const [j, pj] of points.entries()) {
      let num = 1;
      let den = 1;
      for (const [k, pk] of points.entries()) {
        if (k === j) continue;
        num = gmul(num, pk.x);
        den = gmul(den, pj.x ^ pk.x);
      }
      acc ^= gmul(pj.y[i] ?? 0, gmul(num, ginv(den)));
    }
    out[i] = acc;
  }
  return out;
}

const NAMES = ['SHARE_ALICE', 'SHARE_BOB', 'SHARE_CAROL'] as const;
const PAIRS = [
  [0, 1],
  [0, 2],
  [1, 2],
] as const;

describe('docs/psk.md threshold vectors', { timeout: 60_000 }, () => {
  const v = vectors();
  const get = (name: string): string => {
    const value = v.get(name);
    assert.ok(value !== undefined, `${name} in the vectors block`);
    return value;
  };
  const lines = NAMES.map(get);
  const secret = Buffer.from(get('SECRET'), 'hex');
  const work = tempDir('teeinit-vectors-').dir;
  after(() => removeDir(work));

  test('shares parse as 2 of 3 with the key id of the secret', () => {
    assert.equal(keyIdOf(secret), get('KEY_ID'));
    for (const line of lines) {
      const share = parseShareText(Buffer.from(line), 'vector');
      assert.equal(share.threshold, 2);
      assert.equal(share.total, 3);
      assert.equal(share.keyId, get('KEY_ID'));
    }
  });

  test('every pair recombines to the secret, also by an independent interpolation', async () => {
    for (const pair of PAIRS) {
      const shares = pair.map((i) => parseShareText(Buffer.from(lines[i]!), 'vector'));
      const held = shares.map((share, i) => ({ secret: `s${i}`, collaborator: `c${i}`, share }));
      const r = await recoverSecret(2, held);
      assert.ok(r.ok && r.secret.equals(secret), `pair ${pair.join(',')}`);
      assert.ok(interpolateAtZero(shares).equals(secret), `independent, pair ${pair.join(',')}`);
    }
  });

  test('the PSKs are HKDF of the secret', async () => {
    const psks = [...v].filter(([k]) => k.startsWith('PSK('));
    assert.equal(psks.length, 2);
    for (const [label, hex] of psks) {
      const [salt, info, length] = /^PSK\((.*)\)$/.exec(label)![1]!.split(/,\s*/);
      const spec: KeyConfig = {
        shares: ['a', 'b', 'c'],
        threshold: 2,
        kdf: 'hkdf-sha256',
        salt: salt!,
        info: info!,
        length: Number(length),
      };
      for (const pair of PAIRS) {
        const present = pair.map((i) => ({
          secret: ['a', 'b', 'c'][i]!,
          collaborator: ['alice', 'bob', 'carol'][i]!,
          raw: Buffer.from(lines[i]!),
        }));
        const { key } = await deriveThresholdKey('vector', spec, present);
        assert.equal(key.toString('hex'), hex, `${label}, pair ${pair.join(',')}`);
      }
    }
  });

  test("the doc's client recipes give the PSK", async () => {
    const files = NAMES.map((name, i) => {
      const path = join(work, `${name}.share`);
      // As a share file: the line and a newline.
      writeFileSync(path, `${lines[i]!}\n`, { mode: 0o600 });
      return path;
    });
    const expected = get('PSK(teeinit-psk-v1, session-psk, 32)');
    const psk = join(work, 'psk.bin');
    const direct = await runCli([
      'shares',
      'combine',
      files[0]!,
      files[2]!,
      '--write-psk',
      psk,
      '--info',
      'session-psk',
    ]);
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(readFileSync(psk).toString('hex'), expected);
    const secretFile = join(work, 'secret.bin');
    const combined = await runCli([
      'shares',
      'combine',
      files[1]!,
      files[2]!,
      '--write-secret',
      secretFile,
    ]);
    assert.equal(combined.code, 0, combined.stderr);
    assert.equal(
      await opensslHkdf(readFileSync(secretFile).toString('hex'), 'session-psk'),
      expected,
    );
  });
});
