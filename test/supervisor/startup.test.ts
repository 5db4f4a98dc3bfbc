// Start-up cancellation: an abort (SIGTERM during start-up) starts nothing further, stops
// what runs, rejects `started` with TEEINIT_STARTUP_CANCELLED and ends with 'cancelled'.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchSpec } from '../fixtures/launch-spec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { pollUntil } from '../helpers/poll.js';
import { pidExists } from '../helpers/procfs.js';
import { readLog, readPid, supervisorHarness } from './helpers.js';

const { tmp, start } = supervisorHarness();

describe('supervisor start-up cancellation', { timeout: 100_000 }, () => {
  test('an abort while waiting for readiness stops everything', async () => {
    const marker = join(tmp.dir, 'first.pid');
    const log = join(tmp.dir, 'cancel.log');
    const controller = new AbortController();
    const sup = start(
      [
        launchSpec({
          name: 'first',
          fixture: 'forever',
          args: [marker],
          ready: { timeout: 60_000, interval: 50, file: join(tmp.dir, 'never') },
        }),
        launchSpec({ name: 'second', fixture: 'forever', extraEnv: { FIXTURE_LOG: log } }),
      ],
      { logger: captureLogger().logger, signal: controller.signal },
    );
    const pid = await pollUntil('first running', () => readPid(marker));
    const t0 = Date.now();
    controller.abort();
    await assert.rejects(sup.started, { code: 'TEEINIT_STARTUP_CANCELLED' });
    const outcome = await sup.done;
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(outcome.reason, 'cancelled');
    assert.equal(outcome.code, 143);
    assert.equal(outcome.error?.code, 'TEEINIT_STARTUP_CANCELLED');
    assert.equal(pidExists(pid), false);
    assert.deepEqual(readLog(log), []);
  });

  test('an already aborted signal starts nothing', async () => {
    const log = join(tmp.dir, 'pre.log');
    const { logger, records } = captureLogger();
    const sup = start(
      [launchSpec({ name: 'app', fixture: 'forever', extraEnv: { FIXTURE_LOG: log } })],
      {
        logger,
        signal: AbortSignal.abort(),
      },
    );
    await assert.rejects(sup.started, { code: 'TEEINIT_STARTUP_CANCELLED' });
    assert.equal((await sup.done).reason, 'cancelled');
    assert.equal(
      records().some((l) => l.message === 'starting'),
      false,
    );
    assert.deepEqual(readLog(log), []);
  });

  test('stop (SIGTERM) during start-up cancels it', async () => {
    const marker = join(tmp.dir, 'fwd.pid');
    const sup = start(
      [
        launchSpec({
          name: 'first',
          fixture: 'trap-sigterm',
          args: [marker],
          ready: { timeout: 60_000, interval: 50, file: join(tmp.dir, 'never') },
        }),
      ],
      { logger: captureLogger().logger },
    );
    await pollUntil('first running', () => readPid(marker));
    void sup.stop('received SIGTERM');
    await assert.rejects(sup.started, { code: 'TEEINIT_STARTUP_CANCELLED' });
    assert.equal((await sup.done).reason, 'cancelled');
  });

  test('an abort after start-up changes nothing', async () => {
    const controller = new AbortController();
    const sup = start([launchSpec({ name: 'app', fixture: 'forever' })], {
      logger: captureLogger().logger,
      signal: controller.signal,
    });
    await sup.started;
    controller.abort();
    let settled = false;
    void sup.done.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    assert.equal((await sup.stop('test')).reason, 'stopped');
  });

  test('beforeStart runs before each process, in order', async () => {
    const calls: string[] = [];
    const sup = start(
      [
        launchSpec({ name: 'a', fixture: 'forever' }),
        launchSpec({ name: 'b', fixture: 'forever' }),
      ],
      {
        logger: captureLogger().logger,
        hooks: { beforeStart: async (name) => void calls.push(name) },
      },
    );
    await sup.started;
    assert.deepEqual(calls, ['a', 'b']);
    await sup.stop('test');
  });
});
