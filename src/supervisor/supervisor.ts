// The supervisor: starts processes in order (waiting for each one's readiness), and ends
// everything once — when a process exits for good, when stop() is called, or when start-up
// fails or is cancelled — resolving `done` only after every child is gone and nothing of
// the run remains (no timer, socket, readiness check, process group or output copy).
// Each process's own life (restarts, readiness after a restart, a refresh's signal or
// replacement) is its Child's (child.ts); exit codes are documented in README.md here.
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { Child, type ChildHost } from './child.js';
import { cancelledOutcome, failedOutcome, stoppedOutcome } from './outcomes.js';
import type {
  ExitOutcome,
  LaunchSpec,
  Supervisor,
  SupervisorOptions,
  SupervisorPhase,
} from './types.js';

/** How long prefixed output may still drain after the children are gone. */
const OUTPUT_GRACE_MS = 1000;

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
  readonly #children: readonly Child[];
  readonly #startup = new AbortController();
  #phase: SupervisorPhase = 'starting';
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
    const host: ChildHost = {
      log: this.#log,
      phase: () => this.#phase,
      end: (decide) => void this.#end(decide),
    };
    this.#children = specs.map((spec) => new Child(spec, host));
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
      forward: (signal) => {
        for (const child of this.#children) child.forward(signal);
      },
      stop: (reason, exitCode) => this.#stop(reason, exitCode),
      signal: (name, signal) => {
        const child = this.#running(name);
        return child !== undefined && child.signal(signal);
      },
      replace: async (name, spec, signal) => {
        const child = this.#running(name);
        return child !== undefined && (await child.replace(spec, signal));
      },
      retire: async (name) => {
        const child = this.#running(name);
        if (child === undefined) return false;
        await child.retire();
        return true;
      },
      status: () => ({
        phase: this.#phase,
        processes: this.#children.map((c) => c.status()),
      }),
    };
  }

  /** signal(), replace() and retire() address a process by name, only while running. */
  #running(name: string): Child | undefined {
    if (this.#phase !== 'running') return undefined;
    return this.#children.find((c) => c.name === name);
  }

  async #startAll(): Promise<void> {
    let current: Child | undefined;
    try {
      for (const child of this.#children) {
        current = child;
        if (this.#phase !== 'starting') return;
        await this.#options.hooks?.beforeStart?.(child.name);
        if (this.#phase !== 'starting') return;
        await child.start();
        if (this.#phase === 'starting') await child.waitReady(this.#startup.signal);
      }
      if (this.#phase !== 'starting') return;
      this.#phase = 'running';
      this.#options.signal?.removeEventListener('abort', this.#onAbort);
      this.#resolveStarted();
    } catch (error) {
      if (this.#phase !== 'starting') return; // already ending; the ending decided the outcome
      const failure = toTeeinitError(error);
      void this.#end(() => failedOutcome(failure, current?.name));
    }
  }

  #stop(reason: string, exitCode?: number): Promise<ExitOutcome> {
    if (this.#ending !== undefined) return this.#ending;
    this.#log.info('stopping', { reason });
    if (this.#phase === 'starting') return this.#cancel(exitCode);
    const main = this.#children[0];
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
    // Synchronously: nothing restarts or probes once the ending began.
    for (const child of this.#children) child.disarm();
    this.#ending = (async () => {
      await this.#stopAndDrain();
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

  /**
   * Every child stopped in parallel (stopSignal, then SIGKILL after stopTimeout), a
   * start-up that may still be spawning waited out and what it spawned stopped too, the
   * aborted readiness checks and the group sweeps settled, and prefixed output given up to
   * 1 s to drain.
   */
  async #stopAndDrain(): Promise<void> {
    const stopAll = (): Promise<unknown> => Promise.all(this.#children.map((c) => c.stop()));
    await stopAll();
    await this.#startupTask; // nothing is still spawning…
    await stopAll(); // …and whatever it spawned meanwhile is gone too
    await Promise.all(this.#children.map((c) => c.settled())); // no check or grandchild outlives `done`
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTPUT_GRACE_MS)));
    await Promise.race([Promise.all(this.#children.flatMap((c) => c.outputs())), grace]);
    clearTimeout(timer);
  }
}
