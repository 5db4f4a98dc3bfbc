// Restart policies: on-failure restarts a crashing process with exponential backoff and
// gives up after maxRestarts within the window (TEEINIT_RESTART_LIMIT, last exit code);
// always restarts even a clean exit; never ends the run on the first exit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchSpec } from '../fixtures/launch-spec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { pollUntil } from '../helpers/poll.js';
import { readLog, supervisorHarness } from './helpers.js';

const { tmp, start } = supervisorHarness();

describe('supervisor restarts', { timeout: 90_000 }, () => {
  test('on-failure: a crash loop gives up after maxRestarts with backoff', async () => {
    const log = join(tmp.dir, 'crash.log');
    const { logger, records } = captureLogger();
    const t0 = Date.now();
    const sup = start(
      [
        launchSpec({ name: 'main', fixture: 'forever' }),
        launchSpec({
          name: 'crashy',
          fixture: 'crash-after',
          args: ['100', '4'],
          extraEnv: { FIXTURE_LOG: log },
          restart: {
            policy: 'on-failure',
            backoff: 100,
            maxBackoff: 250,
            maxRestarts: 3,
            window: 60_000,
          },
        }),
      ],
      { logger },
    );
    const outcome = await sup.done;
    const elapsed = Date.now() - t0;
    assert.equal(outcome.reason, 'restart-limit');
    assert.equal(outcome.code, 4);
    assert.equal(outcome.process, 'crashy');
    assert.equal(outcome.error?.code, 'TEEINIT_RESTART_LIMIT');
    assert.equal(readLog(log).filter((l) => l.startsWith('crash-after start')).length, 4);
    const restarts = records().filter((l) => l.message === 'restarting');
    assert.deepEqual(
      restarts.map((l) => [l.attempt, l.delayMs]),
      [
        [1, 100],
        [2, 200],
        [3, 250],
      ],
    );
    // Four runs of 100 ms plus 550 ms of backoff.
    assert.ok(elapsed >= 950, `gave up after ${elapsed} ms`);
    assert.ok(records().some((l) => l.code === 'TEEINIT_RESTART_LIMIT' && l.severity === 'ERROR'));
  });

  test('on-failure: a clean exit is not restarted and ends the run with 0', async () => {
    const sup = start(
      [
        launchSpec({ name: 'main', fixture: 'forever' }),
        launchSpec({
          name: 'once',
          fixture: 'crash-after',
          args: ['100', '0'],
          restart: { policy: 'on-failure' },
        }),
      ],
      { logger: captureLogger().logger },
    );
    assert.deepEqual(await sup.done, { code: 0, process: 'once', reason: 'exit' });
  });

  test('always: a clean exit is restarted', async () => {
    const log = join(tmp.dir, 'always.log');
    const sup = start(
      [
        launchSpec({
          name: 'main',
          fixture: 'crash-after',
          args: ['100', '0'],
          extraEnv: { FIXTURE_LOG: log },
          restart: { policy: 'always', backoff: 20, maxBackoff: 40, maxRestarts: 100 },
        }),
      ],
      { logger: captureLogger().logger },
    );
    await sup.started;
    await pollUntil(
      'three runs',
      () => readLog(log).filter((l) => l.startsWith('crash-after start')).length >= 3,
    );
    const outcome = await sup.stop('test');
    assert.equal(outcome.reason, 'stopped');
    // Stopped while running (143) or between runs (its last clean exit, 0).
    assert.ok(outcome.code === 143 || outcome.code === 0, `code ${outcome.code}`);
  });

  test('the sliding window forgets old restarts', async () => {
    const log = join(tmp.dir, 'window.log');
    const sup = start(
      [
        launchSpec({
          name: 'main',
          fixture: 'crash-after',
          args: ['150', '2'],
          extraEnv: { FIXTURE_LOG: log },
          // At most one restart per 100 ms, but each run lasts 150 ms: never gives up.
          restart: {
            policy: 'on-failure',
            backoff: 10,
            maxBackoff: 10,
            maxRestarts: 1,
            window: 100,
          },
        }),
      ],
      { logger: captureLogger().logger },
    );
    await pollUntil(
      'four runs',
      () => readLog(log).filter((l) => l.startsWith('crash-after start')).length >= 4,
    );
    const outcome = await sup.stop('test');
    assert.equal(outcome.reason, 'stopped');
  });
});
