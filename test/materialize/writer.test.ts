// The atomic secret writer on a real tmpfs (/dev/shm when it is one): mode and owner on
// every write, no partial file ever visible, no temp file left behind, no escape from dir.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TEMP_PREFIX, writeSecretFile } from '../../src/materialize/index.js';
import { TMPFS_MAGIC } from '../../src/preflight/tmpfs.js';
import { TeeinitError } from '../../src/errors/index.js';

const isRoot = process.getuid?.() === 0;
let dir: string;

before(async () => {
  const shm = await statfs('/dev/shm').catch(() => undefined);
  const base = shm?.type === TMPFS_MAGIC ? '/dev/shm' : tmpdir();
  dir = await mkdtemp(join(base, 'teeinit-writer-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('writeSecretFile', () => {
  test(
    'sets the mode on every write, even after it was widened behind its back',
    { timeout: 10000 },
    async () => {
      const path = await writeSecretFile(dir, 'server.key', Buffer.from('first'), 0o600);
      assert.equal(path, join(dir, 'server.key'));
      assert.equal(await mode(path), 0o600);
      await chmod(path, 0o666);
      await writeSecretFile(dir, 'server.key', Buffer.from('second'), 0o600);
      assert.equal(await mode(path), 0o600);
      assert.equal(await readFile(path, 'utf8'), 'second');
      await writeSecretFile(dir, 'server.key', Buffer.from('third'), 0o440);
      assert.equal(await mode(path), 0o440, 'a narrower or different mode is applied too');
    },
  );

  test(
    'sets the owner on every write',
    { timeout: 10000, skip: !isRoot && 'needs root for chown' },
    async () => {
      const path = await writeSecretFile(dir, 'owned', Buffer.from('x'), 0o400, 4321, 4322);
      let s = await stat(path);
      assert.deepEqual([s.uid, s.gid], [4321, 4322]);
      await writeSecretFile(dir, 'owned', Buffer.from('y'), 0o400, 0, 0);
      s = await stat(path);
      assert.deepEqual([s.uid, s.gid], [0, 0]);
    },
  );

  test(
    'a concurrent reader sees the old or the new content, never a partial file',
    { timeout: 30000 },
    async () => {
      const v1 = randomBytes(4 << 20);
      const v2 = randomBytes(4 << 20);
      const path = await writeSecretFile(dir, 'big', v1, 0o600);
      let reads = 0;
      let done = false;
      const reader = (async () => {
        while (!done) {
          const seen = await readFile(path);
          assert.ok(
            seen.equals(v1) || seen.equals(v2),
            `read ${reads}: partial content (${seen.length} bytes)`,
          );
          reads += 1;
        }
      })();
      for (let i = 0; i < 6; i += 1) await writeSecretFile(dir, 'big', i % 2 ? v1 : v2, 0o600);
      done = true;
      await reader;
      assert.ok(reads > 0);
      const names = await readdir(dir);
      assert.ok(
        !names.some((n) => n.startsWith(TEMP_PREFIX)),
        `temp files left: ${names.join(',')}`,
      );
    },
  );

  test('a failed rename leaves no temp file and names the file', { timeout: 10000 }, async () => {
    await mkdir(join(dir, 'victim', 'inner'), { recursive: true });
    await assert.rejects(
      writeSecretFile(dir, 'victim', Buffer.from('secret-bytes-here'), 0o600),
      (e: unknown) =>
        e instanceof TeeinitError &&
        e.code === 'TEEINIT_MATERIALIZE_FAILED' &&
        e.message.includes('victim') &&
        !e.message.includes('secret-bytes-here'),
    );
    const names = await readdir(dir);
    assert.ok(!names.some((n) => n.startsWith(TEMP_PREFIX)), `temp files left: ${names.join(',')}`);
  });

  for (const name of ['../escape', 'a/b', '..', '.', '', `${TEMP_PREFIX}x`]) {
    test(`rejects the file name ${JSON.stringify(name)}`, { timeout: 5000 }, async () => {
      await assert.rejects(
        writeSecretFile(dir, name, Buffer.from('x'), 0o600),
        (e: unknown) => e instanceof TeeinitError && e.code === 'TEEINIT_CONFIG_INVALID',
      );
    });
  }

  test('rejects modes outside 0000-0777', { timeout: 5000 }, async () => {
    await assert.rejects(
      writeSecretFile(dir, 'setuid', Buffer.from('x'), 0o4755),
      (e: unknown) => e instanceof TeeinitError && e.code === 'TEEINIT_CONFIG_INVALID',
    );
  });
});
