// What a secret refresh asks of the supervisor: signal one process (others untouched), and
// replace one process with a new spec (its exit ends nothing, the run goes on; the
// replacement does not count against maxRestarts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchSpec } from '../fixtures/launch-spec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { pollUntil } from '../helpers/poll.js';
import { pidExists } from '../helpers/procfs.js';
import { readLog, readPid, supervisorHarness } from './helpers.js';

const { tmp, start } = supervisorHarness();

describe('supervisor: refresh actions', { timeout: 60_000 }, () => {
  test('signal() reaches one process only', async () => {
    const [a, b, log] = ['a.pid', 'b.pid', 'ab.log'].map((f) => join(tmp.dir, f)) as [
      string,
      string,
      string,
    ];
    const sup = start(
      [
        launchSpec({
          name: 'a',
          fixture: 'trap-sigterm',
          args: [a],
          extraEnv: { FIXTURE_LOG: log },
        }),
        launchSpec({
          name: 'b',
          fixture: 'trap-sigterm',
          args: [b],
          extraEnv: { FIXTURE_LOG: log },
        }),
      ],
      { logger: captureLogger().logger },
    );
    await sup.started;
    const pidA = await pollUntil('a marker', () => readPid(a));
    await pollUntil('b marker', () => readPid(b));
    assert.equal(sup.signal('a', 'SIGHUP'), true);
    assert.equal(sup.signal('nope', 'SIGHUP'), false);
    await pollUntil('a got SIGHUP', () => readLog(log).includes(`trap-sigterm SIGHUP ${pidA}`));
    assert.equal(readLog(log).filter((l) => l.includes('SIGHUP')).length, 1);
    void sup.stop('test');
    await sup.done;
  });

  test('replace() restarts one process with a new spec; the run goes on', async () => {
    const [first, second] = ['first.pid', 'second.pid'].map((f) => join(tmp.dir, f)) as [
      string,
      string,
    ];
    const spec = (marker: string): ReturnType<typeof launchSpec> =>
      launchSpec({
        name: 'app',
        fixture: 'trap-sigterm',
        args: [marker],
        restart: { maxRestarts: 0 },
      });
    const sup = start([spec(first), launchSpec({ name: 'side', fixture: 'forever' })], {
      logger: captureLogger().logger,
    });
    await sup.started;
    const pid1 = await pollUntil('first marker', () => readPid(first));
    assert.equal(await sup.replace('app', spec(second)), true);
    const pid2 = await pollUntil('second marker', () => readPid(second));
    assert.notEqual(pid2, pid1);
    assert.equal(pidExists(pid1), false);
    assert.equal(await sup.replace('app', spec(first)), true, 'again: not a restart-limit');
    await pollUntil('back to the first marker', () => readPid(first) !== pid1 && readPid(first));
    void sup.stop('test');
    assert.equal((await sup.done).reason, 'stopped');
    assert.equal(await sup.replace('app', spec(second)), false, 'not once stopped');
  });

  test('retire() stops one process for good; the run goes on without it', async () => {
    const marker = join(tmp.dir, 'retired.pid');
    const { logger, records } = captureLogger();
    const sup = start(
      [
        launchSpec({ name: 'main', fixture: 'forever' }),
        launchSpec({
          name: 'retired',
          fixture: 'trap-sigterm',
          args: [marker],
          restart: { policy: 'always' },
        }),
      ],
      { logger },
    );
    await sup.started;
    const pid = await pollUntil('marker', () => readPid(marker));
    assert.equal(await sup.retire('retired'), true);
    assert.equal(pidExists(pid), false);
    assert.equal(await sup.retire('nope'), false);
    const status = sup.status();
    assert.equal(status.phase, 'running', 'the run goes on');
    const retired = status.processes.find((p) => p.name === 'retired');
    assert.equal(retired?.pid, undefined, 'not running');
    assert.equal(retired?.lastExitCode, 0);
    assert.equal(sup.signal('retired', 'SIGHUP'), false);
    // Its policy (always) does not start it again.
    assert.equal(records().filter((l) => l.message === 'restarting').length, 0);
    assert.equal(records().filter((l) => l.message === 'started').length, 2);
    assert.deepEqual(await sup.stop('test'), {
      code: 143,
      process: 'main',
      reason: 'stopped',
      signal: 'SIGTERM',
    });
  });
});
