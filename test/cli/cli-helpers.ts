// Runs the built CLI (dist/src/cli/main.js) in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runArgv } from '../../src/preflight/index.js';
import { terminateTree } from '../helpers/process-tree.js';

/** dist/test/cli → repo root is three levels up. */
export const MAIN = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// CLI runs not yet closed: a test that times out while one hangs (e.g. a `run` that started
// something) must not leave it, or what it started, running after the file ends.
const running = new Set<ChildProcess>();

/** After hooks: stops every CLI run still going, with whatever it started. */
export async function stopStrayClis(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (child.pid === undefined) return;
      await terminateTree({
        pid: child.pid,
        gone: () => child.exitCode !== null || child.signalCode !== null,
        signal: (signal) => child.kill(signal),
      });
    }),
  );
}

/** Spawns `node main.js ...args`, with only the given environment (plus PATH). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, runArgv(MAIN, args), {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
