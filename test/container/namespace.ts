// The "container" without Docker: a holder process (`unshare --net --mount sleep`) owns a
// fresh network namespace (loopback only) and a private mount namespace in which /run is a
// fresh tmpfs, /run/secrets is the tee-mount tmpfs and /run/container_launcher is the
// emulator's state directory, bind-mounted the way the launcher exposes its own directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { runCommand, type CommandResult } from '../helpers/command.js';
import { pollUntil } from '../helpers/poll.js';

/** Size of the secrets tmpfs in bytes, as `tee-mount=...,size=N` would give it. */
export const SECRETS_TMPFS_BYTES = 16 * 1024 * 1024;

/** Why the namespace tests cannot run here, or false when they can. */
export function namespaceUnavailable(commands: readonly string[]): string | false {
  for (const command of ['unshare', 'nsenter', 'ip', '/usr/bin/tini', ...commands]) {
    const found = command.startsWith('/')
      ? existsSync(command)
      : spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
    if (!found) return `${command} is not installed`;
  }
  const probe = spawnSync(
    'unshare',
    ['--net', '--mount', '--pid', '--fork', '--mount-proc', 'true'],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.error) return `unshare not runnable: ${probe.error.message}`;
  if (probe.status !== 0)
    return `unshare of net/mount/pid namespaces not permitted: ${probe.stderr}`;
  return false;
}

/** A running holder and the namespaces it keeps alive. */
export interface ContainerNamespace {
  /** Host pid of the holder (the target of every nsenter). */
  readonly holder: number;
  /** Runs argv inside the network namespace (and the mount namespace with `mount: true`). */
  exec(
    argv: readonly string[],
    options?: { mount?: boolean; input?: string | Buffer; timeoutMs?: number },
  ): Promise<CommandResult>;
  /** `nsenter` argv prefix for a long-running child (network namespace, optionally mounts). */
  enter(mount: boolean): string[];
  /** True when something inside the namespace listens on TCP `port` (from /proc/net/tcp*). */
  listening(port: number): boolean;
  /** Kills the holder (SIGKILL, own pid) and waits until it is gone. */
  stop(): Promise<void>;
}

/** Creates the namespaces and mounts; `stateDir` is bound at /run/container_launcher. */
export async function createNamespace(stateDir: string): Promise<ContainerNamespace> {
  const child: ChildProcess = spawn(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', 'sleep', '600'],
    { stdio: 'ignore' },
  );
  if (child.pid === undefined) throw new Error('unshare did not start');
  const holder = child.pid;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const enter = (mount: boolean): string[] => [
    'nsenter',
    '-t',
    String(holder),
    '-n',
    ...(mount ? ['-m'] : []),
  ];
  // unshare execs sleep once the namespaces exist: wait until the holder's netns differs.
  await pollUntil(
    'the namespace holder',
    () => {
      try {
        return readlinkNs(holder, 'net') !== readlinkNs(process.pid, 'net');
      } catch {
        return false;
      }
    },
    20_000,
  );
  const ns: ContainerNamespace = {
    holder,
    enter,
    exec: (argv, options = {}) =>
      runCommand([...enter(options.mount ?? false), ...argv], {
        ...(options.input === undefined ? {} : { input: options.input }),
        timeoutMs: options.timeoutMs ?? 15_000,
      }),
    listening: (port) => listeningIn(holder, port),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
  };
  const setup = [
    'set -e',
    'ip link set lo up',
    'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run',
    'mkdir /run/secrets /run/container_launcher',
    `mount -t tmpfs -o nosuid,noexec,nodev,size=${SECRETS_TMPFS_BYTES} tmpfs /run/secrets`,
    'mount --bind "$1" /run/container_launcher',
  ].join('\n');
  const r = await ns.exec(['sh', '-c', setup, 'setup', stateDir], { mount: true });
  if (r.code !== 0) {
    await ns.stop();
    throw new Error(`namespace setup failed (${r.code}): ${r.stderr}`);
  }
  return ns;
}

function readlinkNs(pid: number, kind: string): string {
  return readlinkSync(`/proc/${pid}/ns/${kind}`);
}

// /proc/PID/net/tcp{,6} describe the network namespace PID lives in; 0A = LISTEN.
function listeningIn(pid: number, port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === '0A') return true;
    }
  }
  return false;
}

/** The mount options of `path` as the process `pid` sees them (from its mountinfo). */
export function mountOf(pid: number, path: string): { fsType: string; options: string[] } {
  const lines = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n');
  // Last match wins: a later mount on the same point hides the earlier ones.
  let found: { fsType: string; options: string[] } | undefined;
  for (const line of lines) {
    const [left, right] = line.split(' - ');
    const fields = left?.split(' ') ?? [];
    if (fields[4] !== path || right === undefined) continue;
    const [fsType, , superOptions] = right.split(' ');
    found = {
      fsType: fsType ?? '',
      options: [...(fields[5] ?? '').split(','), ...(superOptions ?? '').split(',')],
    };
  }
  if (!found) throw new Error(`${path} is not a mount point for pid ${pid}`);
  return found;
}
