// Nothing outlives `done`: a pending restart timer, stop timers and readiness sockets are
// all cleared, so teeinit's process can exit on its own once the run has ended.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchSpec } from '../fixtures/launch-spec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { freePort } from '../helpers/net.js';
import { pollUntil } from '../helpers/poll.js';
import { readLog, supervisorHarness } from './helpers.js';

const { tmp, start } = supervisorHarness();

function count(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

describe('supervisor leaves nothing behind', { timeout: 40_000 }, () => {
  test('stop during a restart backoff clears the timer and ends at once', async () => {
    const log = join(tmp.dir, 'backoff.log');
    const { logger, records } = captureLogger();
    const timers = count('Timeout');
    const sup = start(
      [
        launchSpec({
          name: 'main',
          fixture: 'crash-after',
          args: ['50', '5'],
          extraEnv: { FIXTURE_LOG: log },
          restart: { policy: 'on-failure', backoff: 60_000, maxBackoff: 60_000 },
        }),
      ],
      { logger },
    );
    await sup.started;
    await pollUntil('in backoff', () => records().some((l) => l.message === 'restarting'));
    const t0 = Date.now();
    const outcome = await sup.stop('test');
    assert.ok(Date.now() - t0 < 2000);
    // The first process was not running: its last status is the outcome.
    assert.deepEqual(outcome, { code: 5, process: 'main', reason: 'stopped' });
    assert.equal(readLog(log).filter((l) => l.startsWith('crash-after start')).length, 1);
    assert.equal(count('Timeout'), timers);
  });

  test('after a ready timeout and a SIGKILL stop no timer or socket is left', async () => {
    const port = await freePort();
    const timers = count('Timeout');
    const sockets = count('TCPSocketWrap');
    const sup = start(
      [
        launchSpec({
          name: 'slow',
          fixture: 'ignore-sigterm',
          stopTimeout: 200,
          ready: { timeout: 300, interval: 50, tcp: `127.0.0.1:${port}` },
        }),
      ],
      { logger: captureLogger().logger },
    );
    const outcome = await sup.done;
    assert.equal(outcome.reason, 'ready-timeout');
    assert.equal(count('Timeout'), timers);
    assert.equal(count('TCPSocketWrap'), sockets);
  });
});
