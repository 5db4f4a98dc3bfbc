// The image's ENTRYPOINT inside the namespaces: `tini -- node /opt/teeinit/teeinit.mjs run
// -c CONFIG` as PID 1 of a fresh PID namespace (unshare --pid --fork --mount-proc), entered
// into the container's network and mount namespaces, with an image-like environment.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pollUntil, withDeadline } from '../helpers/poll.js';
import { childPids, isAlive } from '../helpers/procfs.js';
import { runArgv } from '../../src/preflight/index.js';
import type { ContainerNamespace } from './namespace.js';

/** The environment a Dockerfile without ENV gives the entrypoint (plus HOME for root). */
export const IMAGE_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
};

/** A running container: host pids of its process tree and its captured output. */
export interface ContainerRun {
  /** Host pid of `unshare --fork` (exits with tini's code). */
  readonly unsharePid: number;
  /** stdout + stderr of the whole tree so far. */
  output(): string;
  /** Resolves with the exit code (128+n for a signal) once unshare is gone. */
  readonly exited: Promise<number>;
  /** Host pid of tini (PID 1 inside), once it exists. */
  tini(): Promise<number>;
  /** True while unshare has not exited. */
  running(): boolean;
  /** After hooks: SIGKILL to tini (the whole PID namespace dies with it). */
  kill(): void;
}

/** Starts the entrypoint; `cli` is the bundle's teeinit.mjs, `config` the image's config file. */
export function startContainer(ns: ContainerNamespace, cli: string, config: string): ContainerRun {
  const [file, ...args] = ns.enter(true);
  const child = spawn(
    file!,
    [
      ...args,
      'unshare',
      '--pid',
      '--fork',
      '--mount-proc',
      '/usr/bin/tini',
      '--',
      process.execPath,
      ...runArgv(cli, ['run', '-c', config]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: IMAGE_ENV, cwd: '/' },
  );
  if (child.pid === undefined) throw new Error('nsenter did not start');
  const unsharePid = child.pid;
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 128))),
  );
  let tiniPid: number | undefined;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    unsharePid,
    exited,
    running,
    output: () => Buffer.concat(chunks).toString('utf8'),
    tini: async () => {
      tiniPid ??= await pollUntil('tini under unshare', () => childPids(unsharePid)[0], 20_000);
      return tiniPid;
    },
    kill: () => {
      // tini may not have been looked up yet (start-up failed early): find it now, since
      // SIGKILL to unshare alone would leave tini and the whole namespace running.
      tiniPid ??= running() ? childPids(unsharePid)[0] : undefined;
      if (tiniPid !== undefined && isAlive(tiniPid)) process.kill(tiniPid, 'SIGKILL');
      else if (running()) child.kill('SIGKILL');
    },
  };
}

/** Sends SIGTERM to tini and waits (bounded) for the container's exit code. */
export async function stopContainer(run: ContainerRun, timeoutMs = 30_000): Promise<number> {
  process.kill(await run.tini(), 'SIGTERM');
  return withDeadline(run.exited, timeoutMs, 'the container to exit after SIGTERM');
}

/** The pid of `pid` as seen inside its innermost PID namespace (last NSpid field). */
export function innerPid(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = status.split('\n').find((l) => l.startsWith('NSpid:'));
  const fields = line?.split(/\s+/).slice(1) ?? [];
  return Number(fields[fields.length - 1]);
}
