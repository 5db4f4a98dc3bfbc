// A files.dir that mkdir cannot create fails the start-up at once with
// TEEINIT_MATERIALIZE_FAILED (exit 73), even under /proc, where mkdir answers ENOENT below a
// parent that exists (Node's recursive mkdir would retry there for ever, and no signal could
// end the start-up). Reaching /proc takes files.unsafeAllowNonTmpfs.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, stopStrayClis } from '../cli/cli-helpers.js';
import { tempDir } from '../helpers/temp.js';

describe('run: files.dir that cannot be made', { timeout: 120_000 }, () => {
  const tmp = tempDir('teeinit-dir-proc-');
  after(async () => {
    await stopStrayClis();
    tmp.remove();
  });

  test(
    'files-dir-proc: fails with TEEINIT_MATERIALIZE_FAILED, exit 73',
    { timeout: 45_000 },
    async () => {
      tmp.write('s.txt', 'not-a-secret-value\n');
      const config = tmp.write(
        'teeinit.yaml',
        [
          'version: 1',
          'collaborators:',
          '  local: { credentials: none }',
          'secrets:',
          '  s: { from: local, source: file, path: s.txt }',
          'files:',
          '  dir: /proc/teeinit-no-such-dir/secrets',
          '  unsafeAllowNonTmpfs: true',
          'processes:',
          '  - name: app',
          '    run: [/bin/cat, "{{ file s }}"]',
        ].join('\n') + '\n',
      );
      const r = await runCli(['run', '-c', config]);
      assert.equal(r.code, 73, r.stderr);
      const line = r.stderr.split('\n').find((l) => l.startsWith('teeinit: '));
      assert.match(
        line ?? '',
        /^teeinit: TEEINIT_MATERIALIZE_FAILED: Cannot create files.dir \/proc\/teeinit-no-such-dir\/secrets/,
      );
    },
  );
});
