// Every signal of the table (src/run/signal-table.ts) sent to a real `teeinit run` whose
// child records the signals it receives: `forward` reaches the child, `ignore` is logged
// and changes nothing (teeinit still supervises, and SIGTSTP/SIGTTIN/SIGTTOU leave it
// running, not stopped), `stop` ends the run cleanly (exit code, secret files removed).
// SIGUSR1 reaches the child and never opens Node's inspector.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canDisableSigusr1 } from '../../src/preflight/index.js';
import { SIGNAL_TABLE, signalExitCode, type SignalPhase } from '../../src/run/index.js';
import { pollUntil } from '../helpers/poll.js';
import { commandLine, isAlive, listeningPorts, processState } from '../helpers/procfs.js';
import {
  FIXTURES,
  logLines,
  runTeeinit,
  stopAllTeeinit,
  type TeeinitProcess,
} from '../helpers/teeinit-process.js';
import { allowNonTmpfs, removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';
import { localConfig, writeConfig } from './world-config.js';

const signalsWith = (phase: SignalPhase, action: string): NodeJS.Signals[] =>
  (Object.keys(SIGNAL_TABLE) as NodeJS.Signals[]).filter(
    (s) => SIGNAL_TABLE[s]?.[phase] === action && !(s === 'SIGUSR1' && blocked),
  );

// teeinit runs under --disable-sigusr1 where Node has it (runArgv adds it), and Node then
// blocks SIGUSR1: it reaches neither teeinit nor the child. Checked apart, below.
const blocked = canDisableSigusr1();

describe('run: every signal of the table', { timeout: 240_000 }, () => {
  let work: string;
  let secrets: { path: string; onTmpfs: boolean };
  before(() => {
    work = tempDir('teeinit-signals-').dir;
    secrets = tmpfsDir('teeinit-signals-secrets-');
    writeFileSync(join(work, 'greeting.txt'), 'local development secret\n');
  });
  const runs: Run[] = [];
  after(async () => {
    await stopAllTeeinit();
    // A teeinit that died of a signal (the failure this file looks for) orphans its child,
    // which is then no descendant of it: end it by the pid it wrote.
    for (const pid of runs.map((r) => r.childPid())) {
      if (pid !== undefined && isAlive(pid) && commandLine(pid)?.includes('record-signals.js')) {
        process.kill(pid, 'SIGKILL');
      }
    }
    removeDir(work);
    removeDir(secrets.path);
  });

  interface Run {
    readonly t: TeeinitProcess;
    readonly dir: string;
    /** Signals the child recorded so far. */
    received(): string[];
    readonly childPid: () => number | undefined;
    /** Creates the file the child's readiness waits for (when started with a gate). */
    open(): void;
  }

  /** `stop`: the process's stopSignal and stopTimeout; `readyTimeout`: the gated check's. */
  function start(
    name: string,
    gated = false,
    stop: { stopSignal?: string; stopTimeout?: string; readyTimeout?: string } = {},
  ): Run {
    const dir = join(secrets.path, name);
    const log = join(work, `${name}.signals`);
    const pidFile = join(work, `${name}.pid`);
    const gate = join(work, `${name}.gate`);
    writeFileSync(log, '');
    const app = {
      name: 'app',
      run: [process.execPath, FIXTURES + 'record-signals.js', log, pidFile, '0'],
      ...(gated
        ? { ready: { file: gate, timeout: stop.readyTimeout ?? '120s', interval: '50ms' } }
        : {}),
      ...(stop.stopSignal === undefined ? {} : { stopSignal: stop.stopSignal }),
      ...(stop.stopTimeout === undefined ? {} : { stopTimeout: stop.stopTimeout }),
    };
    const files = { dir, entries: { greeting: {} } };
    const path = writeConfig(work, allowNonTmpfs(localConfig(work, files, [app]), secrets));
    // writeConfig writes teeinit.json in the directory: give each run its own copy.
    const own = join(work, `${name}.json`);
    writeFileSync(own, readFileSync(path));
    const t = runTeeinit(['run', '-c', own]);
    const run: Run = {
      t,
      dir,
      received: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
      childPid: () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined),
      open: () => writeFileSync(gate, ''),
    };
    runs.push(run);
    return run;
  }

  /** Waits for `running` and for the child's handlers (its pid file comes after them). */
  async function running(run: Run): Promise<void> {
    await run.t.waitFor(/"message":"running"/);
    await pollUntil('the child recording', run.childPid, 45_000);
  }

  const ignoredLines = (t: TeeinitProcess, signal: string): number =>
    logLines(t.stderr() + t.stdout()).filter(
      (l) => l.message === 'signal ignored' && l.signal === signal,
    ).length;

  /** Sends each signal and checks the action the table gives it in `phase`. */
  async function checkEach(run: Run, phase: SignalPhase): Promise<void> {
    const { t } = run;
    const pid = t.child.pid!;
    for (const signal of [...signalsWith(phase, 'forward'), ...signalsWith(phase, 'ignore')]) {
      const action = SIGNAL_TABLE[signal]![phase];
      const before = run.received().filter((s) => s === signal).length;
      const logged = ignoredLines(t, signal);
      t.kill(signal);
      if (action === 'forward') {
        await pollUntil(`${signal} forwarded to the child (${phase})`, () =>
          run.received().filter((s) => s === signal).length > before ? true : undefined,
        );
      } else {
        await pollUntil(`${signal} logged as ignored (${phase})`, () =>
          ignoredLines(t, signal) > logged ? true : undefined,
        );
        assert.equal(run.received().filter((s) => s === signal).length, before, signal);
      }
      assert.notEqual(processState(pid), 'T', `teeinit stopped by ${signal}`);
      assert.equal(t.child.exitCode, null, `teeinit exited on ${signal}:\n${t.output()}`);
      assert.equal(t.child.signalCode, null, `teeinit died of ${signal}`);
    }
  }

  test('while running: forward reaches the child, ignore is logged and teeinit supervises on', async () => {
    const run = start('running');
    await running(run);
    await checkEach(run, 'running');
    // Still supervising: the stop signal reaches the child, which exits 0, and so does teeinit.
    run.t.kill('SIGTERM');
    assert.equal(await run.t.exited(), 0, run.t.output());
    assert.deepEqual(run.received().at(-1), 'SIGTERM');
    assert.ok(!existsSync(run.dir) || readdirSync(run.dir).length === 0, 'secret files removed');
  });

  test('during start-up: forward reaches the started child, ignore is logged', async () => {
    const run = start('startup', true);
    await pollUntil('the child started', run.childPid, 45_000);
    await checkEach(run, 'startup');
    assert.doesNotMatch(run.t.output(), /"message":"running"/, 'still starting');
    run.open();
    await running(run);
    run.t.kill('SIGTERM');
    assert.equal(await run.t.exited(), 0, run.t.output());
  });

  test(`SIGUSR1 ${blocked ? 'is blocked' : 'reaches the child'} and never opens the inspector`, async () => {
    const run = start('usr1');
    await running(run);
    const pid = run.t.child.pid!;
    const count = (signal: string): number => run.received().filter((s) => s === signal).length;
    // SIGUSR2 sent now and received by the child: teeinit's event loop took a turn after
    // everything sent before. (Not an order between two signals sent at once: teeinit's
    // threads may take them in either order.)
    let barriers = 0;
    const barrier = async (): Promise<void> => {
      const n = ++barriers;
      run.t.kill('SIGUSR2');
      await pollUntil('SIGUSR2 forwarded', () => count('SIGUSR2') >= n);
    };
    for (let i = 1; i <= 3; i++) {
      run.t.kill('SIGUSR1');
      // Blocked, SIGUSR1 stays pending and never reaches anyone.
      if (blocked) await barrier();
      else await pollUntil('SIGUSR1 forwarded', () => count('SIGUSR1') >= i);
    }
    // Node would open the inspector from its event loop after a SIGUSR1: one more turn.
    await barrier();
    assert.equal(
      count('SIGUSR1'),
      blocked ? 0 : 3,
      `${run.received().join(' ')}\n${run.t.output()}`,
    );
    assert.deepEqual(listeningPorts(pid), [], 'teeinit listens on nothing');
    assert.doesNotMatch(run.t.output(), /Debugger listening|inspector/i);
    run.t.kill('SIGTERM');
    assert.equal(await run.t.exited(), 0, run.t.output());
  });

  for (const signal of signalsWith('running', 'stop')) {
    test(`while running: ${signal} stops the run cleanly`, async () => {
      const run = start(`stop-${signal}`);
      await running(run);
      run.t.kill(signal);
      // The child gets its stopSignal (SIGTERM) and exits 0: teeinit exits with its status.
      assert.equal(await run.t.exited(), 0, run.t.output());
      assert.deepEqual(run.received(), ['SIGTERM']);
      assert.ok(!existsSync(run.dir) || readdirSync(run.dir).length === 0, 'secret files removed');
      assert.match(run.t.output(), /"message":"secret files removed"/);
    });
  }

  for (const signal of ['SIGHUP', 'SIGPWR'] as const) {
    test(`during start-up: ${signal} cancels it (exit 128+n, files removed)`, async () => {
      assert.equal(SIGNAL_TABLE[signal]?.startup, 'stop');
      const run = start(`cancel-${signal}`, true);
      await pollUntil('the child started', run.childPid, 45_000);
      run.t.kill(signal);
      assert.equal(await run.t.exited(), signalExitCode(signal), run.t.output());
      assert.match(run.t.stderr(), /^teeinit: TEEINIT_STARTUP_CANCELLED: .*by SIG/m);
      assert.deepEqual(run.received(), ['SIGTERM']);
      assert.ok(!existsSync(run.dir) || readdirSync(run.dir).length === 0, 'secret files removed');
    });
  }

  // Stopping, as the table says, once the run is ending: the child's stopSignal (SIGUSR2,
  // recorded, and it keeps running) shows the stop began; a SIGTERM then goes to it as-is.
  const slowStop = { stopSignal: 'SIGUSR2', stopTimeout: '120s' };

  test('a cancelled start-up is stopping: a second SIGTERM reaches the child as-is', async () => {
    const run = start('cancel-twice', true, slowStop);
    await pollUntil('the child started', run.childPid, 45_000);
    run.t.kill('SIGTERM');
    await pollUntil('the stop reached the child', () => run.received().includes('SIGUSR2'));
    run.t.kill('SIGTERM');
    await pollUntil('SIGTERM forwarded', () => run.received().includes('SIGTERM'), 45_000);
    assert.equal(await run.t.exited(), signalExitCode('SIGTERM'), run.t.output());
    assert.match(run.t.stderr(), /^teeinit: TEEINIT_STARTUP_CANCELLED: .*by SIGTERM/m);
    assert.deepEqual(run.received(), ['SIGUSR2', 'SIGTERM']);
    assert.ok(!existsSync(run.dir) || readdirSync(run.dir).length === 0, 'secret files removed');
  });

  test("a failed start-up is stopping: SIGTERM reaches the child, the exit code stays the failure's", async () => {
    const run = start('ready-timeout', true, { ...slowStop, readyTimeout: '5s' });
    await pollUntil('the child started', run.childPid, 45_000);
    await pollUntil('the stop reached the child', () => run.received().includes('SIGUSR2'), 45_000);
    run.t.kill('SIGTERM');
    await pollUntil('SIGTERM forwarded', () => run.received().includes('SIGTERM'), 45_000);
    assert.equal(await run.t.exited(), 75, run.t.output());
    assert.match(run.t.stderr(), /^teeinit: TEEINIT_READY_TIMEOUT: /m);
    assert.deepEqual(run.received(), ['SIGUSR2', 'SIGTERM']);
    assert.ok(!existsSync(run.dir) || readdirSync(run.dir).length === 0, 'secret files removed');
  });
});
