import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveExecutable } from './resolve-executable.js';

const dir = mkdtempSync(join(tmpdir(), 'teeinit-resolve-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
chmodSync(join(dir, 'tool'), 0o755);
writeFileSync(join(dir, 'plain'), 'data');
chmodSync(join(dir, 'plain'), 0o644);

describe('resolveExecutable', () => {
  test('finds a command in the given PATH only', { timeout: 5000 }, async () => {
    assert.deepEqual(await resolveExecutable('tool', `/nonexistent:${dir}`, undefined), {
      kind: 'found',
      file: join(dir, 'tool'),
    });
    assert.deepEqual(await resolveExecutable('tool', '/usr/bin', undefined), { kind: 'not-found' });
  });

  test('reports a non-executable match as not-executable', { timeout: 5000 }, async () => {
    assert.equal((await resolveExecutable('plain', dir, undefined)).kind, 'not-executable');
    assert.equal((await resolveExecutable('./plain', undefined, dir)).kind, 'not-executable');
  });

  test('a path with a slash is taken relative to cwd, not PATH', { timeout: 5000 }, async () => {
    assert.deepEqual(await resolveExecutable('./tool', '/usr/bin', dir), {
      kind: 'found',
      file: join(dir, 'tool'),
    });
    assert.equal((await resolveExecutable('', dir, undefined)).kind, 'not-found');
  });
});
