// Test helpers for the supervisor: a per-file harness (temp dir, tracked supervisors),
// fixture logs and pid markers, and a runner for the driver (test/fixtures/supervise.ts).
// Polling, ports and pid probes are the shared ones in test/helpers/.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { startSupervisor, type Supervisor } from '../../src/supervisor/index.js';
import { fixturePath, type ProcessSketch } from '../fixtures/launch-spec.js';
import { terminateTree } from '../helpers/process-tree.js';
import { tempDir, type TempDir } from '../helpers/temp.js';

/** Lines of a fixture log ("<fixture> <event> <pid>"), empty when it does not exist yet. */
export function readLog(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Reads a pid marker file written by a fixture, or undefined. */
export function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** A running driver process and what it printed. */
export interface DriverRun {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the driver's exit status (128+n for a signal death). */
  readonly exited: Promise<number>;
}

// Drivers not yet exited: a test failing before its own signal would leave the driver (and
// unshare → tini → driver → children) running; stopDrivers() in an after hook ends them.
const drivers = new Set<ChildProcess>();

/** After hooks: stops every driver still running, with whatever it started. */
export async function stopDrivers(): Promise<void> {
  await Promise.all(
    [...drivers].map(async (child) => {
      if (child.pid === undefined) return;
      await terminateTree({
        pid: child.pid,
        gone: () => child.exitCode !== null || child.signalCode !== null,
        signal: (signal) => child.kill(signal),
      });
    }),
  );
}

/** Runs `prefix… node supervise.js specFile outcomeFile` with the sketches written to dir. */
export function runDriver(
  dir: string,
  sketches: readonly ProcessSketch[],
  prefix: readonly string[] = [],
): DriverRun {
  const specFile = join(dir, 'specs.json');
  writeFileSync(specFile, JSON.stringify(sketches));
  const argv = [
    ...prefix,
    process.execPath,
    fixturePath('supervise'),
    specFile,
    join(dir, 'outcome.json'),
  ];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  drivers.add(child);
  child.once('exit', () => drivers.delete(child));
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The outcome JSON the driver wrote. */
export function readOutcome(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'outcome.json'), 'utf8')) as Record<string, unknown>;
}

/** Keeps the supervisors a test file started, so an after hook can stop any still running. */
export class Tracked {
  readonly #all: Supervisor[] = [];
  add(supervisor: Supervisor): Supervisor {
    this.#all.push(supervisor);
    return supervisor;
  }
  async stopAll(): Promise<void> {
    await Promise.all(this.#all.map((s) => s.stop('test cleanup')));
  }
}

/**
 * Per test file: a temp dir and a `start` that tracks every supervisor it starts; one
 * `after` hook stops them all and removes the dir.
 */
export function supervisorHarness(): {
  tmp: TempDir;
  start: (...args: Parameters<typeof startSupervisor>) => Supervisor;
} {
  const tmp = tempDir('teeinit-sup-');
  const tracked = new Tracked();
  after(async () => {
    await tracked.stopAll();
    tmp.remove();
  });
  return { tmp, start: (...args) => tracked.add(startSupervisor(...args)) };
}
