// One attempt of each readiness check: a TCP connect accepted, a file that exists, a
// command that exits 0. Each attempt is bounded by `timeoutMs` and leaves nothing behind.
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';

/** Who runs a command probe: the same environment and user as the process it checks. */
export interface ProbeContext {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** Splits `host:port` or `[v6]:port`. */
export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) {
    throw new Error(`"${address}" is not host:port`);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** True when a TCP connection to host:port is accepted within timeoutMs. */
export function probeTcp(
  address: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const { host, port } = parseHostPort(address);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(ok);
    };
    const onAbort = (): void => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** True when the file exists (any type). */
export async function probeFile(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** True when the command (no shell) exits 0 within timeoutMs; SIGKILLed on timeout or abort. */
export function probeCommand(
  argv: readonly string[],
  context: ProbeContext,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      stdio: 'ignore',
      signal,
      killSignal: 'SIGKILL',
      env: { ...context.env },
      ...(context.cwd === undefined ? {} : { cwd: context.cwd }),
      ...(context.uid === undefined ? {} : { uid: context.uid }),
      ...(context.gid === undefined ? {} : { gid: context.gid }),
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      resolve(ok);
    };
    child.once('error', () => finish(false));
    child.once('exit', (code) => finish(code === 0));
  });
}
