// SecretFiles.update (secret refresh): only changed files (a value-only secret has none) are rewritten, keys before
// certificates, same mode; templates and argv render the new values; nothing is written
// once cleanup ran or the refresh was aborted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { captureLogger } from '../helpers/capture-logger.js';
import {
  assertNoSecret,
  capture,
  config,
  entry,
  material,
  materializeAsRun,
  proc,
  SECRETS,
  where,
} from './fixture.js';

const rotated = (changes: Record<string, string>): typeof material => ({
  ...material,
  secrets: new Map([
    ...material.secrets,
    ...Object.entries(changes).map(([k, v]) => [k, Buffer.from(v)] as const),
  ]),
});

describe('materialize: update after a refresh', { timeout: 80_000 }, () => {
  test('rewrites only what changed, key first, same mode; templates follow', async () => {
    const dir = join(where.base, 'update', 'secrets');
    const cfg = config({
      dir,
      entries: { 'server-key': entry({ name: 'server.key', mode: 0o600 }) },
      templates: { 'app.conf': { content: 'pw={{ value password }}\n', allowValue: true } },
      processes: [
        proc('app', {
          run: ['app', '{{ file server-cert }}', '{{ value password }}'],
          allowValue: true,
        }),
      ],
    });
    const log = capture();
    const files = await materializeAsRun(cfg, material, {}, log.logger);
    try {
      const next = rotated({
        'server-cert': 'CERT-2',
        'server-key': 'KEY-2',
        password: 'pw-2-xxxxxxxx',
      });
      const changed = await files.update(next);
      assert.deepEqual(changed, ['server-key', 'server-cert', 'app.conf']);
      assert.equal(await readFile(join(dir, 'server.key'), 'utf8'), 'KEY-2');
      assert.equal((await stat(join(dir, 'server.key'))).mode & 0o777, 0o600);
      assert.equal(await readFile(join(dir, 'app.conf'), 'utf8'), 'pw=pw-2-xxxxxxxx\n');
      assert.equal(files.renderArgs(cfg.processes[0]!).argv[2], 'pw-2-xxxxxxxx');
      const rewritten = log
        .records()
        .filter((l) => l.message === 'secret file rewritten')
        .map((l) => l.name);
      assert.deepEqual(rewritten, ['server-key', 'server-cert', 'app.conf']);
      assert.deepEqual(await files.update(next), [], 'nothing changed the second time');
    } finally {
      await files.cleanup();
    }
  });

  test('an abort between the key and the certificate puts the old key back', async () => {
    const dir = join(where.base, 'update-abort-mid', 'secrets');
    const cfg = config({
      dir,
      entries: { 'server-key': entry({ name: 'server.key', mode: 0o600 }) },
      processes: [proc('app', { run: ['app', '{{ file server-cert }}'] })],
    });
    // The refresh deadline fires right after the key was rewritten, before the certificate.
    const deadline = new AbortController();
    const reason = new Error('refresh deadline');
    const log = captureLogger({
      unmasked: true,
      onLine: (line) => {
        if (line.includes('"secret file rewritten"')) deadline.abort(reason);
      },
    });
    const updating = await materializeAsRun(cfg, material, {}, log.logger);
    const oldKey = await readFile(join(dir, 'server.key'), 'utf8');
    const oldCert = await readFile(join(dir, 'server-cert'), 'utf8');
    try {
      await assert.rejects(
        updating.update(
          rotated({ 'server-cert': 'CERT-5', 'server-key': 'KEY-5' }),
          deadline.signal,
        ),
        (err) => err === reason,
      );
      assert.equal(await readFile(join(dir, 'server.key'), 'utf8'), oldKey, 'old key restored');
      assert.equal(await readFile(join(dir, 'server-cert'), 'utf8'), oldCert, 'cert untouched');
      const names = log.records().map((l) => `${String(l.message)}:${String(l.name)}`);
      assert.ok(names.includes('secret file restored:server-key'), names.join('\n'));
    } finally {
      await updating.cleanup();
    }
  });

  test('no write after cleanup or abort', async () => {
    const dir = join(where.base, 'update-stop', 'secrets');
    const cfg = config({
      dir,
      processes: [proc('app', { run: ['app', '{{ file server-cert }}'] })],
    });
    const files = await materializeAsRun(cfg, material, {}, capture().logger);
    const aborted = AbortSignal.abort();
    await assert.rejects(files.update(rotated({ 'server-cert': 'CERT-3' }), aborted));
    assert.notEqual(await readFile(join(dir, 'server-cert'), 'utf8'), 'CERT-3');
    await files.cleanup();
    await assert.rejects(files.update(rotated({ 'server-cert': 'CERT-4' })));
    assert.equal(existsSync(join(dir, 'server-cert')), false);
  });

  test('removeFilesOf: the files made from a secret go, update no longer writes them', async () => {
    const dir = join(where.base, 'update-remove', 'secrets');
    const cfg = config({
      dir,
      entries: { password: entry({ name: 'pw' }) },
      templates: { 'app.conf': { content: 'pw={{ value password }}\n', allowValue: true } },
      processes: [proc('app', { run: ['app', '{{ file server-cert }}'] })],
    });
    const log = capture();
    const files = await materializeAsRun(cfg, material, {}, log.logger);
    try {
      assert.deepEqual(files.removeFilesOf(['password']).sort(), ['app.conf', 'password']);
      assert.equal(existsSync(join(dir, 'pw')), false);
      assert.equal(existsSync(join(dir, 'app.conf')), false);
      assert.equal(await readFile(join(dir, 'server-cert'), 'utf8'), SECRETS['server-cert']);
      assert.deepEqual(files.removeFilesOf(['password']), [], 'already removed');
      const changed = await files.update(
        rotated({ password: 'pw-3-xxxxxxxx', 'server-cert': 'CERT-5' }),
      );
      assert.deepEqual(changed, ['server-cert']);
      assert.equal(existsSync(join(dir, 'app.conf')), false, 'not written again');
      assert.equal(existsSync(join(dir, 'pw')), false, 'not written again');
      assertNoSecret(log.text());
    } finally {
      await files.cleanup();
    }
    assert.equal(existsSync(join(dir, 'server-cert')), false);
  });
});
