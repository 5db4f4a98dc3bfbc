// Runs the built teeinit CLI as a child process and captures everything it prints, so
// tests can wait for lines, send signals and search the output for secret values.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { runArgv } from '../../src/preflight/index.js';
import { terminateTree } from './process-tree.js';

/** dist/src/cli/main.js, resolved from dist/test/helpers. */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** Compiled fixtures directory (dist/test/fixtures). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface TeeinitProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Both streams, for leak searches. */
  output(): string;
  /**
   * Resolves when `pattern` appears in stdout or stderr; rejects after `timeoutMs` or exit.
   * The default (45 s) is a backstop for a start-up (node boot, token exchange, fetch, a
   * node child) on a loaded machine, where one took 22 s; not a bound any test asserts.
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (128+n for a signal death of teeinit itself). */
  exited(timeoutMs?: number): Promise<number>;
  kill(signal: NodeJS.Signals): void;
  /** After hooks: SIGTERM, SIGKILL after a grace, then SIGKILL to children that outlived it. */
  stop(): Promise<void>;
}

// Every teeinit started here and not yet stopped: a test that fails before its own SIGTERM
// leaves it (and what it supervises) running unless an after hook calls stopAllTeeinit().
const started = new Set<TeeinitProcess>();

/** Stops every teeinit this process started that is still running, with its children. */
export async function stopAllTeeinit(): Promise<void> {
  await Promise.all([...started].map((t) => t.stop()));
}

export function runTeeinit(args: readonly string[], env: NodeJS.ProcessEnv = {}): TeeinitProcess {
  const child = spawn(process.execPath, runArgv(CLI, args), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  // 'exit' can come before the pipes are drained: wait for both streams to end too, but
  // not forever (an orphan of the child could keep a pipe open).
  const drained = Promise.all([once(child.stdout, 'end'), once(child.stderr, 'end')]);
  const exit = once(child, 'exit').then(async ([code, signal]) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    return typeof code === 'number' ? code : 128 + (signal === 'SIGKILL' ? 9 : 15);
  });
  const t: TeeinitProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    output: () => out + err,
    async waitFor(pattern, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exit.then(() => (done = true));
      while (!pattern.test(out + err)) {
        if (done) throw new Error(`teeinit exited before ${pattern}:\n${out}\n${err}`);
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${pattern}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async exited(timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`teeinit did not exit:\n${out}\n${err}`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([exit, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop() {
      if (child.pid !== undefined) {
        await terminateTree({
          pid: child.pid,
          gone: () => child.exitCode !== null || child.signalCode !== null,
          signal: (signal) => child.kill(signal),
        });
      }
      started.delete(t);
    },
  };
  started.add(t);
  void exit.then(() => started.delete(t));
  return t;
}

/** Parses the JSON log lines of an output (non-JSON lines are skipped). */
export function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
