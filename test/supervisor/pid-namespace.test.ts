// PID 1 in a real PID namespace, as in the image: `tini -- node driver` where the driver
// runs the supervisor. Proves signals travel tini → teeinit → child, the child's exit
// status comes back out of tini, and orphans are reaped by tini. The control case runs the
// driver itself as PID 1 and shows the orphan stays a zombie: Node (libuv) only waits for
// the children it spawned, which is why tini is PID 1 and teeinit runs below it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pidNamespaceUnavailable, UNSHARE_PID, UNSHARE_TINI } from '../helpers/pid-namespace.js';
import { pollUntil } from '../helpers/poll.js';
import { childPids } from '../helpers/procfs.js';
import { readLog, readPid, runDriver, stopDrivers } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

const tmp = tempDir('teeinit-sup-');
after(async () => {
  await stopDrivers();
  tmp.remove();
});

const skip = pidNamespaceUnavailable();

/** The host pid of tini: the child of the unshare process. */
async function tiniPid(unsharePid: number): Promise<number> {
  return pollUntil('tini in the namespace', () => childPids(unsharePid)[0]);
}

function subdir(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('supervisor under tini in a PID namespace', { skip, timeout: 90_000 }, () => {
  test('SIGHUP and SIGTERM pass tini → driver → child; the exit code comes back', async () => {
    const dir = subdir('signals');
    const marker = join(dir, 'app.pid');
    const log = join(dir, 'app.log');
    const run = runDriver(
      dir,
      [
        {
          name: 'app',
          fixture: 'trap-sigterm',
          args: [marker, '42'],
          extraEnv: { FIXTURE_LOG: log },
        },
      ],
      UNSHARE_TINI,
    );
    const tini = await tiniPid(run.child.pid!);
    await pollUntil('app ready', () => readPid(marker));
    process.kill(tini, 'SIGHUP');
    await pollUntil('SIGHUP reached the app', () =>
      readLog(log).some((l) => l.startsWith('trap-sigterm SIGHUP')),
    );
    process.kill(tini, 'SIGTERM');
    assert.equal(await run.exited, 42, run.stderr());
    assert.match(run.stdout(), /got SIGHUP\n[^]*got SIGTERM\n/);
  });

  test('a child killed by the forwarded SIGTERM exits 143 through tini', async () => {
    const dir = subdir('sigterm');
    const marker = join(dir, 'app.pid');
    const run = runDriver(dir, [{ name: 'app', fixture: 'forever', args: [marker] }], UNSHARE_TINI);
    const tini = await tiniPid(run.child.pid!);
    await pollUntil('app ready', () => readPid(marker));
    process.kill(tini, 'SIGTERM');
    assert.equal(await run.exited, 143, run.stderr());
  });

  test('a child exit code passes through tini', async () => {
    const dir = subdir('exit');
    const run = runDriver(dir, [{ name: 'app', fixture: 'exit-with', args: ['7'] }], UNSHARE_TINI);
    assert.equal(await run.exited, 7, run.stderr());
  });

  test('an orphan is reaped by tini, not left a zombie', { timeout: 60_000 }, async () => {
    const dir = subdir('orphan');
    const pidFile = join(dir, 'grandchild.pid');
    const run = runDriver(
      dir,
      [
        { name: 'check', fixture: 'check-reaped', args: [pidFile, '1500'] },
        { name: 'orphaner', fixture: 'spawn-orphan', args: [pidFile, '300'] },
      ],
      UNSHARE_TINI,
    );
    assert.equal(await run.exited, 0, run.stdout() + run.stderr());
    assert.match(run.stdout(), /^reaped \d+$/m);
  });

  test('control: with Node as PID 1 the orphan stays a zombie', { timeout: 60_000 }, async () => {
    const dir = subdir('control');
    const pidFile = join(dir, 'grandchild.pid');
    const run = runDriver(
      dir,
      [
        { name: 'check', fixture: 'check-reaped', args: [pidFile, '1000'] },
        { name: 'orphaner', fixture: 'spawn-orphan', args: [pidFile, '300'] },
      ],
      UNSHARE_PID,
    );
    assert.equal(await run.exited, 3, run.stdout() + run.stderr());
    assert.match(run.stdout(), /^zombie \d+$/m);
  });
});
