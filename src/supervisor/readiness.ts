// Readiness: a process's `ready` check — a TCP connect accepted, a file that exists, a
// command that exits 0 — polled every `interval` until it passes or `timeout` runs out
// (TEEINIT_READY_TIMEOUT, fatal at start-up). After a restart (policy) or a replacement
// (refresh) the same check runs again in the background: passing logs `ready` as start-up
// does, running out of time only logs a warning and the process keeps running. Every
// attempt is bounded and leaves nothing behind; aborting ends a wait at once.
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAddress } from '../config/address.js';
import type { ReadyConfig } from '../config/types.js';
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
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

/** Resolves with the milliseconds it took to become ready. */
export async function waitReady(
  name: string,
  ready: ReadyConfig,
  spec: LaunchSpec,
  signal: AbortSignal,
): Promise<number> {
  const start = Date.now();
  const deadline = start + ready.timeout;
  for (;;) {
    signal.throwIfAborted();
    const left = Math.max(1, deadline - Date.now());
    if (await probeOnce(ready, spec, left, signal)) return Date.now() - start;
    signal.throwIfAborted();
    const now = Date.now();
    if (now >= deadline) {
      throw new TeeinitError(
        'TEEINIT_READY_TIMEOUT',
        `Process "${name}" was not ready (${describeReady(ready)}) within ${ready.timeout} ms.`,
        { fields: { process: name, timeoutMs: ready.timeout } },
      );
    }
    await sleep(Math.min(ready.interval, deadline - now), undefined, { signal });
  }
}

// A command may take long to start on a busy machine: it gets all the time left. A TCP
// connect that hangs (SYN dropped) is retried after at most max(interval, 2 s).
function probeOnce(
  ready: ReadyConfig,
  spec: LaunchSpec,
  leftMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  if (ready.tcp !== undefined) {
    return probeTcp(ready.tcp, Math.min(leftMs, Math.max(ready.interval, 2000)), signal);
  }
  if (ready.file !== undefined) return probeFile(ready.file);
  if (ready.command !== undefined) return probeCommand(ready.command, spec, leftMs, signal);
  return Promise.resolve(true);
}

/** Names the check without its arguments (a command's argv may hold template output). */
export function describeReady(ready: ReadyConfig): string {
  if (ready.tcp !== undefined) return `tcp ${ready.tcp}`;
  if (ready.file !== undefined) return `file ${ready.file}`;
  return `command ${ready.command?.[0] ?? ''}`;
}

/** Why a process started again: the restart policy's attempt, or a refresh's replace(). */
export type RestartCause = { readonly restart: number } | { readonly after: 'refresh' };

/**
 * Why: operators see in the log when a restarted process serves again. Never rejects;
 * resolves when the check passed (true), timed out or failed (false), or `signal` aborted
 * it (false: the process exited or was replaced, or the run is ending) — aborting leaves
 * no timer, socket or child.
 */
export async function checkReadyAgain(
  spec: LaunchSpec,
  cause: RestartCause,
  log: Logger,
  signal: AbortSignal,
): Promise<boolean> {
  const { name, ready } = spec.config;
  if (ready === undefined) return true;
  try {
    const ms = await waitReady(name, ready, spec, signal);
    log.info('ready', { process: name, ms, ...cause });
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    const err = toTeeinitError(error);
    if (err.code === 'TEEINIT_READY_TIMEOUT') {
      log.warn('process not ready after restart', {
        process: name,
        ...cause,
        probe: describeReady(ready),
        timeoutMs: ready.timeout,
        hint: 'the process keeps running; check its output, or raise ready.timeout',
      });
    } else {
      log.warn('readiness check failed after restart', {
        process: name,
        ...cause,
        code: err.code,
        error: err.message,
      });
    }
    return false;
  }
}
