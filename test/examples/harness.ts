// Process and filesystem helpers for the example end-to-end tests: scratch directories on
// tmpfs (/dev/shm), running the built teeinit CLI as a child with captured output, and
// running client commands with a deadline. Polling, ports and /proc probes: test/helpers/.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runArgv, withoutGuardedVariables } from '../../src/preflight/index.js';
import { withDeadline } from '../helpers/poll.js';
import { terminateTree } from '../helpers/process-tree.js';

/** Repository root (this file runs as dist/test/examples/harness.js). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The built CLI. */
export const CLI = join(REPO, 'dist/src/cli/main.js');

/**
 * A scratch directory on tmpfs: `secrets/` (teeinit's files.dir, traversable by service
 * users), `client/` (the test client's credentials, root only) and `work/` (anything else).
 */
export interface Scratch {
  readonly root: string;
  readonly secrets: string;
  readonly client: string;
  readonly work: string;
  remove(): void;
}

/** Creates a Scratch under /dev/shm; call remove() in an after hook. */
export function scratch(name: string): Scratch {
  const root = mkdtempSync(join('/dev/shm', `teeinit-ex-${name}-`));
  chmodSync(root, 0o755);
  const secrets = join(root, 'secrets');
  const client = join(root, 'client');
  const work = join(root, 'work');
  mkdirSync(secrets, { mode: 0o755 });
  chmodSync(secrets, 0o755);
  mkdirSync(client, { mode: 0o700 });
  mkdirSync(work, { mode: 0o755 });
  chmodSync(work, 0o755);
  return {
    root,
    secrets,
    client,
    work,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A running teeinit with its captured output. */
export interface TeeinitRun {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the exit code (128+n for a signal) once the process is gone. */
  readonly exited: Promise<number>;
}

/** Starts `node dist/src/cli/main.js run -c <config>`. */
export function startTeeinit(configPath: string, env: NodeJS.ProcessEnv = {}): TeeinitRun {
  // The machine's environment minus what teeinit refuses (NODE_EXTRA_CA_CERTS, proxies…).
  const child = spawn(process.execPath, runArgv(CLI, ['run', '-c', configPath]), {
    env: { ...withoutGuardedVariables(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? 128 + (signal === null ? 0 : signalNumber(signal)));
    });
  });
  if (child.pid === undefined) throw new Error('teeinit did not start');
  return { child, pid: child.pid, output: () => Buffer.concat(chunks).toString('utf8'), exited };
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };
  return numbers[signal] ?? 0;
}

/** Sends SIGTERM and waits (bounded) for the exit code. */
export async function stopTeeinit(run: TeeinitRun, timeoutMs = 30_000): Promise<number> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
  return withDeadline(run.exited, timeoutMs, 'teeinit to exit after SIGTERM');
}

/**
 * Stops a run that may still be alive (after hooks): SIGTERM to teeinit, SIGKILL after a short
 * grace, then SIGKILL to any backend it had started that outlived it (by recorded pid).
 */
export async function killTeeinit(run: TeeinitRun | undefined): Promise<void> {
  if (!run) return;
  await terminateTree({
    pid: run.pid,
    gone: () => run.child.exitCode !== null || run.child.signalCode !== null,
    signal: (signal) => run.child.kill(signal),
  });
}

/** Files left in a directory (empty array when it is empty or gone). */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
