// The image's process tree, without Docker: `tini -- teeinit run` as PID 1 of a fresh PID
// namespace (unshare). Proves, with the real CLI: SIGTERM sent to tini reaches the
// application through teeinit and its exit code comes back out of tini; orphans are reaped
// by tini; the secrets directory is emptied; at stop, grandchildren in the application's
// process group get the stop signal. Without tini, teeinit is PID 1: it refuses to start,
// unless the config sets unsafeAllowPid1, and then an orphan stays a zombie.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidNamespaceUnavailable, UNSHARE_PID, UNSHARE_TINI } from '../helpers/pid-namespace.js';
import { pollUntil } from '../helpers/poll.js';
import { terminateTree, type TreeRoot } from '../helpers/process-tree.js';
import { childPids } from '../helpers/procfs.js';
import { runArgv, withoutGuardedVariables } from '../../src/preflight/index.js';
import { CLI, FIXTURES } from '../helpers/teeinit-process.js';
import { allowNonTmpfs, removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';
import { localConfig, writeConfig } from './world-config.js';

describe(
  'run: tini as PID 1, teeinit below it',
  { skip: pidNamespaceUnavailable(), timeout: 120_000 },
  () => {
    let work: string;
    let secrets: { path: string; onTmpfs: boolean };
    before(() => {
      work = tempDir('teeinit-pidns-').dir;
      secrets = tmpfsDir('teeinit-pidns-secrets-');
      writeFileSync(join(work, 'greeting.txt'), 'local development secret\n');
    });
    // A test that fails before its own SIGTERM leaves unshare → tini → teeinit → app running.
    const runs = new Set<TreeRoot>();
    after(async () => {
      await Promise.all([...runs].map((r) => terminateTree(r)));
      removeDir(work);
      removeDir(secrets.path);
    });

    function config(
      name: string,
      processes: unknown[],
      extra: Record<string, unknown> = {},
    ): { path: string; dir: string } {
      const dir = join(secrets.path, name);
      writeConfig(
        work,
        allowNonTmpfs(
          localConfig(work, { dir, entries: { greeting: {} } }, processes, extra),
          secrets,
        ),
      );
      // writeConfig always writes teeinit.json: each test gets its own copy.
      const path = join(work, `${name}.json`);
      writeFileSync(path, readFileSync(join(work, 'teeinit.json')));
      return { path, dir };
    }

    function start(
      configPath: string,
      prefix: readonly string[] = UNSHARE_TINI,
    ): {
      pid: number;
      exited: Promise<number>;
      output: () => string;
    } {
      const child = spawn(
        prefix[0]!,
        [...prefix.slice(1), process.execPath, ...runArgv(CLI, ['run', '-c', configPath])],
        { stdio: ['ignore', 'pipe', 'pipe'], env: withoutGuardedVariables(process.env) },
      );
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number>((resolve) =>
        child.on('exit', (code) => resolve(code ?? -1)),
      );
      runs.add({
        pid: child.pid!,
        gone: () => child.exitCode !== null || child.signalCode !== null,
        signal: (signal) => child.kill(signal),
      });
      return { pid: child.pid!, exited, output: () => output };
    }

    test('pidns-sigterm: tini → teeinit → app, exit code 42 comes back out', async () => {
      const marker = join(work, 'app.pid');
      const { path, dir } = config('sigterm', [
        { name: 'app', run: [process.execPath, FIXTURES + 'trap-sigterm.js', marker, '42'] },
      ]);
      const run = start(path);
      const tini = await pollUntil('tini', () => childPids(run.pid)[0], 15_000);
      await pollUntil('app started', () => existsSync(marker), 15_000);
      assert.deepEqual(readdirSync(dir), ['greeting']);
      process.kill(tini, 'SIGTERM');
      assert.equal(await run.exited, 42, run.output());
      assert.match(run.output(), /got SIGTERM/);
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'secrets removed');
    });

    test('pidns-orphans: an orphan of the application is reaped by tini', async () => {
      const pidFile = join(work, 'orphan.pid');
      const { path } = config('orphan', [
        { name: 'check', run: [process.execPath, FIXTURES + 'check-reaped.js', pidFile, '1500'] },
        { name: 'orphaner', run: [process.execPath, FIXTURES + 'spawn-orphan.js', pidFile, '300'] },
      ]);
      const run = start(path);
      assert.equal(await run.exited, 0, run.output());
      assert.match(run.output(), /^reaped \d+$/m);
    });

    test('pidns-grandchildren: at stop every grandchild gets the stop signal and exits', async () => {
      const log = join(work, 'group.log');
      const marker = join(work, 'group.ready');
      writeFileSync(log, '');
      const { path } = config('group', [
        {
          name: 'app',
          run: [process.execPath, FIXTURES + 'spawn-group.js', log, marker, '3', 'trap', 'stay'],
          ready: { file: marker, timeout: '60s', interval: '50ms' },
        },
      ]);
      const run = start(path);
      const tini = await pollUntil('tini', () => childPids(run.pid)[0], 15_000);
      await pollUntil('running', () => run.output().includes('"message":"running"'), 30_000);
      process.kill(tini, 'SIGTERM');
      assert.equal(await run.exited, 0, run.output());
      const lines = readFileSync(log, 'utf8');
      assert.equal(lines.match(/^grandchild SIGTERM /gm)?.length, 3, lines);
      assert.equal(lines.match(/^grandchild exit /gm)?.length, 3, lines);
    });

    test('pidns-pid1: without tini teeinit is PID 1 and refuses to start', async () => {
      const marker = join(work, 'pid1.pid');
      const { path, dir } = config('pid1', [
        { name: 'app', run: [process.execPath, FIXTURES + 'trap-sigterm.js', marker] },
      ]);
      const run = start(path, UNSHARE_PID);
      assert.equal(await run.exited, 78, run.output());
      assert.match(run.output(), /^teeinit: TEEINIT_PID1_NO_REAPER: teeinit is PID 1/m);
      assert.ok(!existsSync(marker), 'no process started');
      assert.ok(!existsSync(dir), 'no secret file written');
    });

    test('pidns-pid1-allowed: with unsafeAllowPid1 it runs, warns, and an orphan stays a zombie', async () => {
      const pidFile = join(work, 'pid1-orphan.pid');
      const { path } = config(
        'pid1-allowed',
        [
          { name: 'check', run: [process.execPath, FIXTURES + 'check-reaped.js', pidFile, '1000'] },
          {
            name: 'orphaner',
            run: [process.execPath, FIXTURES + 'spawn-orphan.js', pidFile, '300'],
          },
        ],
        { unsafeAllowPid1: true },
      );
      const run = start(path, UNSHARE_PID);
      assert.equal(await run.exited, 3, run.output());
      assert.match(run.output(), /^zombie \d+$/m);
      assert.match(run.output(), /teeinit is PID 1 without an init above it \(unsafeAllowPid1\)/);
    });
  },
);
