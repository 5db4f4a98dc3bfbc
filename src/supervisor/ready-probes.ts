// One attempt of each readiness check: a TCP connect accepted, a file that exists, a
// command that exits 0. Each attempt is bounded by `timeoutMs` and leaves nothing behind.
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { parseAddress } from '../config/address.js';
import { identityOptions } from './spawn-child.js';
import type { LaunchSpec } from './types.js';

/** True when a TCP connection to host:port is accepted within timeoutMs. */
export function probeTcp(
  address: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  // The config's address grammar; its rules admit only a TCP `host:port` with a port here.
  const parsed = parseAddress(address);
  if (parsed?.kind !== 'tcp' || parsed.port === 0) {
    throw new Error(`"${address}" is not host:port`);
  }
  const { host, port } = parsed;
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

/**
 * True when the command (no shell) exits 0 within timeoutMs; SIGKILLed on timeout or abort,
 * resolving once it has exited.
 * It runs with the environment, cwd and user of the process it checks (`spec`).
 */
export function probeCommand(
  argv: readonly string[],
  spec: LaunchSpec,
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
      ...identityOptions(spec),
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      resolve(ok);
    };
    // A spawn that failed has no process; an aborted one is SIGKILLed: wait for its exit,
    // so an aborted check leaves no child (nor its handle) behind.
    child.once('error', () => {
      if (child.pid === undefined) finish(false);
    });
    child.once('exit', (code) => finish(code === 0));
  });
}
