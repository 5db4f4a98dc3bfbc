// `teeinit shares split --out DIR` takes a directory, not a symbolic link to one: a link
// (to a directory, or dangling) is refused with exit 73 naming it as a link, and nothing is
// written where it points. A DIR that cannot be created is refused at once, even where
// mkdir answers ENOENT under an existing parent (/proc), and missing parents are made 0700.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, stopStrayClis } from './cli-helpers.js';
import { tempDir } from '../helpers/temp.js';

const T = { timeout: 60_000 };

describe('cli: shares split --out', { timeout: 120_000 }, () => {
  const tmp = tempDir('teeinit-shares-out-');
  after(async () => {
    await stopStrayClis();
    tmp.remove();
  });
  const split = (out: string) =>
    runCli(['shares', 'split', '--threshold', '2', '--shares', '3', '--out', out]);

  test('shares-out-symlink: a link to a directory is refused, nothing written', T, async () => {
    const real = join(tmp.dir, 'real');
    mkdirSync(real);
    const link = join(tmp.dir, 'link');
    symlinkSync(real, link);
    const r = await split(link);
    assert.equal(r.code, 73, r.stderr);
    assert.match(
      r.stderr.split('\n')[0] ?? '',
      /TEEINIT_SHARES_OUTPUT: .*"[^"]*link": it is a symbolic link/,
    );
    assert.deepEqual(readdirSync(real), []);
  });

  test(
    'shares-out-proc: a directory mkdir cannot create under /proc fails at once',
    T,
    async () => {
      const r = await split('/proc/teeinit-no-such-dir/shares');
      assert.equal(r.code, 73, r.stderr);
      assert.match(r.stderr.split('\n')[0] ?? '', /TEEINIT_SHARES_OUTPUT: .*ENOENT/);
    },
  );

  test('shares-out-parents: missing parents are created 0700', T, async () => {
    const top = join(tmp.dir, 'a');
    const r = await split(join(top, 'b', 'c'));
    assert.equal(r.code, 0, r.stderr);
    for (const d of [top, join(top, 'b'), join(top, 'b', 'c')]) {
      assert.equal(statSync(d).mode & 0o777, 0o700, d);
    }
    assert.equal(readdirSync(join(top, 'b', 'c')).length, 3);
  });

  test('shares-out-dangling: a dangling link is refused, nothing created', T, async () => {
    const target = join(tmp.dir, 'nowhere');
    const link = join(tmp.dir, 'dangling');
    symlinkSync(target, link);
    const r = await split(link);
    assert.equal(r.code, 73, r.stderr);
    assert.match(r.stderr.split('\n')[0] ?? '', /it is a symbolic link/);
    assert.equal(existsSync(target), false);
  });
});
