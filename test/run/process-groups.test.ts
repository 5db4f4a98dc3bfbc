// Each supervised process leads its own process group, through the real CLI: at stop the
// process gets its stopSignal, then what it left in its group gets it too, and SIGKILL at
// stopTimeout; a process that exits on its own leaves nothing running either. A forwarded
// signal goes to the process only. The grandchildren record what they get; afterwards
// none of them is left (this runs outside any PID namespace, so no namespace teardown
// kills them instead of teeinit).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../helpers/poll.js';
import { commandLine, isAlive } from '../helpers/procfs.js';
import {
  FIXTURES,
  runTeeinit,
  stopAllTeeinit,
  type TeeinitProcess,
} from '../helpers/teeinit-process.js';
import { removeDir, tempDir } from '../helpers/temp.js';
import { localConfig } from './world-config.js';

describe('run: process groups', { timeout: 180_000 }, () => {
  let work: string;
  before(() => {
    work = tempDir('teeinit-groups-').dir;
    writeFileSync(join(work, 'greeting.txt'), 'local development secret\n');
  });
  const runs: Run[] = [];
  after(async () => {
    await stopAllTeeinit();
    // A failed test may leave grandchildren running: they are no descendants of teeinit
    // any more (orphaned), so kill them by the pids they recorded.
    for (const pid of runs.flatMap((r) => r.grandchildren())) {
      if (isAlive(pid) && commandLine(pid)?.includes('spawn-group.js') === true) {
        process.kill(pid, 'SIGKILL');
      }
    }
    removeDir(work);
  });

  interface Run {
    readonly t: TeeinitProcess;
    lines(): string[];
    /** Pids of the grandchildren, from their "ready" lines. */
    grandchildren(): number[];
  }

  function start(
    name: string,
    mode: 'trap' | 'ignore',
    after: 'stay' | 'exit-soon',
    extra: Record<string, unknown> = {},
  ): Run {
    const log = join(work, `${name}.log`);
    const marker = join(work, `${name}.ready`);
    writeFileSync(log, '');
    const config = join(work, `${name}.json`);
    writeFileSync(
      config,
      JSON.stringify(
        localConfig(work, { dir: join(work, `${name}-secrets`), unsafeAllowNonTmpfs: true }, [
          {
            name: 'app',
            run: [process.execPath, FIXTURES + 'spawn-group.js', log, marker, '3', mode, after],
            ...(after === 'stay'
              ? { ready: { file: marker, timeout: '60s', interval: '50ms' } }
              : {}),
            ...extra,
          },
        ]),
      ),
    );
    const lines = (): string[] => readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const run: Run = {
      t: runTeeinit(['run', '-c', config]),
      lines,
      grandchildren: () =>
        lines()
          .filter((l) => l.startsWith('grandchild ready '))
          .map((l) => Number(l.split(' ')[2])),
    };
    runs.push(run);
    return run;
  }

  const count = (run: Run, prefix: string): number =>
    run.lines().filter((l) => l.startsWith(`${prefix} `)).length;

  async function assertAllGone(run: Run): Promise<void> {
    const pids = run.grandchildren();
    assert.equal(pids.length, 3, run.lines().join('\n'));
    // Orphaned when their parent exited: the machine's init (or subreaper) reaps them.
    await pollUntil('every grandchild gone', () => pids.every((p) => !isAlive(p)), 15_000);
  }

  test('stop: the process, then every grandchild gets the stop signal and is gone', async () => {
    const run = start('trap', 'trap', 'stay');
    await run.t.waitFor(/"message":"running"/);
    run.t.kill('SIGTERM');
    assert.equal(await run.t.exited(), 0, run.t.output());
    assert.equal(count(run, 'parent SIGTERM'), 1, run.lines().join('\n'));
    assert.equal(count(run, 'grandchild SIGTERM'), 3, run.lines().join('\n'));
    assert.equal(count(run, 'grandchild exit'), 3, run.lines().join('\n'));
    assert.match(run.t.output(), /"message":"stopping what the process left in its process group"/);
    await assertAllGone(run);
  });

  test('grandchildren that ignore the stop signal get SIGKILL at stopTimeout', async () => {
    const run = start('ignore', 'ignore', 'stay', { stopTimeout: '1s' });
    await run.t.waitFor(/"message":"running"/);
    run.t.kill('SIGTERM');
    assert.equal(await run.t.exited(), 0, run.t.output());
    assert.equal(count(run, 'grandchild SIGTERM'), 3, run.lines().join('\n'));
    assert.equal(count(run, 'grandchild exit'), 0);
    assert.match(run.t.output(), /"message":"stop timeout passed, killing the process group"/);
    await assertAllGone(run);
  });

  test('a process that exits on its own leaves no grandchild running', async () => {
    const run = start('exits', 'trap', 'exit-soon');
    assert.equal(await run.t.exited(), 0, run.t.output());
    assert.equal(count(run, 'parent SIGTERM'), 0);
    assert.equal(count(run, 'grandchild SIGTERM'), 3, run.lines().join('\n'));
    await assertAllGone(run);
  });

  test('a forwarded SIGHUP goes to the process, not its group', async () => {
    const run = start('hup', 'trap', 'stay');
    await run.t.waitFor(/"message":"running"/);
    run.t.kill('SIGHUP');
    await pollUntil('the process got SIGHUP', () => count(run, 'parent SIGHUP') === 1);
    run.t.kill('SIGTERM');
    assert.equal(await run.t.exited(), 0, run.t.output());
    // Each grandchild got SIGTERM after the SIGHUP was forwarded; a SIGHUP sent to the
    // group would have been recorded before it.
    assert.equal(count(run, 'grandchild SIGTERM'), 3, run.lines().join('\n'));
    assert.equal(count(run, 'grandchild SIGHUP'), 0, run.lines().join('\n'));
    await assertAllGone(run);
  });
});
