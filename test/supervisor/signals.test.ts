// Signals, tini-style: stop() (what SIGTERM/SIGINT do, src/run/signal-table.ts) stops every
// child with its stopSignal and teeinit ends with the first process's status (0 if it
// exited cleanly, 143 if SIGTERM killed it); a child that ignores SIGTERM is SIGKILLed
// after stopTimeout; forward() passes SIGHUP and the like through.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchSpec } from '../fixtures/launch-spec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { pollUntil } from '../helpers/poll.js';
import { pidExists } from '../helpers/procfs.js';
import { readLog, readPid, supervisorHarness } from './helpers.js';

const { tmp, start } = supervisorHarness();

describe('supervisor signals', { timeout: 160_000 }, () => {
  test('stop (SIGTERM) reaches each child as its stopSignal and the first process exit code is used', async () => {
    const marker = join(tmp.dir, 'trap.pid');
    const log = join(tmp.dir, 'trap.log');
    const sup = start(
      [
        launchSpec({
          name: 'app',
          fixture: 'trap-sigterm',
          args: [marker, '0'],
          extraEnv: { FIXTURE_LOG: log },
        }),
        launchSpec({ name: 'side', fixture: 'forever' }),
      ],
      { logger: captureLogger().logger },
    );
    await sup.started;
    const pid = await pollUntil('trap marker', () => readPid(marker));
    void sup.stop('received SIGTERM');
    const outcome = await sup.done;
    assert.deepEqual(outcome, { code: 0, process: 'app', reason: 'stopped' });
    assert.ok(readLog(log).some((l) => l.startsWith('trap-sigterm SIGTERM')));
    assert.equal(pidExists(pid), false);
  });

  test('a first process killed by SIGTERM makes the outcome 143', async () => {
    const sup = start([launchSpec({ name: 'app', fixture: 'forever' })], {
      logger: captureLogger().logger,
    });
    await sup.started;
    void sup.stop('received SIGINT');
    assert.deepEqual(await sup.done, {
      code: 143,
      process: 'app',
      reason: 'stopped',
      signal: 'SIGTERM',
    });
  });

  test('the trapped exit code of the first process passes through', async () => {
    const marker = join(tmp.dir, 'trap42.pid');
    const sup = start(
      [launchSpec({ name: 'app', fixture: 'trap-sigterm', args: [marker, '42'] })],
      {
        logger: captureLogger().logger,
      },
    );
    await pollUntil('trap marker', () => readPid(marker));
    assert.equal((await sup.stop('test')).code, 42);
  });

  test('stop() with an exit code overrides the child status', async () => {
    const sup = start([launchSpec({ name: 'app', fixture: 'forever' })], {
      logger: captureLogger().logger,
    });
    await sup.started;
    const outcome = await sup.stop('fatal error elsewhere', 70);
    assert.equal(outcome.code, 70);
    assert.equal(outcome.reason, 'stopped');
  });

  test('a child ignoring SIGTERM is killed after stopTimeout', async () => {
    const marker = join(tmp.dir, 'ignore.pid');
    const { logger, records } = captureLogger();
    const sup = start(
      [
        launchSpec({
          name: 'stubborn',
          fixture: 'ignore-sigterm',
          args: [marker],
          stopTimeout: 400,
        }),
      ],
      { logger },
    );
    const pid = await pollUntil('ignore marker', () => readPid(marker));
    const t0 = Date.now();
    const outcome = await sup.stop('test');
    const elapsed = Date.now() - t0;
    assert.equal(outcome.code, 137);
    assert.equal(outcome.signal, 'SIGKILL');
    assert.ok(elapsed >= 400, `stopped after ${elapsed} ms, before the 400 ms stop timeout`);
    assert.ok(elapsed < 3000, `stopped after ${elapsed} ms`);
    assert.equal(pidExists(pid), false);
    assert.ok(records().some((l) => l.message === 'stop timeout passed, killing'));
  });

  test('the stopSignal of each process is used', async () => {
    const marker = join(tmp.dir, 'quit.pid');
    const log = join(tmp.dir, 'quit.log');
    const sup = start(
      [
        launchSpec({
          name: 'app',
          fixture: 'trap-sigterm',
          args: [marker],
          stopSignal: 'SIGQUIT',
          stopTimeout: 300,
          extraEnv: { FIXTURE_LOG: log },
        }),
      ],
      { logger: captureLogger().logger },
    );
    await pollUntil('marker', () => readPid(marker));
    const outcome = await sup.stop('test');
    // trap-sigterm only notes SIGQUIT, so the stop timeout's SIGKILL ends it.
    assert.ok(readLog(log).some((l) => l.startsWith('trap-sigterm SIGQUIT')));
    assert.equal(outcome.code, 137);
  });

  test('SIGHUP, SIGUSR2 and SIGQUIT are forwarded without stopping', async () => {
    const marker = join(tmp.dir, 'hup.pid');
    const log = join(tmp.dir, 'hup.log');
    const sup = start(
      [
        launchSpec({
          name: 'app',
          fixture: 'trap-sigterm',
          args: [marker],
          extraEnv: { FIXTURE_LOG: log },
        }),
      ],
      { logger: captureLogger().logger },
    );
    const pid = await pollUntil('marker', () => readPid(marker));
    for (const signal of ['SIGHUP', 'SIGUSR2', 'SIGQUIT'] as const) {
      sup.forward(signal);
      await pollUntil(`${signal} noted`, () =>
        readLog(log).some((l) => l.startsWith(`trap-sigterm ${signal}`)),
      );
    }
    assert.equal(pidExists(pid), true);
    let settled = false;
    void sup.done.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    assert.equal((await sup.stop('test')).code, 0);
  });

  test('stop() is idempotent and done resolves once', async () => {
    const sup = start([launchSpec({ name: 'app', fixture: 'forever' })], {
      logger: captureLogger().logger,
    });
    await sup.started;
    const [a, b] = await Promise.all([sup.stop('one'), sup.stop('two', 5)]);
    assert.equal(a, b);
    assert.equal(a, await sup.done);
  });
});
