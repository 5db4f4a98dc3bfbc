// The exit status users see: a child's code passes through, a signal death is 128+n, a
// missing binary is 127 and a non-executable one 126, with the process and argv[0] named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchSpec } from '../fixtures/launch-spec.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { pollUntil } from '../helpers/poll.js';
import { readLog, readPid, supervisorHarness } from './helpers.js';

const { tmp, start } = supervisorHarness();

describe('supervisor exit codes', { timeout: 160_000 }, () => {
  test('a child exit code passes through, named and logged', async () => {
    const { logger, records } = captureLogger();
    const sup = start(
      [
        launchSpec({ name: 'main', fixture: 'forever' }),
        launchSpec({ name: 'quits', fixture: 'crash-after', args: ['200', '3'] }),
      ],
      { logger },
    );
    const outcome = await sup.done;
    assert.deepEqual(outcome, { code: 3, process: 'quits', reason: 'exit' });
    const exited = records()
      .filter((l) => l.message === 'exited')
      .map((l) => [l.process, l.code, l.signal]);
    assert.deepEqual(exited.sort(), [
      ['main', null, 'SIGTERM'],
      ['quits', 3, null],
    ]);
  });

  for (const [signal, status] of [
    ['SIGKILL', 137],
    ['SIGTERM', 143],
    ['SIGUSR2', 140],
  ] as const) {
    test(`a death by ${signal} is ${status}`, async () => {
      const marker = join(tmp.dir, `pid-${signal}`);
      const sup = start([launchSpec({ name: 'victim', fixture: 'forever', args: [marker] })], {
        logger: captureLogger().logger,
      });
      await sup.started;
      const pid = await pollUntil('pid marker', () => readPid(marker));
      process.kill(pid, signal);
      const outcome = await sup.done;
      assert.deepEqual(outcome, { code: status, process: 'victim', reason: 'signal', signal });
    });
  }

  test('a missing binary is TEEINIT_SPAWN_NOT_FOUND, exit 127', async () => {
    const { logger, text } = captureLogger();
    const sup = start(
      [
        launchSpec({
          name: 'ghost',
          argv: ['no-such-binary-teeinit', '--secret-arg=s3cr3t-value'],
        }),
      ],
      { logger },
    );
    await assert.rejects(sup.started, (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TEEINIT_SPAWN_NOT_FOUND');
      assert.match(error.message, /"ghost"/);
      assert.match(error.message, /"no-such-binary-teeinit"/);
      return true;
    });
    const outcome = await sup.done;
    assert.equal(outcome.code, 127);
    assert.equal(outcome.reason, 'spawn-failed');
    assert.equal(outcome.process, 'ghost');
    assert.equal(outcome.error?.code, 'TEEINIT_SPAWN_NOT_FOUND');
    // Only argv[0] is ever logged: later arguments may hold template output.
    assert.doesNotMatch(text(), /s3cr3t-value/);
  });

  test('a process after a failed spawn is never started', async () => {
    const log = join(tmp.dir, 'after-fail.log');
    const sup = start(
      [
        launchSpec({ name: 'ghost', argv: [join(tmp.dir, 'missing')] }),
        launchSpec({ name: 'next', fixture: 'forever', extraEnv: { FIXTURE_LOG: log } }),
      ],
      { logger: captureLogger().logger },
    );
    const outcome = await sup.done;
    assert.equal(outcome.code, 127);
    await assert.rejects(sup.started);
    assert.deepEqual(readLog(log), []);
  });

  test('a non-executable file is TEEINIT_SPAWN_FAILED, exit 126', async () => {
    const file = join(tmp.dir, 'not-executable');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o644);
    const sup = start([launchSpec({ name: 'noexec', argv: [file] })], {
      logger: captureLogger().logger,
    });
    const outcome = await sup.done;
    assert.equal(outcome.code, 126);
    assert.equal(outcome.error?.code, 'TEEINIT_SPAWN_FAILED');
    assert.match(outcome.error?.message ?? '', /"noexec"/);
  });

  test('argv[0] is looked up in the PATH of the child environment', async () => {
    const bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    const script = join(bin, 'say-seven');
    writeFileSync(script, '#!/bin/sh\nexit 7\n');
    chmodSync(script, 0o755);
    const spec = launchSpec({
      name: 'pathy',
      argv: ['say-seven'],
      extraEnv: { PATH: `${bin}:/usr/bin:/bin` },
    });
    const sup = start([spec], { logger: captureLogger().logger });
    const outcome = await sup.done;
    assert.equal(outcome.code, 7);
  });
});
