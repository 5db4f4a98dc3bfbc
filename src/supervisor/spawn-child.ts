// Starts one process without a shell: argv[0] resolved in the child's PATH, stdin ignored,
// output inherited (byte for byte) or line-prefixed, uid/gid dropped when given. Node's
// uid/gid options also drop supplementary groups (setgroups(0)), so file owners must match.
// Each child leads a new session and process group (its pid is the group's id), so a stop
// reaches what it started too. RunningChild owns that OS process until its group is empty:
// signals, the stop (systemd's KillMode=mixed: stopSignal to the process, SIGKILL to the
// group at stopTimeout) and the sweep of its group after it exited, each done once.
import {
  spawn,
  type ChildProcess,
  type SpawnOptions as NodeSpawnOptions,
} from 'node:child_process';
import { stat } from 'node:fs/promises';
import { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { resolveExecutable } from '../preflight/resolve-executable.js';
import { toChildExit, type ChildExit } from './exit-status.js';
import { prefixLines } from './prefix-lines.js';
import { emptyGroup, signalGroup } from './process-group.js';
import type { LaunchSpec } from './types.js';

/** How teeinit relays a child's prefixed output. */
export interface SpawnOptions {
  /** Masks secret values in each prefixed line (inherited output never passes teeinit). */
  readonly redact?: (line: Buffer) => Buffer;
}

/** Spawns the process of a LaunchSpec; rejects with TEEINIT_SPAWN_NOT_FOUND / _FAILED. */
export async function spawnChild(
  spec: LaunchSpec,
  options: SpawnOptions = {},
): Promise<RunningChild> {
  const { config, argv, env } = spec;
  const name = config.name;
  const command = argv[0] ?? '';
  const resolved = await resolveExecutable(command, env.PATH, config.cwd);
  if (resolved.kind === 'not-found') {
    throw new TeeinitError(
      'TEEINIT_SPAWN_NOT_FOUND',
      `Process "${name}": command "${command}" was not found${command.includes('/') ? '' : ' in PATH'}.`,
      { fields: { process: name, command } },
    );
  }
  if (resolved.kind === 'not-executable') {
    throw spawnFailed(name, command, `"${resolved.file}" is not an executable file`);
  }
  let child: ChildProcess;
  try {
    child = spawn(resolved.file, argv.slice(1), {
      argv0: command,
      detached: true,
      stdio: [
        'ignore',
        config.prefixOutput ? 'pipe' : 'inherit',
        config.prefixOutput ? 'pipe' : 'inherit',
      ],
      ...identityOptions(spec),
    });
  } catch (error) {
    throw spawnFailed(name, command, error instanceof Error ? error.message : String(error), error);
  }
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve(toChildExit(code, signal)));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (error: NodeJS.ErrnoException) => {
      void describeSpawnError(name, command, config.cwd, error).then(reject);
    });
  });
  // Later 'error' events (a failed kill) must not crash teeinit; exit is what counts.
  child.on('error', () => undefined);
  const output =
    config.prefixOutput && child.stdout && child.stderr
      ? Promise.all([
          prefixLines(child.stdout, process.stdout, `[${name}] `, options.redact),
          prefixLines(child.stderr, process.stderr, `[${name}] `, options.redact),
        ]).then(() => undefined)
      : Promise.resolve();
  return new RunningChild(name, child, exited, output);
}

/** One live OS process: its pid, signals, how it ended, its stop and its group's sweep. */
export class RunningChild {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  /** Resolves when prefixed output has been copied (immediately for inherited output). */
  readonly output: Promise<void>;
  readonly #child: ChildProcess;
  #gone = false;
  /** A stop's SIGKILL time, which the sweep after the exit keeps. */
  #deadline: number | undefined;
  #stopping: Promise<void> | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(
    name: string,
    child: ChildProcess,
    exited: Promise<ChildExit>,
    output: Promise<void>,
  ) {
    this.name = name;
    this.pid = child.pid ?? -1;
    this.#child = child;
    this.exited = exited;
    this.output = output;
    void exited.then(() => (this.#gone = true));
  }

  hasExited(): boolean {
    return this.#gone || this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** Sends a signal to the process (not its group); false when it is already gone. */
  kill(signal: NodeJS.Signals): boolean {
    if (this.hasExited()) return false;
    try {
      return this.#child.kill(signal);
    } catch {
      return false;
    }
  }

  /**
   * Stops it as systemd's KillMode=mixed does: `signal` to the process, SIGKILL to its
   * whole group once `timeoutMs` has passed, and once it exited `signal` to whatever it left
   * in the group (then SIGKILL at the same deadline). Once per process: a second stop waits
   * on the first. Resolves when the group is empty; leaves no timer behind.
   */
  stop(signal: NodeJS.Signals, timeoutMs: number, log: Logger): Promise<void> {
    this.#stopping ??= (async () => {
      if (!this.hasExited()) {
        this.#deadline ??= Date.now() + timeoutMs;
        log.info('stopping', { process: this.name, pid: this.pid, signal, timeoutMs });
        this.kill(signal);
        const timer = setTimeout(() => {
          log.warn('stop timeout passed, killing', {
            process: this.name,
            pid: this.pid,
            signal: 'SIGKILL',
            timeoutMs,
          });
          if (!signalGroup(this.pid, 'SIGKILL')) this.kill('SIGKILL');
        }, timeoutMs);
        try {
          await this.exited;
        } finally {
          clearTimeout(timer);
        }
      }
      await this.sweepGroup(signal, timeoutMs, log);
    })();
    return this.#stopping;
  }

  /**
   * After the process exited, however it ended: `stopSignal` to what it left in its group,
   * SIGKILL at the stop's deadline (or `stopTimeoutMs` from now), then up to 2 s for the
   * group to empty. Once per process; never rejects.
   */
  sweepGroup(stopSignal: NodeJS.Signals, stopTimeoutMs: number, log: Logger): Promise<void> {
    this.#sweeping ??= emptyGroup(
      this,
      stopSignal,
      this.#deadline ?? Date.now() + stopTimeoutMs,
      log,
    ).catch(() => undefined);
    return this.#sweeping;
  }
}

/** Who a process runs as — its environment, cwd, uid and gid — for it and its ready command. */
export function identityOptions(
  spec: LaunchSpec,
): Pick<NodeSpawnOptions, 'env' | 'cwd' | 'uid' | 'gid'> {
  return {
    env: { ...spec.env },
    ...(spec.config.cwd === undefined ? {} : { cwd: spec.config.cwd }),
    ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    ...(spec.gid === undefined ? {} : { gid: spec.gid }),
  };
}

function spawnFailed(name: string, command: string, why: string, cause?: unknown): TeeinitError {
  return new TeeinitError(
    'TEEINIT_SPAWN_FAILED',
    `Process "${name}": cannot start "${command}": ${why}.`,
    {
      fields: { process: name, command },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

async function describeSpawnError(
  name: string,
  command: string,
  cwd: string | undefined,
  error: NodeJS.ErrnoException,
): Promise<TeeinitError> {
  if (error.code === 'ENOENT' && cwd !== undefined && !(await isDirectory(cwd))) {
    return spawnFailed(name, command, `working directory "${cwd}" does not exist`, error);
  }
  if (error.code === 'ENOENT') {
    return new TeeinitError(
      'TEEINIT_SPAWN_NOT_FOUND',
      `Process "${name}": command "${command}" was not found.`,
      {
        fields: { process: name, command },
        cause: error,
      },
    );
  }
  return spawnFailed(name, command, error.code ?? error.message, error);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
