// What the user sees of a child: output passes through byte for byte, or `[name] `-prefixed
// line by line; with uid/gid given the child runs as that user (root only).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readableDir } from '../helpers/other-user.js';
import { readOutcome, runDriver, stopDrivers } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

const tmp = tempDir('teeinit-sup-');
after(async () => {
  await stopDrivers();
  tmp.remove();
});

describe('supervisor output and user', { timeout: 100_000 }, () => {
  test('output passes through unchanged by default', async () => {
    const run = runDriver(tmp.dir, [{ name: 'talk', fixture: 'print-lines' }]);
    assert.equal(await run.exited, 0);
    assert.equal(run.stdout(), 'one\ntwo\nthree');
    assert.match(run.stderr(), /^err1$/m);
  });

  test('prefixOutput prefixes every line, stdout and stderr', async () => {
    const run = runDriver(tmp.dir, [{ name: 'talk', fixture: 'print-lines', prefixOutput: true }]);
    assert.equal(await run.exited, 0);
    assert.equal(run.stdout(), '[talk] one\n[talk] two\n[talk] three\n');
    assert.match(run.stderr(), /^\[talk\] err1$/m);
    assert.deepEqual(readOutcome(tmp.dir), { code: 0, process: 'talk', reason: 'exit' });
  });

  const root = process.getuid?.() === 0;
  test(
    'uid/gid run the child as that user',
    { timeout: 60_000, skip: root ? false : 'needs root to change user' },
    async () => {
      // The checkout may lie where 65534 cannot go (a 0700 home): the child gets copies.
      const readable = await readableDir('teeinit-ids-', { uid: 65534, gid: 65534 });
      try {
        const argv = [await readable.node(), readable.fixture('print-ids')];
        const run = runDriver(tmp.dir, [{ name: 'ids', argv, uid: 65534, gid: 65534, cwd: '/' }]);
        assert.equal(await run.exited, 0, run.stderr());
        // Node's uid/gid options drop supplementary groups: only the primary group is left.
        assert.match(run.stdout(), /^uid=65534 gid=65534 groups=(65534)?$/m);
      } finally {
        readable.remove();
      }
    },
  );
});
