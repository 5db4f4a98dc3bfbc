// SIGTERM during start-up, at the CLI: teeinit exits 143 with one TEEINIT_STARTUP_CANCELLED
// line — never an uncaught exception or a stack trace from a request still in flight.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import { holdRoute } from '../helpers/hold-route.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { FIXTURES, runTeeinit, type TeeinitProcess } from '../helpers/teeinit-process.js';
import { useRunWorld } from './run-world.js';
import { worldConfig, writeConfig } from './world-config.js';
import { allowNonTmpfs } from '../helpers/temp.js';

describe('run: cancelled start-up', { timeout: 60_000 }, () => {
  const ctx = useRunWorld('teeinit-cancel');

  const start = (name: string): TeeinitProcess => {
    const config = worldConfig(ctx.world, join(ctx.secrets.path, name), [
      { name: 'app', run: [process.execPath, FIXTURES + 'inspect-files.js', join(ctx.work, name)] },
    ]) as Record<string, any>;
    allowNonTmpfs(config, ctx.secrets);
    return runTeeinit(['run', '-c', writeConfig(ctx.work, config)]);
  };

  const assertCleanCancel = async (t: TeeinitProcess): Promise<void> => {
    assert.equal(await t.exited(10_000), 143, t.output());
    assert.match(t.stderr(), /^teeinit: TEEINIT_STARTUP_CANCELLED\b/m, t.output());
    assert.doesNotMatch(t.output(), /Uncaught|AbortError|^\s+at .+:\d+:\d+\)?$/m, t.output());
    assertNoSecrets(t.output(), ctx.secretValues, 'the output of teeinit');
  };

  test('SIGTERM right after "teeinit starting" while STS answers in 3 s', async (t) => {
    for (const r of parseFaultRules([{ route: 'sts.token', latencyMs: 3000 }]))
      ctx.world.emulator.faults.add(r);
    t.after(() => ctx.world.emulator.faults.clear());
    const p = start('sts-latency');
    await p.waitFor(/teeinit starting/);
    p.kill('SIGTERM');
    await assertCleanCancel(p);
  });

  test('SIGTERM while the STS exchange is held by the server', async (t) => {
    const held = holdRoute(ctx.world.emulator, { route: 'sts.token' });
    t.after(() => ctx.world.emulator.faults.clear());
    const p = start('sts-held');
    await held(30_000).catch((e: Error) => assert.fail(`${e.message}:\n${p.output()}`));
    p.kill('SIGTERM');
    await assertCleanCancel(p);
  });
});
