// `teeinit run` refuses to start while Node's inspector is open or a signal could open it:
// on a Node that has --disable-sigusr1, without that flag; on any Node, with --inspect.
// Nothing is read, written or started then.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canDisableSigusr1 } from '../../src/preflight/index.js';
import { withDeadline } from '../helpers/poll.js';
import { CLI, FIXTURES } from '../helpers/teeinit-process.js';
import { removeDir, tempDir } from '../helpers/temp.js';
import { localConfig } from './world-config.js';

describe('run: the inspector stays closed', { timeout: 60_000 }, () => {
  let work: string;
  let config: string;
  before(() => {
    work = tempDir('teeinit-inspector-').dir;
    writeFileSync(join(work, 'greeting.txt'), 'local development secret\n');
    config = join(work, 'teeinit.json');
    writeFileSync(
      config,
      JSON.stringify(
        localConfig(work, { dir: join(work, 'secrets'), unsafeAllowNonTmpfs: true }, [
          {
            name: 'app',
            run: [process.execPath, FIXTURES + 'trap-sigterm.js', join(work, 'app.pid')],
          },
        ]),
      ),
    );
  });
  after(() => removeDir(work));

  /** Runs `node <nodeFlags> main.js run -c config` with a clean environment. */
  async function run(nodeFlags: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [...nodeFlags, CLI, 'run', '-c', config], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await withDeadline(
      new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c))),
      45_000,
      'teeinit to exit',
    ).finally(() => child.kill('SIGKILL'));
    return { code, stderr };
  }

  const assertRefused = (r: { code: number | null; stderr: string }, reason: RegExp): void => {
    assert.equal(r.code, 78, r.stderr);
    assert.match(r.stderr, /^teeinit: TEEINIT_INSPECTOR_REACHABLE: /m);
    assert.match(r.stderr, reason);
    assert.ok(!existsSync(join(work, 'secrets')), 'no secret file written');
    assert.ok(!existsSync(join(work, 'app.pid')), 'no process started');
  };

  test(
    'without --disable-sigusr1 on a Node that has it',
    { skip: canDisableSigusr1() ? false : `Node ${process.version} has no --disable-sigusr1` },
    async () => {
      assertRefused(await run([]), /started without --disable-sigusr1/);
    },
  );

  test('with the inspector open (--inspect)', async () => {
    const flags = canDisableSigusr1() ? ['--disable-sigusr1'] : [];
    assertRefused(await run([...flags, '--inspect=127.0.0.1:0']), /inspector is open/);
  });
});
