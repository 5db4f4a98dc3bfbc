// SIGTERM during start-up, at the CLI: teeinit exits 143 with one TEEINIT_STARTUP_CANCELLED
// line — never an uncaught exception or a stack trace from a request still in flight.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemoWorld, type DemoWorld } from '../../emulator/demo-world.js';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { holdRoute } from '../helpers/hold-route.js';
import {
  FIXTURES,
  runTeeinit,
  type TeeinitProcess,
  stopAllTeeinit,
} from '../helpers/teeinit-process.js';
import { removeDir, tempDir, tmpfsDir } from '../helpers/temp.js';
import { worldConfig, writeConfig } from './world-config.js';

describe('run: cancelled start-up', { timeout: 60_000 }, () => {
  let world: DemoWorld;
  let work: string;
  let secrets: { path: string; onTmpfs: boolean };

  before(async () => {
    work = tempDir('teeinit-cancel-');
    secrets = tmpfsDir('teeinit-cancel-secrets-');
    world = await startDemoWorld({ stateDir: join(work, 'emulator') });
  });
  after(async () => {
    await stopAllTeeinit();
    await world.stop();
    removeDir(work);
    removeDir(secrets.path);
  });

  const start = (name: string): TeeinitProcess => {
    const config = worldConfig(world, join(secrets.path, name), [
      { name: 'app', run: [process.execPath, FIXTURES + 'inspect-files.js', join(work, name)] },
    ]) as Record<string, any>;
    if (!secrets.onTmpfs) config.files.unsafeAllowNonTmpfs = true;
    return runTeeinit(['run', '-c', writeConfig(work, config)]);
  };

  const assertCleanCancel = async (t: TeeinitProcess): Promise<void> => {
    assert.equal(await t.exited(10_000), 143, t.output());
    assert.match(t.stderr(), /^teeinit: TEEINIT_STARTUP_CANCELLED\b/m, t.output());
    assert.doesNotMatch(t.output(), /Uncaught|AbortError|^\s+at .+:\d+:\d+\)?$/m, t.output());
    for (const value of world.secretValues) {
      for (const line of value.split('\n').filter((l) => l.length > 20)) {
        assert.ok(!t.output().includes(line), 'a secret value leaked into the output');
      }
    }
  };

  test('SIGTERM right after "teeinit starting" while STS answers in 3 s', async (t) => {
    for (const r of parseFaultRules([{ route: 'sts.token', latencyMs: 3000 }]))
      world.emulator.faults.add(r);
    t.after(() => world.emulator.faults.clear());
    const p = start('sts-latency');
    await p.waitFor(/teeinit starting/);
    p.kill('SIGTERM');
    await assertCleanCancel(p);
  });

  test('SIGTERM while the STS exchange is held by the server', async (t) => {
    const held = holdRoute(world.emulator, { route: 'sts.token' });
    t.after(() => world.emulator.faults.clear());
    const p = start('sts-held');
    await held(30_000).catch((e: Error) => assert.fail(`${e.message}:\n${p.output()}`));
    p.kill('SIGTERM');
    await assertCleanCancel(p);
  });
});
