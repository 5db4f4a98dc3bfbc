// The supervisor: starts processes in order (waiting for each one's readiness), restarts
// them per policy, forwards signals, and ends everything once — when a process exits for
// good, when stop() is called, or when start-up fails or is cancelled — resolving `done`
// only after every child is gone. Exit-code semantics are documented in README.md here.
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { ChildExit } from './exit-status.js';
import { RestartBudget, shouldRestart } from './restart-budget.js';
import { checkReadyAgain, untilAborted, type RestartCause } from './restart-readiness.js';
import { spawnChild, type RunningChild } from './spawn-child.js';
import { stopChild } from './stop-child.js';
import type { ExitOutcome, LaunchSpec, Supervisor, SupervisorOptions } from './types.js';
import { waitReady } from './wait-ready.js';

/** How long prefixed output may still drain after the children are gone. */
const OUTPUT_GRACE_MS = 1000;

interface Slot {
  spec: LaunchSpec;
  /** The child being replaced by `replace()`: its exit ends nothing. */
  replacing?: RunningChild;
  readonly budget: RestartBudget;
  child?: RunningChild;
  last?: ChildExit;
  restartTimer?: NodeJS.Timeout;
  /** The readiness check of a restarted `child`; aborted when that child exits or the run ends. */
  probe?: { child: RunningChild; controller: AbortController; task: Promise<void> };
}

/** Starts `specs` in array order and supervises them until one ends the run. */
export function startSupervisor(
  specs: readonly LaunchSpec[],
  options: SupervisorOptions,
): Supervisor {
  return new Run(specs, options).handle();
}

type Phase = 'starting' | 'running' | 'stopping';

class Run {
  readonly #log: Logger;
  readonly #options: SupervisorOptions;
  readonly #slots: Slot[];
  readonly #startup = new AbortController();
  readonly #outputs: Promise<void>[] = [];
  /** Post-restart readiness checks still running; `done` waits for them (they abort at once). */
  readonly #probes = new Set<Promise<void>>();
  #phase: Phase = 'starting';
  #ending: Promise<ExitOutcome> | undefined;
  #startupTask: Promise<void> = Promise.resolve();
  readonly #started: Promise<void>;
  #resolveStarted!: () => void;
  #rejectStarted!: (error: TeeinitError) => void;
  readonly #done: Promise<ExitOutcome>;
  #resolveDone!: (outcome: ExitOutcome) => void;
  readonly #onAbort = (): void => void this.#cancel();

  constructor(specs: readonly LaunchSpec[], options: SupervisorOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'supervisor' });
    this.#slots = specs.map((spec) => ({ spec, budget: new RestartBudget(spec.config.restart) }));
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
      signal: (name, signal) => this.#signalOne(name, signal),
      replace: (name, spec, signal) => this.#replace(name, spec, signal),
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
      void this.#end(() => ({
        code: failure.exitCode,
        reason: failure.code === 'TEEINIT_READY_TIMEOUT' ? 'ready-timeout' : 'spawn-failed',
        error: failure,
        ...(current ? { process: current.spec.config.name } : {}),
      }));
    }
  }

  async #spawn(slot: Slot): Promise<void> {
    const { config, argv } = slot.spec;
    this.#log.info('starting', { process: config.name, command: argv[0] ?? '' });
    const child = await spawnChild(slot.spec);
    slot.child = child;
    this.#outputs.push(child.output);
    this.#log.info('started', { process: config.name, pid: child.pid });
    void child.exited.then((exit) => this.#onExit(slot, child, exit));
    // Spawned while an ending was under way: it was not in the list being stopped.
    if (this.#phase === 'stopping') void this.#stopOne(slot, child);
  }

  #onExit(slot: Slot, child: RunningChild, exit: ChildExit): void {
    const name = slot.spec.config.name;
    if (slot.child === child) delete slot.child;
    if (slot.probe?.child === child) {
      slot.probe.controller.abort();
      delete slot.probe;
    }
    slot.last = exit;
    this.#log.info('exited', {
      process: name,
      pid: child.pid,
      code: exit.code,
      signal: exit.signal,
    });
    if (slot.replacing === child) {
      delete slot.replacing;
      return;
    }
    if (this.#phase === 'stopping') return;
    const ended = {
      code: exit.status,
      process: name,
      reason: exit.signal === null ? 'exit' : 'signal',
      ...(exit.signal === null ? {} : { signal: exit.signal }),
    } as const;
    if (this.#phase === 'starting') {
      const error = new TeeinitError(
        'TEEINIT_STARTUP_EXITED',
        `Process "${name}" exited with status ${exit.status} during start-up.`,
        { fields: { process: name, status: exit.status } },
      );
      void this.#end(() => ({ ...ended, error }));
      return;
    }
    const { policy } = slot.spec.config.restart;
    if (!shouldRestart(policy, exit.status)) {
      void this.#end(() => ended);
      return;
    }
    const plan = slot.budget.next();
    if (plan === undefined) {
      const { maxRestarts, window } = slot.spec.config.restart;
      const error = new TeeinitError(
        'TEEINIT_RESTART_LIMIT',
        `Process "${name}" exited with status ${exit.status} after ${maxRestarts} restarts within ${window} ms; giving up.`,
        { fields: { process: name, status: exit.status, maxRestarts, windowMs: window } },
      );
      this.#log.error(error.message, { code: error.code, process: name, hint: error.hint });
      void this.#end(() => ({ ...ended, reason: 'restart-limit', error }));
      return;
    }
    this.#log.warn('restarting', { process: name, attempt: plan.attempt, delayMs: plan.delayMs });
    const cause = { restart: plan.attempt };
    slot.restartTimer = setTimeout(() => void this.#restart(slot, cause), plan.delayMs);
  }

  /** Starts the slot's process again; its readiness check (if any) then runs in the background. */
  async #restart(slot: Slot, cause: RestartCause): Promise<void> {
    delete slot.restartTimer;
    if (this.#phase !== 'running') return;
    try {
      await this.#spawn(slot);
      const child = slot.child;
      if (child !== undefined && this.#phase === 'running') this.#checkReady(slot, child, cause);
    } catch (error) {
      if (this.#phase !== 'running') return;
      const failure = toTeeinitError(error);
      void this.#end(() => ({
        code: failure.exitCode,
        process: slot.spec.config.name,
        reason: 'spawn-failed',
        error: failure,
      }));
    }
  }

  #checkReady(slot: Slot, child: RunningChild, cause: RestartCause): void {
    if (slot.spec.config.ready === undefined) return;
    const controller = new AbortController();
    const task = checkReadyAgain(slot.spec, cause, this.#log, controller.signal);
    slot.probe = { child, controller, task };
    this.#probes.add(task);
    void task.then(() => this.#probes.delete(task));
  }

  #signalOne(name: string, signal: NodeJS.Signals): boolean {
    const child = this.#slots.find((s) => s.spec.config.name === name)?.child;
    if (child === undefined || this.#phase !== 'running') return false;
    this.#log.info('signalling process', { process: name, pid: child.pid, signal });
    return child.kill(signal);
  }

  async #replace(name: string, spec: LaunchSpec, signal?: AbortSignal): Promise<boolean> {
    const slot = this.#slots.find((s) => s.spec.config.name === name);
    if (slot === undefined || this.#phase !== 'running' || slot.replacing !== undefined)
      return false;
    slot.spec = spec;
    clearTimeout(slot.restartTimer); // a pending policy restart is superseded
    delete slot.restartTimer;
    const child = slot.child;
    this.#log.info('replacing process', { process: name, pid: child?.pid });
    if (child !== undefined) {
      slot.replacing = child;
      await this.#stopOne(slot, child);
    }
    if (this.#phase !== 'running') return false;
    await this.#restart(slot, { after: 'refresh' });
    const probe = slot.probe;
    if (probe !== undefined) await untilAborted(probe.task, signal);
    return this.#phase === 'running';
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
    return this.#end(() => {
      const last = main?.last;
      return {
        code: exitCode ?? last?.status ?? 0,
        reason: 'stopped',
        ...(main ? { process: main.spec.config.name } : {}),
        ...(last?.signal ? { signal: last.signal } : {}),
      };
    });
  }

  #cancel(exitCode?: number): Promise<ExitOutcome> {
    const error = new TeeinitError('TEEINIT_STARTUP_CANCELLED');
    return this.#end(() => ({ code: exitCode ?? error.exitCode, reason: 'cancelled', error }));
  }

  /** Ends the run once: stops every child, then resolves `done` with the decided outcome. */
  #end(decide: () => ExitOutcome): Promise<ExitOutcome> {
    if (this.#ending !== undefined) return this.#ending;
    const wasStarting = this.#phase === 'starting';
    this.#phase = 'stopping';
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#startup.abort(new TeeinitError('TEEINIT_STARTUP_CANCELLED'));
    for (const slot of this.#slots) {
      clearTimeout(slot.restartTimer);
      delete slot.restartTimer;
      slot.probe?.controller.abort();
    }
    this.#ending = (async () => {
      await this.#stopAll();
      await this.#startupTask; // nothing is still spawning…
      await this.#stopAll(); // …and whatever it spawned meanwhile is gone too
      await Promise.all(this.#probes); // aborted above: no check outlives `done`
      await this.#drainOutput();
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

  async #stopAll(): Promise<void> {
    await Promise.all(
      this.#slots.map((slot) => (slot.child ? this.#stopOne(slot, slot.child) : Promise.resolve())),
    );
  }

  #stopOne(slot: Slot, child: RunningChild): Promise<void> {
    const { stopSignal, stopTimeout } = slot.spec.config;
    return stopChild(child, stopSignal, stopTimeout, this.#log);
  }

  async #drainOutput(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTPUT_GRACE_MS)));
    await Promise.race([Promise.all(this.#outputs), grace]);
    clearTimeout(timer);
  }
}
