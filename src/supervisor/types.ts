// The supervisor's public shapes: what the run command hands in (one LaunchSpec per
// process, templates already rendered) and what it gets back (one ExitOutcome).
import type { ProcessConfig } from '../config/types.js';
import type { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';

/** A ProcessConfig after templates are rendered and the user resolved by the caller. */
export interface LaunchSpec {
  /** name, restart, ready, stopSignal, stopTimeout, prefixOutput, cwd… (`run`/`env` are not read). */
  readonly config: ProcessConfig;
  /** Rendered argv; argv[0] is looked up in the PATH of `env`. Never logged past argv[0]. */
  readonly argv: readonly string[];
  /** The final environment of the child (nothing is merged in). Never logged. */
  readonly env: Readonly<Record<string, string>>;
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * Why the supervisor ended and the exit code teeinit should exit with.
 * - `exit` / `signal`: a process exited (by code / by signal) and its policy did not restart it.
 * - `spawn-failed`: a binary was missing (127) or not executable (126), or a hook failed.
 * - `ready-timeout`: a readiness check did not pass in time (TEEINIT_READY_TIMEOUT).
 * - `restart-limit`: a process exceeded maxRestarts within window; code is its last status.
 * - `stopped`: stop() (or a forwarded SIGTERM/SIGINT) after start-up; code is the first
 *   process's status (or the code passed to stop()).
 * - `cancelled`: start-up was cancelled (abort signal or stop() during start-up).
 */
export interface ExitOutcome {
  readonly code: number;
  readonly process?: string;
  readonly reason:
    | 'exit'
    | 'signal'
    | 'spawn-failed'
    | 'ready-timeout'
    | 'restart-limit'
    | 'stopped'
    | 'cancelled';
  readonly signal?: NodeJS.Signals;
  readonly error?: TeeinitError;
}

/** The handle the run command drives: await started, forward signals, await done. */
export interface Supervisor {
  /** Resolves when every process has started (and passed readiness); rejects with TeeinitError. */
  readonly started: Promise<void>;
  /** Resolves once, when the supervisor has decided to end and all children are gone. */
  readonly done: Promise<ExitOutcome>;
  /**
   * Passes a signal to every running child (its pid), whichever it is: what a signal means
   * for the run is the run's to decide (src/run/signal-table.ts), and stopping is stop().
   */
  forward(signal: NodeJS.Signals): void;
  /** Stop everything: stopSignal, wait stopTimeout, then SIGKILL; resolves with the outcome. */
  stop(reason: string, exitCode?: number): Promise<ExitOutcome>;
  /** Sends `signal` to one running process (e.g. SIGHUP to reload); false if it is not running. */
  signal(process: string, signal: NodeJS.Signals): boolean;
  /**
   * Replaces one process while running (refreshed secrets): stopSignal, stopTimeout, SIGKILL,
   * then starts it again from `spec` (re-rendered argv/env). Its exit is not an ending and
   * does not count against maxRestarts. With `ready`, resolves once the new process passed
   * its check or the check's timeout ran out (a warning, nothing is stopped) — or as soon as
   * `signal` aborts (the check goes on and still logs). Resolves false when the run is not
   * (or no longer) running.
   */
  replace(process: string, spec: LaunchSpec, signal?: AbortSignal): Promise<boolean>;
  /**
   * Stops one process for good while the run goes on (stopSignal, stopTimeout, SIGKILL): it
   * is never restarted and its exit ends nothing. Resolves false when there is no such
   * process or the run is not running.
   */
  retire(process: string): Promise<boolean>;
  /** A read-only snapshot for the status endpoint: the run's phase and each process. */
  status(): SupervisorStatus;
}

/** Where the supervisor is: an exit, a stop and a signal mean something else in each. */
export type SupervisorPhase = 'starting' | 'running' | 'stopping';

/** Why: health and status endpoints report the run without touching it (no argv, no env). */
export interface SupervisorStatus {
  readonly phase: SupervisorPhase;
  /** In start order; a process not spawned yet has no pid. */
  readonly processes: readonly ProcessStatus[];
}

/** One process as the status endpoint shows it: names and numbers only. */
export interface ProcessStatus {
  readonly name: string;
  /** The running child's pid; absent while it is not running. */
  readonly pid?: number;
  /** Restarts by the restart policy so far (refresh replacements are not counted). */
  readonly restarts: number;
  /** Passed its `ready` check (or has none) and is still running. */
  readonly ready: boolean;
  /** The last exit's status (code, or 128+n for signal n); absent if it never exited. */
  readonly lastExitCode?: number;
  /** Stopped for good while the run goes on (its material was withdrawn: docs/consent.md). */
  readonly retired?: true;
}

/** Options of startSupervisor. */
export interface SupervisorOptions {
  readonly logger: Logger;
  /** Start-up cancellation: once aborted, nothing further starts and running children stop. */
  readonly signal?: AbortSignal;
  readonly hooks?: {
    /** Awaited before each process's first start (not before restarts). */
    beforeStart?(name: string): Promise<void>;
  };
}
