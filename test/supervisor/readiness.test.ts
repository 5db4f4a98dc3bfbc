// Ordered start: each process with `ready` must pass its check (tcp, file or command)
// before the next one starts; a check that never passes is TEEINIT_READY_TIMEOUT.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchSpec } from '../fixtures/launch-spec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { pidExists } from '../helpers/procfs.js';
import { readLog, readPid, supervisorHarness } from './helpers.js';

const { tmp, start } = supervisorHarness();

const ready = { timeout: 30_000, interval: 50 };

describe('supervisor readiness', { timeout: 90_000 }, () => {
  test('processes start in order, each after the previous one is ready', async () => {
    const port = await freePort();
    const log = join(tmp.dir, 'order.log');
    const file = join(tmp.dir, 'forever.pid');
    const flag = join(tmp.dir, 'flag');
    const env = { FIXTURE_LOG: log };
    const { logger, records } = captureLogger();
    const sup = start(
      [
        // Listens only after 300 ms: the next process must wait for the TCP check.
        launchSpec({
          name: 'db',
          fixture: 'listen',
          args: [String(port), '300'],
          extraEnv: env,
          ready: { ...ready, tcp: `127.0.0.1:${port}` },
        }),
        launchSpec({
          name: 'app',
          fixture: 'forever',
          args: [file],
          extraEnv: env,
          ready: { ...ready, file },
        }),
        launchSpec({
          name: 'late',
          fixture: 'crash-after',
          args: ['100000'],
          extraEnv: env,
          ready: {
            ...ready,
            command: [
              process.execPath,
              '-e',
              'process.exit(require("fs").existsSync(process.argv[1]) ? 0 : 1)',
              flag,
            ],
          },
        }),
        launchSpec({ name: 'last', fixture: 'forever', extraEnv: env }),
      ],
      { logger },
    );
    // The command check passes only once the test creates the flag file.
    await pollUntil('late started', () =>
      readLog(log).some((l) => l.startsWith('crash-after start')),
    );
    assert.equal(
      records().some((l) => l.message === 'starting' && l.process === 'last'),
      false,
      'last started before late was ready',
    );
    writeFileSync(flag, '');
    await sup.started;
    await pollUntil(
      'last started',
      () => readLog(log).filter((l) => l.startsWith('forever start')).length === 2,
    );
    // The supervisor's own log is the order it acted in.
    const messages = records()
      .filter((l) => l.message === 'starting' || l.message === 'ready')
      .map((l) => `${String(l.message)} ${String(l.process)}`);
    assert.deepEqual(messages, [
      'starting db',
      'ready db',
      'starting app',
      'ready app',
      'starting late',
      'ready late',
      'starting last',
    ]);
    // db listens 300 ms after it boots: the TCP check really waited for it.
    const dbReady = records().find((l) => l.message === 'ready' && l.process === 'db');
    assert.ok(Number(dbReady?.ms) >= 300, `db ready after ${String(dbReady?.ms)} ms`);
    const events = readLog(log).map((l) => l.split(' ').slice(0, 2).join(' '));
    assert.ok(events.includes('listen listening'));
    assert.ok(existsSync(file));
    await sup.stop('test');
  });

  test('a check that never passes is TEEINIT_READY_TIMEOUT and the process is stopped', async () => {
    const port = await freePort();
    const marker = join(tmp.dir, 'slow.pid');
    const log = join(tmp.dir, 'timeout.log');
    const sup = start(
      [
        launchSpec({
          name: 'slow',
          fixture: 'forever',
          args: [marker],
          ready: { timeout: 500, interval: 50, tcp: `127.0.0.1:${port}` },
        }),
        launchSpec({ name: 'never', fixture: 'forever', extraEnv: { FIXTURE_LOG: log } }),
      ],
      { logger: captureLogger().logger },
    );
    const t0 = Date.now();
    await assert.rejects(sup.started, { code: 'TEEINIT_READY_TIMEOUT' });
    const outcome = await sup.done;
    assert.ok(Date.now() - t0 >= 500);
    assert.equal(outcome.reason, 'ready-timeout');
    assert.equal(outcome.code, 75);
    assert.equal(outcome.process, 'slow');
    assert.match(outcome.error?.message ?? '', /"slow".*tcp 127\.0\.0\.1/);
    const pid = readPid(marker);
    if (pid !== undefined) assert.equal(pidExists(pid), false);
    assert.deepEqual(readLog(log), []);
  });

  test('a process exiting during start-up ends start-up with its code', async () => {
    const log = join(tmp.dir, 'early.log');
    const sup = start(
      [
        launchSpec({
          name: 'early',
          fixture: 'crash-after',
          args: ['50', '9'],
          restart: { policy: 'always' },
          ready: { timeout: 10_000, interval: 50, file: join(tmp.dir, 'never') },
        }),
        launchSpec({ name: 'next', fixture: 'forever', extraEnv: { FIXTURE_LOG: log } }),
      ],
      { logger: captureLogger().logger },
    );
    await assert.rejects(sup.started, { code: 'TEEINIT_STARTUP_EXITED' });
    const outcome = await sup.done;
    assert.equal(outcome.code, 9);
    assert.equal(outcome.process, 'early');
    assert.equal(outcome.reason, 'exit');
    assert.deepEqual(readLog(log), []);
  });

  test('a hanging command check is killed when its process exits', async () => {
    const hang = [process.execPath, '-e', 'setTimeout(() => {}, 60000)'];
    const sup = start(
      [
        launchSpec({
          name: 'brief',
          fixture: 'crash-after',
          args: ['300', '6'],
          ready: { timeout: 60_000, interval: 50, command: hang },
        }),
      ],
      { logger: captureLogger().logger },
    );
    const t0 = Date.now();
    await assert.rejects(sup.started, { code: 'TEEINIT_STARTUP_EXITED' });
    assert.equal((await sup.done).code, 6);
    assert.ok(Date.now() - t0 < 10_000, 'start-up waited for the hanging check');
  });
});
