// Readiness after a restart (restart policy) or a replacement (refresh): the process's
// `ready` check runs again in the background with its own timeout and interval. Passing
// logs `ready` like start-up does; running out of time only logs a warning — the process
// keeps running (at start-up the same failure is fatal, that is the supervisor's call).
import { toTeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { LaunchSpec } from './types.js';
import { describeReady, waitReady } from './wait-ready.js';

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
