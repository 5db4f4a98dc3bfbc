// Bench: `teeinit run` from spawn to the first child's output, with the emulator adding
// 50 ms to every call, 5 secrets from 2 collaborators (the demo world). Prints the median,
// the floor it is measured against (2 round trips of waiting: STS, then all accesses in
// parallel, plus starting node twice), and teeinit's own RSS while supervising.
// Not a test: machines here are shared and noisy; read the ratios, not the absolute times.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoWorld } from '../emulator/demo-world.js';
import { parseFaultRules } from '../emulator/faults/rules.js';
import { FIXTURES, runTeeinit } from '../test/helpers/teeinit-process.js';
import { removeDir, tempDir, tmpfsDir } from '../test/helpers/temp.js';
import { worldConfig, writeConfig } from '../test/run/world-config.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function nodeStart(): Promise<number> {
  const began = performance.now();
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("READY\\n")'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await once(child.stdout, 'data');
  const ms = performance.now() - began;
  await once(child, 'exit');
  return ms;
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

const work = tempDir('teeinit-bench-');
const secrets = tmpfsDir('teeinit-bench-secrets-');
const world = await startDemoWorld({ stateDir: join(work, 'emulator') });
try {
  for (const rule of parseFaultRules([{ route: '*', latencyMs: LATENCY_MS }])) {
    world.emulator.faults.add(rule);
  }
  const times: number[] = [];
  const rss: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    starts.push(await nodeStart());
    const dir = join(secrets.path, `r${i}`);
    const config = worldConfig(world, dir, [
      { name: 'app', run: [process.execPath, FIXTURES + 'inspect-files.js'] },
    ]) as { files: Record<string, unknown> };
    if (!secrets.onTmpfs) config.files.unsafeAllowNonTmpfs = true;
    const path = writeConfig(work, config);
    const began = performance.now();
    const t = runTeeinit(['run', '-c', path]);
    await t.waitFor(/READY/, 60_000);
    times.push(performance.now() - began);
    rss.push(rssKiB(t.child.pid!));
    t.kill('SIGTERM');
    await t.exited();
  }
  const floor = 2 * LATENCY_MS + 2 * median(starts);
  const run = median(times);
  console.log(
    `teeinit run → first child output, ${LATENCY_MS} ms per call, 5 secrets / 2 collaborators`,
  );
  console.log(`  median over ${ROUNDS}:                 ${run.toFixed(0)} ms`);
  console.log(`  node start (median):             ${median(starts).toFixed(0)} ms`);
  console.log(`  floor (2 round trips + 2 starts): ${floor.toFixed(0)} ms`);
  console.log(
    `  sequential demo-style waiting:   ${(1 + 5) * LATENCY_MS} ms of network alone (token + 5 accesses)`,
  );
  console.log(`  ratio run / floor:               ${(run / floor).toFixed(2)}`);
  console.log(`  teeinit RSS while supervising:   ${(median(rss) / 1024).toFixed(1)} MiB`);
} finally {
  await world.stop();
  removeDir(work);
  removeDir(secrets.path);
}
