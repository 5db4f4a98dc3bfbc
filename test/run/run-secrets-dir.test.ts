// The secrets directory is never left open to other users: a tmpfs mount is 1777 unless
// mounted with `mode=`, so a pre-created 1777 directory teeinit owns is set to 0700 (0711
// when a file is meant for someone else), and one owned by another user with such a mode
// is refused (TEEINIT_SECRETS_DIR_UNSAFE) before anything is fetched or started.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { ERROR_CODES } from '../../src/errors/index.js';
import { resolveUser } from '../../src/preflight/users.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { FIXTURES, runTeeinit } from '../helpers/teeinit-process.js';
import { useRunWorld } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

const root = process.getuid?.() === 0;
const PROBE_TIMES = 1_000_000;

/** A directory like a fresh tmpfs mount: world-writable with the sticky bit. */
function openDir(path: string): string {
  mkdirSync(path);
  chmodSync(path, 0o1777);
  assert.equal(statSync(path).mode & 0o7777, 0o1777);
  return path;
}

describe('run: the secrets directory', { timeout: 240_000 }, () => {
  const ctx = useRunWorld('teeinit-secretsdir');

  const config = (name: string, dir: string, entries: Record<string, unknown> = {}) => {
    const marker = join(ctx.work, `${name}.started`);
    const c = worldConfig(ctx.world, dir, [
      {
        name: 'app',
        run: [process.execPath, FIXTURES + 'inspect-files.js', marker, '{{ file server-key }}'],
      },
    ]) as Record<string, any>;
    Object.assign(c.files.entries, entries);
    allowNonTmpfs(c, ctx.secrets);
    return { marker, path: writeConfig(ctx.work, c) };
  };

  for (const [name, entries, mode] of [
    ['1777-becomes-0700', {}, 0o700],
    [
      '1777-becomes-0711-when-a-file-is-for-others',
      { ca: { name: 'ca.crt', mode: '0444' } },
      0o711,
    ],
  ] as const) {
    test(name, async () => {
      const dir = openDir(join(ctx.secrets.path, name));
      const c = config(name, dir, entries);
      const t = runTeeinit(['run', '-c', c.path]);
      await t.waitFor(/^READY$/m);
      assert.equal(statSync(dir).mode & 0o7777, mode, t.output());
      assert.match(t.stdout(), /"message":"secrets directory mode set".*"from":"01777"/);
      t.kill('SIGTERM');
      assert.equal(await t.exited(), 0, t.output());
      assert.deepEqual(readdirSync(dir), [], 'every file removed');
    });
  }

  test('a parent every user may write without the sticky bit: refused', async () => {
    const parent = join(ctx.secrets.path, 'open-parent');
    mkdirSync(parent);
    chmodSync(parent, 0o777);
    const dir = join(parent, 'secrets');
    const c = config('open-parent', dir);
    const t = runTeeinit(['run', '-c', c.path]);
    assert.equal(
      await t.exited(30_000),
      ERROR_CODES.TEEINIT_SECRETS_DIR_UNSAFE.exitCode,
      t.output(),
    );
    assert.match(
      t.stderr(),
      new RegExp(
        `^teeinit: TEEINIT_SECRETS_DIR_UNSAFE: files\\.dir ${dir} lies in ${parent}, which every user may write without the sticky bit`,
        'm',
      ),
    );
    assert.ok(!existsSync(c.marker), 'no process may start');
    assert.ok(!existsSync(dir), 'files.dir not created');
  });

  test(
    '1777-owned-by-another-user-refused',
    { skip: root ? false : 'needs root to give a directory to another user' },
    async () => {
      const dir = openDir(join(ctx.secrets.path, 'foreign'));
      const nobody = resolveUser('nobody');
      chownSync(dir, nobody.uid, nobody.gid);
      const c = config('foreign', dir);
      const [probe] = parseFaultRules([
        { id: 'probe-foreign', route: '*', latencyMs: 0, times: PROBE_TIMES },
      ]);
      ctx.world.emulator.faults.add(probe!);
      try {
        const t = runTeeinit(['run', '-c', c.path]);
        const code = await t.exited(30_000);
        assert.equal(code, ERROR_CODES.TEEINIT_SECRETS_DIR_UNSAFE.exitCode, t.output());
        assert.match(
          t.stderr(),
          new RegExp(
            `^teeinit: TEEINIT_SECRETS_DIR_UNSAFE: files\\.dir ${dir} has mode 01777 and belongs to uid ${nobody.uid}`,
            'm',
          ),
        );
        assert.equal(
          statSync(dir).mode & 0o7777,
          0o1777,
          'a directory of another user is not changed',
        );
        const seen = ctx.world.emulator.faults.list().find((r) => r.id === probe!.id);
        assert.equal(seen?.times, PROBE_TIMES, 'nothing fetched');
        assert.ok(!existsSync(c.marker), 'no process may start');
        assert.deepEqual(readdirSync(dir), [], 'no file written');
        assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
      } finally {
        ctx.world.emulator.faults.clear();
      }
    },
  );
});
