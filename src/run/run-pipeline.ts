// `teeinit run`: config → plan → preflight → identity → fetch → derive → materialize →
// serve → shutdown, in one direction. Start-up and shutdown are apart: each start-up step
// that acquires something pushes its undo onto one cleanup stack, and shutdown unwinds it
// in reverse, once, on every path (a normal exit, a stop signal, a fatal error, a
// cancelled start-up). Fails closed: any error before the processes run means nothing
// starts, no port stays open and no secret file is left behind. What a signal does is the
// signal table's (signal-table.ts) to decide; Run only carries it out.
import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import { createIdentities } from '../identity/index.js';
import { Logger, Redactor } from '../log/index.js';
import { materialize } from '../materialize/index.js';
import { buildPlan } from '../plan/build-plan.js';
import type { Plan } from '../plan/types.js';
import { acceptedVariables, checkHost, checkSpawnable } from '../preflight/index.js';
import { startStatusEndpoint, StatusState } from '../status/index.js';
import { startSupervisor, type Supervisor } from '../supervisor/index.js';
import { CleanupStack } from './cleanup-stack.js';
import { buildLaunchSpecs } from './launch-specs.js';
import type { Material } from '../keys/index.js';
import { ConsentGuard } from './consent-guard.js';
import { acquireMaterial, throwIfAborted } from './material.js';
import { RunningProxies } from './proxies.js';
import { startRefresh } from './refresh-loop.js';
import type { SignalPhase } from './signal-table.js';
import { signalExitCode, SignalRouter } from './signals.js';

export interface RunOptions {
  readonly configPath: string;
  /** Operator environment: only allow-listed overrides are read from it. */
  readonly env: NodeJS.ProcessEnv;
  readonly version: string;
  /**
   * Reports a fatal error to the user (one line on stderr plus a log line), masking with
   * `redactor`, the run's logger's.
   */
  readonly report: (error: TeeinitError, redactor: Redactor) => void;
  readonly logger?: Logger;
}

/** Runs everything and resolves with the process exit code; never rejects. */
export async function runPipeline(options: RunOptions): Promise<number> {
  const run = new Run(options);
  try {
    await run.start();
    return await run.serve();
  } catch (error) {
    return await run.fail(error);
  } finally {
    await run.shutdown();
  }
}

/** One `teeinit run`: what it acquired (on its cleanup stack), its phase, its signals. */
class Run {
  readonly #options: RunOptions;
  /** The run's secrets, masked in every line of both its loggers and in the fatal report. */
  readonly #redactor: Redactor;
  #logger: Logger;
  readonly #cleanup: CleanupStack;
  /** Aborted by a stop signal during start-up: cancels identity, fetch and the supervisor. */
  readonly #startup = new AbortController();
  /** In the signal table's terms; `stopping` from a stop signal or a failed start-up on. */
  #phase: SignalPhase = 'startup';
  #cancelledBy: NodeJS.Signals | undefined;
  #state: StatusState | undefined;
  readonly #proxies = new RunningProxies();
  #supervisor: Supervisor | undefined;
  #refresh: { stop(): Promise<void> } | undefined;
  /** shutdown.stopTimeout once the config is loaded: how long proxies drain. */
  #drainMs = 10_000;

  constructor(options: RunOptions) {
    this.#options = options;
    this.#redactor = options.logger?.redactor ?? new Redactor();
    this.#logger = options.logger ?? new Logger({ redactor: this.#redactor });
    this.#cleanup = new CleanupStack((name, error) =>
      this.#logger.error('shutdown step failed', { step: name, error: String(error) }),
    );
    // Last undone: signals stay routed until the files are gone (a second SIGTERM during
    // the proxies' drain must not kill teeinit with its default action), and a teeinit that
    // exits before unwinding still removes the secret files (the stack's synchronous undos).
    const onExit = (): void => this.#cleanup.unwindSync();
    process.once('exit', onExit);
    this.#cleanup.defer('exit hook', () => process.removeListener('exit', onExit));
    const signals = new SignalRouter({
      phase: () => this.#signalPhase(),
      stop: (signal, phase) => this.#stop(signal, phase),
      forward: (signal, phase) => this.#forward(signal, phase),
      ignore: (signal, phase) =>
        this.#logger.info('signal ignored', {
          signal,
          phase: phase === 'startup' ? 'start-up' : phase,
        }),
    });
    this.#cleanup.defer('signal routing', () =>
      signals.dispose((signal) => this.#logger.debug('signal ignored while exiting', { signal })),
    );
  }

  /** Everything up to "running"; each step that acquires something defers its undo. */
  async start(): Promise<void> {
    const options = this.#options;
    const loaded = loadConfig(options.configPath, options.env);
    const { config } = loaded;
    checkHost(config, options.env);
    this.#drainMs = config.shutdown.stopTimeout;
    this.#logger =
      options.logger ?? new Logger({ level: config.log.level, redactor: this.#redactor });
    const logger = this.#logger;
    logger.info('teeinit starting', {
      version: options.version,
      config: resolve(options.configPath),
      configSha256: loaded.hash,
    });
    for (const warning of loaded.warnings) logger.warn(warning);
    const accepted = acceptedVariables(config, options.env);
    if (accepted.length > 0) logger.info('environment accepted by the config', { accepted });
    if (process.pid === 1) {
      logger.warn(
        'teeinit is PID 1 without an init above it (unsafeAllowPid1): orphans of the application stay zombies',
      );
    }
    const plan = buildPlan(loaded);
    logger.info('plan', {
      collaborators: plan.collaborators.map((c) => c.name),
      secrets: plan.fetches.length,
      keys: plan.keys.length,
      files: plan.files.length,
      proxies: plan.proxies.map((p) => p.name),
      processes: plan.processes.map((p) => p.name),
    });
    // Everything spawn, the file writer and the secrets directory could refuse, checked
    // before any port opens and before anything is fetched.
    await checkSpawnable(plan, logger.child({ stage: 'preflight' }));
    const state = new StatusState({
      redactor: this.#redactor,
      version: options.version,
      configSha256: plan.hash,
      processes: plan.processes.map((p) => p.name),
      refresh: config.refresh !== undefined,
    });
    this.#state = state;
    state.attach({ proxies: () => this.#proxies.entries().map((e) => e.proxy) });
    // The first step of the plan's start order: /healthz answers and /readyz says
    // "starting" during identity and fetch; a port in use fails here, before any fetch.
    if (plan.status !== undefined) {
      const endpoint = await startStatusEndpoint(plan.status, state);
      this.#cleanup.defer('status endpoint', () => endpoint.close());
      logger.info('status endpoint listening', {
        address: endpoint.address,
        paths: endpoint.paths,
      });
    }

    const identities = createIdentities(config, logger.child({ stage: 'identity' }));
    const cancel = this.#startup.signal;
    const material = await acquireMaterial(config, identities, options.configPath, logger, cancel);
    state.setCertificates(material.tls);
    const files = await materialize(
      { config, files: plan.files, overrides: plan.overrides, templateTexts: loaded.templateTexts },
      material,
      logger.child({ stage: 'materialize' }),
    );
    this.#cleanup.defer(
      'secret files',
      async () => {
        await files.cleanup();
        this.#logger.info('secret files removed', { dir: files.dir, count: files.files.size });
      },
      () => files.cleanupSync(),
    );
    throwIfAborted(cancel);

    this.#cleanup.defer('proxies', () => this.#proxies.close(this.#drainMs));
    const proxyMaterial = { tls: material.tls, keys: material.keys, secrets: material.secrets };
    // The rest of the start order: proxies that start before the processes, the
    // processes (the supervisor starts them all, in plan order, each waiting for the
    // previous one's readiness), the proxies that start once they are ready.
    const startProcesses = async (): Promise<void> => {
      if (this.#supervisor !== undefined) return;
      const supervisor = startSupervisor(buildLaunchSpecs(plan, files), {
        logger: logger.child({ stage: 'supervisor' }),
        signal: cancel,
      });
      this.#supervisor = supervisor;
      this.#cleanup.defer('supervisor', () => supervisor.stop('shutdown'));
      state.attach({ supervisor: () => supervisor.status() });
      await supervisor.started;
    };
    for (const step of plan.startOrder) {
      if (step.kind === 'process') await startProcesses();
      if (step.kind !== 'proxy') continue;
      if (step.proxy.start === 'after-processes') await startProcesses();
      await this.#proxies.start(step.proxy, proxyMaterial, logger, cancel);
      throwIfAborted(cancel);
    }
    await startProcesses(); // a config of proxies only still has a (process-less) supervisor

    logger.info('running', { uptimeMs: Math.round(process.uptime() * 1000) });
    state.setPhase('running');
    const supervisor = this.#supervisor;
    if (supervisor === undefined) throw new TeeinitError('TEEINIT_INTERNAL', 'No supervisor.');
    this.#startRefresh(plan, {
      configPath: options.configPath,
      identities,
      files,
      supervisor,
      material,
    });
    this.#phase = 'running';
  }

  /** Running: resolves with the exit code once the supervisor has ended the run. */
  async serve(): Promise<number> {
    const supervisor = this.#supervisor;
    if (supervisor === undefined) throw new TeeinitError('TEEINIT_INTERNAL', 'Not started.');
    const outcome = await supervisor.done;
    this.#state?.setPhase('stopping');
    this.#logger.info('stopping', {
      reason: outcome.reason,
      process: outcome.process,
      code: outcome.code,
    });
    return outcome.code;
  }

  /** A failed or cancelled start-up: reported once; the exit code it ends with. */
  async fail(error: unknown): Promise<number> {
    this.#phase = 'stopping';
    this.#state?.setPhase('stopping');
    const err =
      this.#cancelledBy === undefined ? toTeeinitError(error) : cancellation(this.#cancelledBy);
    this.#options.report(err, this.#redactor);
    if (this.#supervisor !== undefined) {
      const outcome = await this.#supervisor.stop(err.message, err.exitCode);
      if (
        this.#cancelledBy === undefined &&
        (outcome.reason === 'exit' || outcome.reason === 'signal')
      ) {
        return outcome.code;
      }
    }
    return this.#cancelledBy === undefined ? err.exitCode : signalExitCode(this.#cancelledBy);
  }

  /**
   * Undoes what start-up acquired, last first: the refresh loop (nothing is written once
   * cleanup starts), the supervisor, the proxies, the secret files, the status endpoint
   * (health checks see "stopping" or a refused connection until teeinit exits), the signal
   * routing, the exit hook.
   */
  shutdown(): Promise<void> {
    return this.#cleanup.unwind();
  }

  #startRefresh(plan: Plan, parts: Omit<Parameters<typeof startRefresh>[1], 'proxies'>): void {
    const revocation = plan.config.refresh?.revocation;
    const consent =
      revocation === undefined
        ? undefined
        : (material: () => Material): ConsentGuard => {
            const guard = new ConsentGuard(
              {
                plan,
                proxies: this.#proxies,
                supervisor: parts.supervisor,
                files: parts.files,
                material,
                end: (error) => this.#endRevoked(error),
              },
              revocation.confirmations,
            );
            this.#state?.attach({ consent: () => guard.snapshot() });
            return guard;
          };
    const refresh = startRefresh(
      plan,
      { ...parts, proxies: this.#proxies },
      this.#logger,
      this.#state,
      consent,
    );
    if (refresh === undefined) return;
    this.#refresh = refresh;
    this.#cleanup.defer('refresh loop', () => refresh.stop());
  }

  /**
   * Nothing is left to serve after a revocation: reported like a fatal error (one line on
   * stderr, its exit code), then the usual shutdown removes every secret file.
   */
  #endRevoked(error: TeeinitError): void {
    this.#phase = 'stopping';
    this.#state?.setPhase('stopping');
    this.#options.report(error, this.#redactor);
    void this.#refresh?.stop();
    void this.#supervisor?.stop(error.message, error.exitCode);
  }

  /**
   * Where the run is, in the signal table's terms: stopping once it is ending — a stop
   * signal, a failed start-up, or the supervisor ending it (a process that exited for good
   * or failed to start).
   */
  #signalPhase(): SignalPhase {
    if (this.#supervisor?.status().phase === 'stopping') return 'stopping';
    return this.#phase;
  }

  /** The table's `stop`: cancel start-up, or end the run while running. */
  #stop(signal: NodeJS.Signals, phase: SignalPhase): void {
    this.#phase = 'stopping';
    this.#state?.setPhase('stopping');
    if (phase === 'startup') {
      this.#cancelledBy ??= signal;
      this.#logger.warn('signal received during start-up: cancelling', { signal });
      this.#startup.abort(cancellation(signal));
      return;
    }
    this.#logger.info('signal received', { signal });
    // Proxies stop accepting and the refresh loop ends while the processes stop.
    void this.#refresh?.stop();
    void this.#proxies.close(this.#drainMs);
    void this.#supervisor?.stop(`received ${signal}`);
  }

  /** The table's `forward`: to each process started so far. */
  #forward(signal: NodeJS.Signals, phase: SignalPhase): void {
    const supervisor = this.#supervisor;
    if (phase !== 'startup') {
      this.#logger.info('signal received', { signal });
    } else if (supervisor === undefined) {
      this.#logger.info('signal ignored during start-up (no process yet)', { signal });
      return;
    } else {
      this.#logger.info('signal received during start-up: forwarding', { signal });
    }
    supervisor?.forward(signal);
  }
}

function cancellation(signal: NodeJS.Signals): TeeinitError {
  return new TeeinitError(
    'TEEINIT_STARTUP_CANCELLED',
    `Start-up cancelled by ${signal}; no process was left running.`,
    { fields: { signal } },
  );
}
