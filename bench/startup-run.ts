// Bench: `teeinit run` from spawn to the first child's output, with the emulator adding
// 50 ms to every call, 5 secrets from 2 collaborators (the demo world). Two builds of the
// same code, rounds interleaved: dist/src (tsc's output, loaded module by module from
// node_modules) and the production bundle the images ship (scripts/bundle.ts, one file).
// Prints per build the median time, teeinit's CPU time up to that point (less sensitive to
// a busy machine than wall time) and RSS, and the floor (2 round trips of waiting: STS,
// then all accesses in parallel, plus starting node twice).
// Not a test: machines here are shared and noisy; read the ratios, not the absolute times.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoWorld } from '../emulator/demo-world.js';
import { parseFaultRules } from '../emulator/faults/rules.js';
import { bundleTeeinit } from '../scripts/bundle.js';
import { runArgv } from '../src/preflight/index.js';
import { CLI, FIXTURES } from '../test/helpers/teeinit-process.js';
import { removeDir, tempDir, tmpfsDir } from '../test/helpers/temp.js';
import { worldConfig, writeConfig } from '../test/run/world-config.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const CLOCK_TICKS = 100; // USER_HZ of /proc/PID/stat on Linux

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

/** User + system CPU time of `pid` so far (its own threads, not its children). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Starts `node cli run -c config`; resolves once the child printed READY (or rejects). */
async function runUntilReady(cli: string, config: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, runArgv(cli, ['run', '-c', config]), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no READY after 60 s:\n${out}`)), 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`teeinit exited before READY:\n${out}`));
    });
  });
  return child;
}

interface Samples {
  times: number[];
  cpu: number[];
  rss: number[];
}

const work = tempDir('teeinit-bench-').dir;
const secrets = tmpfsDir('teeinit-bench-secrets-');
const world = await startDemoWorld({ stateDir: join(work, 'emulator') });
try {
  const bundle = await bundleTeeinit(join(work, 'bundle'));
  const builds: Record<string, string> = { 'dist/src': CLI, bundle: bundle.file };
  for (const rule of parseFaultRules([{ route: '*', latencyMs: LATENCY_MS }])) {
    world.emulator.faults.add(rule);
  }
  const samples: Record<string, Samples> = {};
  const starts: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    starts.push(await nodeStart());
    for (const [name, cli] of Object.entries(builds)) {
      const dir = join(secrets.path, `r${i}-${name.replace('/', '-')}`);
      const config = worldConfig(world, dir, [
        { name: 'app', run: [process.execPath, FIXTURES + 'inspect-files.js'] },
      ]) as { files: Record<string, unknown> };
      if (!secrets.onTmpfs) config.files.unsafeAllowNonTmpfs = true;
      const path = writeConfig(work, config);
      const began = performance.now();
      const child = await runUntilReady(cli, path);
      const s = (samples[name] ??= { times: [], cpu: [], rss: [] });
      s.times.push(performance.now() - began);
      s.cpu.push(cpuMs(child.pid!));
      s.rss.push(rssKiB(child.pid!));
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
  const floor = 2 * LATENCY_MS + 2 * median(starts);
  console.log(
    `teeinit run → first child output, ${LATENCY_MS} ms per call, 5 secrets / 2 collaborators`,
  );
  console.log(`  node start (median):             ${median(starts).toFixed(0)} ms`);
  console.log(`  floor (2 round trips + 2 starts): ${floor.toFixed(0)} ms`);
  console.log(
    `  sequential demo-style waiting:   ${(1 + 5) * LATENCY_MS} ms of network alone (token + 5 accesses)`,
  );
  for (const [name, s] of Object.entries(samples)) {
    const run = median(s.times);
    console.log(`  ${name}, median over ${ROUNDS}:`);
    console.log(`    to first child output:         ${run.toFixed(0)} ms`);
    console.log(`    ratio run / floor:             ${(run / floor).toFixed(2)}`);
    console.log(`    teeinit CPU until then:        ${median(s.cpu).toFixed(0)} ms`);
    console.log(`    teeinit RSS while supervising: ${(median(s.rss) / 1024).toFixed(1)} MiB`);
  }
} finally {
  await world.stop();
  removeDir(work);
  removeDir(secrets.path);
}
