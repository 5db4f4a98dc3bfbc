// The leak scan (test/helpers/leak-scan.ts) used by every suite must itself be able to fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertNoSecrets,
  assertNoSecretsInFiles,
  filesModifiedSince,
} from '../helpers/leak-scan.js';
import { removeDir, tempDir } from '../helpers/temp.js';

test(
  'leak scan finds a secret line in output and in a file written after the start',
  { timeout: 5000 },
  () => {
    const secret = `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----\n`;
    const line = secret.split('\n')[1]!;
    assert.throws(() => assertNoSecrets(`log: ${line.slice(0)} end`, [secret], 'output'), /output/);
    assert.doesNotThrow(() => assertNoSecrets('nothing here', [secret], 'output'));
    const dir = tempDir('teeinit-leak-').dir;
    try {
      const since = Date.now() - 1000;
      writeFileSync(join(dir, 'clean.txt'), 'clean');
      writeFileSync(join(dir, 'leaky.json'), JSON.stringify({ k: line }));
      const files = filesModifiedSince([dir], since);
      assert.equal(files.length, 2);
      assert.throws(() => assertNoSecretsInFiles(files, [secret]), /leaky\.json/);
    } finally {
      removeDir(dir);
    }
  },
);

test(
  'leak scan finds bytes and text as hex or base64, in any of several texts, and refuses short values',
  { timeout: 5000 },
  () => {
    const key = randomBytes(32);
    const clean = ['nothing', 'here either'];
    assert.doesNotThrow(() => assertNoSecrets(clean, [key], 'logs'));
    assert.throws(
      () => assertNoSecrets([...clean, `k=${key.toString('hex')}`], [key], 'logs'),
      /logs/,
    );
    assert.throws(() => assertNoSecrets(`k=${key.toString('base64')}`, [key], 'logs'), /logs/);
    const text = `token-${key.toString('base64url')}`;
    assert.throws(
      () => assertNoSecrets(`v=${Buffer.from(text).toString('base64')}`, [text], 'logs'),
      /logs/,
    );
    assert.throws(
      () => assertNoSecrets('-----BEGIN PRIVATE KEY-----', ['short'], 'logs'),
      /too short/,
    );
    assert.doesNotThrow(() =>
      assertNoSecrets(
        '-----END PRIVATE KEY-----',
        [`-----END PRIVATE KEY-----\n${key.toString('hex')}`],
        'x',
      ),
    );
  },
);
