// The supervisor: starts processes in order (waiting for each one's readiness), restarts
// them per policy, forwards signals, and ends everything once — when a process exits for
// good, when stop() is called, or when start-up fails or is cancelled — resolving `done`
// only after every child is gone. Exit-code semantics are documented in README.md here.
// This class orchestrates; exits are judged in handle-exit.ts, outcomes built in
// outcomes.ts, refresh actions live in refresh-actions.ts, the ending in stop-and-drain.ts.
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { ChildExit } from './exit-status.js';
import { handleExit, type Phase } from './handle-exit.js';
import { cancelledOutcome, failedOutcome, stoppedOutcome } from './outcomes.js';
import { replaceProcess, signalProcess, type RefreshHost } from './refresh-actions.js';
import { checkReadyAgain, type RestartCause } from './restart-readiness.js';
import { createSlot, slotStatus, stopSlotChild, type Slot } from './slot.js';
import { sweepGroup } from './process-group.js';
import { spawnChild, type RunningChild } from './spawn-child.js';
import { disarmSlots, stopAndDrain } from './stop-and-drain.js';
import type { ExitOutcome, LaunchSpec, Supervisor, SupervisorOptions } from './types.js';
import { waitReady } from './wait-ready.js';

/** Starts `specs` in array order and supervises them until one ends the run. */
export function startSupervisor(
  specs: readonly LaunchSpec[],
  options: SupervisorOptions,
): Supervisor {
  return new Run(specs, options).handle();
}

class Run {
  readonly #log: Logger;
  readonly #options: SupervisorOptions;
  readonly #slots: Slot[];
  readonly #startup = new AbortController();
  readonly #outputs: Promise<void>[] = [];
  /** Post-restart readiness checks still running; `done` waits for them (they abort at once). */
  readonly #probes = new Set<Promise<void>>();
  /** Process groups of exited children being emptied; `done` waits for them. */
  readonly #sweeps = new Set<Promise<void>>();
  #phase: Phase = 'starting';
  #ending: Promise<ExitOutcome> | undefined;
  #startupTask: Promise<void> = Promise.resolve();
  readonly #started: Promise<void>;
  #resolveStarted!: () => void;
  #rejectStarted!: (error: TeeinitError) => void;
  readonly #done: Promise<ExitOutcome>;
  #resolveDone!: (outcome: ExitOutcome) => void;
  readonly #onAbort = (): void => void this.#cancel();
  /** What signal() and replace() may touch of this run. */
  readonly #refresh: RefreshHost;

  constructor(specs: readonly LaunchSpec[], options: SupervisorOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'supervisor' });
    this.#slots = specs.map(createSlot);
    this.#refresh = {
      slots: this.#slots,
      log: this.#log,
      isRunning: () => this.#phase === 'running',
      restart: (slot, cause) => this.#restart(slot, cause),
    };
    this.#started = new Promise<void>((resolve, reject) => {
      this.#resolveStarted = resolve;
      this.#rejectStarted = reject;
    });
    // The caller may only await `done`; a rejected `started` must not be an unhandled rejection.
    this.#started.catch(() => undefined);
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
    if (options.signal?.aborted === true) {
      void this.#cancel();
    } else {
      options.signal?.addEventListener('abort', this.#onAbort, { once: true });
      this.#startupTask = this.#startAll();
    }
  }

  handle(): Supervisor {
    return {
      started: this.#started,
      done: this.#done,
      forward: (signal) => this.#forward(signal),
      stop: (reason, exitCode) => this.#stop(reason, exitCode),
      signal: (name, signal) => signalProcess(this.#refresh, name, signal),
      replace: (name, spec, signal) => replaceProcess(this.#refresh, name, spec, signal),
      status: () => ({ phase: this.#phase, processes: this.#slots.map(slotStatus) }),
    };
  }

  async #startAll(): Promise<void> {
    let current: Slot | undefined;
    try {
      for (const s of this.#slots) {
        current = s;
        const { config } = s.spec;
        if (this.#phase !== 'starting') return;
        await this.#options.hooks?.beforeStart?.(config.name);
        if (this.#phase !== 'starting') return;
        await this.#spawn(s);
        if (config.ready !== undefined && this.#phase === 'starting') {
          const ms = await waitReady(config.name, config.ready, s.spec, this.#startup.signal);
          s.ready = true;
          this.#log.info('ready', { process: config.name, ms });
        }
      }
      if (this.#phase !== 'starting') return;
      this.#phase = 'running';
      this.#options.signal?.removeEventListener('abort', this.#onAbort);
      this.#resolveStarted();
    } catch (error) {
      if (this.#phase !== 'starting') return; // already ending; the ending decided the outcome
      const failure = toTeeinitError(error);
      void this.#end(() => failedOutcome(failure, current?.spec.config.name));
    }
  }

  async #spawn(slot: Slot): Promise<void> {
    const { config, argv } = slot.spec;
    this.#log.info('starting', { process: config.name, command: argv[0] ?? '' });
    const child = await spawnChild(slot.spec, {
      redact: (line) => this.#log.redactor.redactBytes(line),
    });
    slot.child = child;
    slot.ready = config.ready === undefined;
    this.#outputs.push(child.output);
    this.#log.info('started', { process: config.name, pid: child.pid });
    void child.exited.then((exit) => this.#onExit(slot, child, exit));
    // Whatever it leaves in its process group is stopped once it exits, however it ends.
    const sweep = child.exited.then(() =>
      sweepGroup(child, config.stopSignal, config.stopTimeout, this.#log),
    );
    this.#sweeps.add(sweep);
    void sweep.then(() => this.#sweeps.delete(sweep));
    // Spawned while an ending was under way: it was not in the list being stopped.
    if (this.#phase === 'stopping') void stopSlotChild(slot, child, this.#log);
  }

  #onExit(slot: Slot, child: RunningChild, exit: ChildExit): void {
    const next = handleExit(slot, child, exit, this.#phase, this.#log);
    if (next.kind === 'end') {
      void this.#end(() => next.outcome);
    } else if (next.kind === 'restart') {
      const cause = { restart: next.plan.attempt };
      slot.restartTimer = setTimeout(() => void this.#restart(slot, cause), next.plan.delayMs);
    }
  }

  /** Starts the slot's process again; its readiness check (if any) then runs in the background. */
  async #restart(slot: Slot, cause: RestartCause): Promise<void> {
    delete slot.restartTimer;
    if (this.#phase !== 'running') return;
    if ('restart' in cause) slot.restarts++;
    try {
      await this.#spawn(slot);
      const child = slot.child;
      if (child !== undefined && this.#phase === 'running') this.#checkReady(slot, child, cause);
    } catch (error) {
      if (this.#phase !== 'running') return;
      const failure = toTeeinitError(error);
      void this.#end(() => failedOutcome(failure, slot.spec.config.name, 'spawn-failed'));
    }
  }

  #checkReady(slot: Slot, child: RunningChild, cause: RestartCause): void {
    if (slot.spec.config.ready === undefined) return;
    const controller = new AbortController();
    const task = checkReadyAgain(slot.spec, cause, this.#log, controller.signal).then((ok) => {
      if (ok && slot.child === child) slot.ready = true;
    });
    slot.probe = { child, controller, task };
    this.#probes.add(task);
    void task.then(() => this.#probes.delete(task));
  }

  #forward(signal: NodeJS.Signals): void {
    if ((signal === 'SIGTERM' || signal === 'SIGINT') && this.#ending === undefined) {
      void this.#stop(`received ${signal}`);
      return;
    }
    for (const { child } of this.#slots) {
      if (child === undefined) continue;
      this.#log.debug('forwarding signal', { process: child.name, pid: child.pid, signal });
      child.kill(signal);
    }
  }

  #stop(reason: string, exitCode?: number): Promise<ExitOutcome> {
    if (this.#ending !== undefined) return this.#ending;
    this.#log.info('stopping', { reason });
    if (this.#phase === 'starting') return this.#cancel(exitCode);
    const main = this.#slots[0];
    return this.#end(() => stoppedOutcome(main, exitCode)); // read once the children are gone
  }

  #cancel(exitCode?: number): Promise<ExitOutcome> {
    const outcome = cancelledOutcome(exitCode);
    return this.#end(() => outcome);
  }

  /** Ends the run once: stops every child, then resolves `done` with the decided outcome. */
  #end(decide: () => ExitOutcome): Promise<ExitOutcome> {
    if (this.#ending !== undefined) return this.#ending;
    const wasStarting = this.#phase === 'starting';
    this.#phase = 'stopping';
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#startup.abort(new TeeinitError('TEEINIT_STARTUP_CANCELLED'));
    disarmSlots(this.#slots);
    this.#ending = (async () => {
      await stopAndDrain({
        slots: this.#slots,
        log: this.#log,
        startupTask: () => this.#startupTask,
        probes: this.#probes,
        outputs: this.#outputs,
        sweeps: this.#sweeps,
      });
      const outcome = decide();
      if (wasStarting) {
        this.#rejectStarted(outcome.error ?? new TeeinitError('TEEINIT_STARTUP_CANCELLED'));
      }
      this.#log.info('supervisor done', {
        code: outcome.code,
        reason: outcome.reason,
        ...(outcome.process === undefined ? {} : { process: outcome.process }),
      });
      this.#resolveDone(outcome);
      return outcome;
    })();
    return this.#ending;
  }
}
