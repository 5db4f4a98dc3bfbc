// One supervised process across its whole life, as consul-template's Child: its current
// spec and OS process, its readiness, its restart budget and pending restart, a refresh's
// signal or replacement, its stop, and its status. What an exit means depends on where the
// run is (the supervisor's phase): while stopping, nothing; during start-up, the end of the
// run (TEEINIT_STARTUP_EXITED), whatever the policy; while running, a restart after the
// backoff or the end of the run with the process's status (TEEINIT_RESTART_LIMIT once more
// than maxRestarts fall within the window). The exit of a process being replaced, or of a
// retired one, ends nothing.
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { abortable } from '../retry/index.js';
import type { ChildExit } from './exit-status.js';
import { exitedOutcome, failedOutcome } from './outcomes.js';
import { checkReadyAgain, waitReady, type RestartCause } from './readiness.js';
import { RestartBudget, shouldRestart } from './restart-budget.js';
import { spawnChild, type RunningChild } from './spawn-child.js';
import type { ExitOutcome, LaunchSpec, ProcessStatus, SupervisorPhase } from './types.js';

/** What a Child asks of the supervisor it belongs to. */
export interface ChildHost {
  readonly log: Logger;
  /** Where the run is: an exit means something else in each phase. */
  phase(): SupervisorPhase;
  /** Ends the run, once, with what `decide` returns when every process is gone. */
  end(decide: () => ExitOutcome): void;
}

/** A post-restart readiness check of one OS process; aborted when it exits or the run ends. */
interface Probe {
  readonly process: RunningChild;
  readonly controller: AbortController;
  readonly task: Promise<void>;
}

export class Child {
  readonly #host: ChildHost;
  readonly #budget: RestartBudget;
  #spec: LaunchSpec;
  /** The running OS process, if any. */
  #process: RunningChild | undefined;
  /** The process replace() is stopping: its exit ends nothing. */
  #replacing: RunningChild | undefined;
  #last: ChildExit | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Policy restarts so far (the status endpoint's count; the budget keeps only a window). */
  #restarts = 0;
  /** The current process passed its readiness check (or has none). */
  #ready = false;
  /** Stopped for good by retire(): never started again, its exit ends nothing. */
  #retired = false;
  #probe: Probe | undefined;
  /** What the end of the run waits for: checks still running, groups being emptied. */
  readonly #pending = new Set<Promise<void>>();
  /** Every process's output copy. */
  readonly #outputs: Promise<void>[] = [];

  constructor(spec: LaunchSpec, host: ChildHost) {
    this.#spec = spec;
    this.#host = host;
    this.#budget = new RestartBudget(spec.config.restart);
  }

  get name(): string {
    return this.#spec.config.name;
  }

  /** How its last process ended (the run's outcome after stop() reads the first one's). */
  get lastExit(): ChildExit | undefined {
    return this.#last;
  }

  /** Why: the status endpoint reads names and numbers, never argv or env. */
  status(): ProcessStatus {
    const process = this.#process;
    return {
      name: this.name,
      ...(process === undefined ? {} : { pid: process.pid }),
      restarts: this.#restarts,
      ready: process !== undefined && this.#ready,
      ...(this.#last === undefined ? {} : { lastExitCode: this.#last.status }),
      ...(this.#retired ? { retired: true as const } : {}),
    };
  }

  /** Starts its process; rejects with TEEINIT_SPAWN_NOT_FOUND / _FAILED. */
  async start(): Promise<void> {
    const { config, argv } = this.#spec;
    const log = this.#host.log;
    log.info('starting', { process: config.name, command: argv[0] ?? '' });
    const process = await spawnChild(this.#spec, {
      redact: (line) => log.redactor.redactBytes(line),
    });
    this.#process = process;
    this.#ready = config.ready === undefined;
    this.#outputs.push(process.output);
    log.info('started', { process: config.name, pid: process.pid });
    void process.exited.then((exit) => this.#onExit(process, exit));
    // Whatever it leaves in its process group is stopped once it exits, however it ends.
    this.#track(
      process.exited.then(() => process.sweepGroup(config.stopSignal, config.stopTimeout, log)),
    );
    // Started while the run was ending: it was not among the processes being stopped.
    if (this.#host.phase() === 'stopping') void this.stop();
  }

  /** Start-up readiness: resolves once the check passed; TEEINIT_READY_TIMEOUT is fatal. */
  async waitReady(signal: AbortSignal): Promise<void> {
    const { config } = this.#spec;
    if (config.ready === undefined) return;
    const ms = await waitReady(config.name, config.ready, this.#spec, signal);
    this.#ready = true;
    this.#host.log.info('ready', { process: config.name, ms });
  }

  /** Passes a signal to its process (its pid only); nothing when none runs. */
  forward(signal: NodeJS.Signals): void {
    const process = this.#process;
    if (process === undefined) return;
    this.#host.log.debug('forwarding signal', { process: process.name, pid: process.pid, signal });
    process.kill(signal);
  }

  /** Why: backends that reload on a signal keep running; false if it is not running. */
  signal(signal: NodeJS.Signals): boolean {
    const process = this.#process;
    if (process === undefined) return false;
    this.#host.log.info('signalling process', { process: this.name, pid: process.pid, signal });
    return process.kill(signal);
  }

  /**
   * Why: backends that read secrets only at start need a new process. Stops the running one
   * (its exit ends nothing and spends no restart budget), starts one from `spec`, and waits
   * for its readiness check unless `signal` aborts first (the check goes on and logs).
   * False once the run is not running.
   */
  async replace(spec: LaunchSpec, signal?: AbortSignal): Promise<boolean> {
    if (this.#replacing !== undefined || this.#retired) return false;
    this.#spec = spec;
    this.#cancelRestart(); // a pending policy restart is superseded
    const process = this.#process;
    this.#host.log.info('replacing process', { process: this.name, pid: process?.pid });
    if (process !== undefined) {
      this.#replacing = process;
      await this.#stop(process);
    }
    if (this.#host.phase() !== 'running') return false;
    await this.#restart({ after: 'refresh' });
    const probe = this.#probe;
    if (probe !== undefined) await abortable(probe.task, signal).catch(() => undefined);
    return this.#host.phase() === 'running';
  }

  /**
   * Why: a process whose material is withdrawn must stop for good while the run goes on.
   * Stops it (stopSignal, stopTimeout, SIGKILL); it is never started again and its exit
   * ends nothing.
   */
  async retire(): Promise<void> {
    this.#retired = true;
    this.disarm();
    this.#host.log.info('retiring process', { process: this.name, pid: this.#process?.pid });
    await this.stop();
  }

  /** Stops its running process, if any: stopSignal, SIGKILL after stopTimeout. */
  stop(): Promise<void> {
    return this.#process === undefined ? Promise.resolve() : this.#stop(this.#process);
  }

  /** No pending restart fires and a post-restart readiness check aborts (the run is ending). */
  disarm(): void {
    this.#cancelRestart();
    this.#probe?.controller.abort();
  }

  /** Resolves when its readiness checks and the sweeps of its groups are over. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  /** Every output copy of its processes, spawned so far. */
  outputs(): readonly Promise<void>[] {
    return this.#outputs;
  }

  // Each process is stopped with the current spec's stopSignal and stopTimeout.
  #stop(process: RunningChild): Promise<void> {
    const { stopSignal, stopTimeout } = this.#spec.config;
    return process.stop(stopSignal, stopTimeout, this.#host.log);
  }

  #onExit(process: RunningChild, exit: ChildExit): void {
    const name = this.name;
    if (this.#process === process) {
      this.#process = undefined;
      this.#ready = false;
    }
    if (this.#probe?.process === process) {
      this.#probe.controller.abort();
      this.#probe = undefined;
    }
    this.#last = exit;
    const log = this.#host.log;
    log.info('exited', { process: name, pid: process.pid, code: exit.code, signal: exit.signal });
    if (this.#replacing === process) {
      this.#replacing = undefined;
      return;
    }
    const phase = this.#host.phase();
    if (phase === 'stopping' || this.#retired) return;
    const ended = exitedOutcome(name, exit);
    if (phase === 'starting') {
      const error = new TeeinitError(
        'TEEINIT_STARTUP_EXITED',
        `Process "${name}" exited with status ${exit.status} during start-up.`,
        { fields: { process: name, status: exit.status } },
      );
      this.#host.end(() => ({ ...ended, error }));
      return;
    }
    const { policy, maxRestarts, window } = this.#spec.config.restart;
    if (!shouldRestart(policy, exit.status)) {
      this.#host.end(() => ended);
      return;
    }
    const plan = this.#budget.next();
    if (plan === undefined) {
      const error = new TeeinitError(
        'TEEINIT_RESTART_LIMIT',
        `Process "${name}" exited with status ${exit.status} after ${maxRestarts} restarts within ${window} ms; giving up.`,
        { fields: { process: name, status: exit.status, maxRestarts, windowMs: window } },
      );
      log.error(error.message, { code: error.code, process: name, hint: error.hint });
      this.#host.end(() => ({ ...ended, reason: 'restart-limit', error }));
      return;
    }
    log.warn('restarting', { process: name, attempt: plan.attempt, delayMs: plan.delayMs });
    const cause = { restart: plan.attempt };
    this.#restartTimer = setTimeout(() => void this.#restart(cause), plan.delayMs);
  }

  /** Starts its process again; its readiness check (if any) then runs in the background. */
  async #restart(cause: RestartCause): Promise<void> {
    this.#restartTimer = undefined;
    if (this.#host.phase() !== 'running') return;
    if ('restart' in cause) this.#restarts++;
    try {
      await this.start();
      const process = this.#process;
      if (process !== undefined && this.#host.phase() === 'running') {
        this.#checkReady(process, cause);
      }
    } catch (error) {
      if (this.#host.phase() !== 'running') return;
      const failure = toTeeinitError(error);
      this.#host.end(() => failedOutcome(failure, this.name, 'spawn-failed'));
    }
  }

  #checkReady(process: RunningChild, cause: RestartCause): void {
    if (this.#spec.config.ready === undefined) return;
    const controller = new AbortController();
    const task = checkReadyAgain(this.#spec, cause, this.#host.log, controller.signal).then(
      (ok) => {
        if (ok && this.#process === process) this.#ready = true;
      },
    );
    this.#probe = { process, controller, task };
    this.#track(task);
  }

  #cancelRestart(): void {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }

  #track(task: Promise<void>): void {
    this.#pending.add(task);
    void task.then(() => this.#pending.delete(task));
  }
}
