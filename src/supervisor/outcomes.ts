// How each way a run can end becomes its ExitOutcome: a process exiting for good, stop()
// after start-up (tini semantics: the first process's status), a cancelled start-up, and
// a failed spawn, hook or start-up readiness check. Exit codes are documented in README.md.
import { TeeinitError } from '../errors/index.js';
import type { ChildExit } from './exit-status.js';
import type { ExitOutcome } from './types.js';

/** Why: a process that exits and is not restarted ends the run with its own status. */
export function exitedOutcome(name: string, exit: ChildExit): ExitOutcome {
  return {
    code: exit.status,
    process: name,
    reason: exit.signal === null ? 'exit' : 'signal',
    ...(exit.signal === null ? {} : { signal: exit.signal }),
  };
}

/**
 * Why: like tini, stop() ends with the first process's status (read once the children are
 * gone, so call it at the end), unless stop() was given an exit code.
 */
export function stoppedOutcome(
  main: { readonly name: string; readonly lastExit: ChildExit | undefined } | undefined,
  exitCode?: number,
): ExitOutcome {
  const last = main?.lastExit;
  return {
    code: exitCode ?? last?.status ?? 0,
    reason: 'stopped',
    ...(main ? { process: main.name } : {}),
    ...(last?.signal ? { signal: last.signal } : {}),
  };
}

/** Why: a cancelled start-up carries TEEINIT_STARTUP_CANCELLED and stop()'s code, if any. */
export function cancelledOutcome(exitCode?: number): ExitOutcome {
  const error = new TeeinitError('TEEINIT_STARTUP_CANCELLED');
  return { code: exitCode ?? error.exitCode, reason: 'cancelled', error };
}

/**
 * Why: a spawn, hook or readiness failure ends the run with its error's exit code. The
 * reason defaults to what the error says; a restart passes 'spawn-failed' (it waits for
 * no readiness).
 */
export function failedOutcome(
  failure: TeeinitError,
  process: string | undefined,
  reason: 'spawn-failed' | 'ready-timeout' = failure.code === 'TEEINIT_READY_TIMEOUT'
    ? 'ready-timeout'
    : 'spawn-failed',
): ExitOutcome {
  return {
    code: failure.exitCode,
    reason,
    error: failure,
    ...(process === undefined ? {} : { process }),
  };
}
