// `teeinit run`: config → plan → identity → fetch → derive → materialize → serve → shutdown,
// in one direction. Fails closed: any error before the processes run means nothing starts,
// no port stays open and no secret file is left behind.
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { Config } from '../config/types.js';
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import { createIdentities, type Identities } from '../identity/index.js';
import { createShareQuorum, deriveAndValidate, type Material } from '../keys/index.js';
import { Logger, Redactor } from '../log/index.js';
import { materialize, type SecretFiles } from '../materialize/index.js';
import { buildPlan } from '../plan/build-plan.js';
import { acceptedVariables, checkHost, checkSpawnable } from '../preflight/index.js';
import { startProxy, type RunningProxy } from '../proxy/index.js';
import { fetchAll } from '../secrets/index.js';
import { startStatusEndpoint, StatusState, type StatusEndpoint } from '../status/index.js';
import { startSupervisor, type Supervisor } from '../supervisor/index.js';
import { logCertificates } from './certificate-log.js';
import { buildLaunchSpecs } from './launch-specs.js';
import { startRefresh } from './refresh-start.js';
import type { RefreshLoop } from './refresh-loop.js';
import { signalAction } from './signal-table.js';
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
  const signals = new SignalRouter();
  const startup = new AbortController();
  let cancelledBy: NodeJS.Signals | undefined;
  const redactor = options.logger?.redactor ?? new Redactor();
  let logger = options.logger ?? new Logger({ redactor });
  let supervisor: Supervisor | undefined;
  let refresher: RefreshLoop | undefined;
  let state: StatusState | undefined;
  let endpoint: StatusEndpoint | undefined;
  signals.listen((signal) => {
    const action = signalAction(signal, 'startup');
    if (action === 'ignore') {
      logger.info('signal ignored', { signal, phase: 'start-up' });
      return;
    }
    if (action === 'forward') {
      // Processes that already started (others may still be starting) get it; else no one.
      if (supervisor === undefined) {
        logger.info('signal ignored during start-up (no process yet)', { signal });
      } else {
        logger.info('signal received during start-up: forwarding', { signal });
        supervisor.forward(signal);
      }
      return;
    }
    cancelledBy ??= signal;
    state?.setPhase('stopping');
    logger.warn('signal received during start-up: cancelling', { signal });
    startup.abort(cancellation(signal));
  });

  const proxies: RunningProxy[] = [];
  let proxiesClosed: Promise<unknown> | undefined;
  const closeProxies = (drainMs: number): Promise<unknown> =>
    (proxiesClosed ??= Promise.allSettled(proxies.map((p) => p.close(drainMs))));
  let files: SecretFiles | undefined;
  const onExit = (): void => files?.cleanupSync();
  let drainMs = 10_000;
  process.once('exit', onExit);
  try {
    const loaded = loadConfig(options.configPath, options.env);
    const { config } = loaded;
    checkHost(config, options.env);
    drainMs = config.shutdown.stopTimeout;
    logger = options.logger ?? new Logger({ level: config.log.level, redactor });
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
    // First thing after the checks: /healthz answers and /readyz says "starting" during
    // identity and fetch; a port in use fails here, before anything is fetched or written.
    state = new StatusState({
      redactor,
      version: options.version,
      configSha256: loaded.hash,
      processes: config.processes.map((p) => p.name),
      refresh: config.refresh !== undefined,
    });
    state.attach({ proxies: () => proxies });
    if (plan.status !== undefined) {
      endpoint = await startStatusEndpoint(plan.status, state);
      logger.info('status endpoint listening', {
        address: endpoint.address,
        paths: endpoint.paths,
      });
    }

    const identities = createIdentities(config, logger.child({ stage: 'identity' }));
    const material = await acquire(config, identities, options.configPath, logger, startup.signal);
    state.setCertificates(material.tls);
    files = await materialize(
      {
        config,
        files: plan.files,
        overrides: plan.overrides,
        templateTexts: loaded.templateTexts,
      },
      material,
      logger.child({ stage: 'materialize' }),
    );
    throwIfAborted(startup.signal);

    const proxyMaterial = { tls: material.tls, keys: material.keys, secrets: material.secrets };
    const startProxies = async (when: 'before-processes' | 'after-processes'): Promise<void> => {
      for (const proxy of plan.proxies.filter((p) => p.start === when)) {
        const log = logger.child({ stage: 'proxy', proxy: proxy.name });
        proxies.push(await startProxy(proxy.config, proxyMaterial, log));
        throwIfAborted(startup.signal);
      }
    };
    await startProxies('before-processes');

    const running = startSupervisor(buildLaunchSpecs(plan, files), {
      logger: logger.child({ stage: 'supervisor' }),
      signal: startup.signal,
    });
    supervisor = running;
    state.attach({ supervisor: () => running.status() });
    await running.started;
    await startProxies('after-processes');
    logger.info('running', { uptimeMs: Math.round(process.uptime() * 1000) });
    state.setPhase('running');
    refresher = startRefresh(
      plan,
      { configPath: options.configPath, identities, files, proxies, supervisor: running, material },
      logger,
      state,
    );

    signals.listen((signal) => {
      // signal-table.ts decides: a stop signal ends the run (proxies stop accepting, the
      // refresh loop ends); once ending, a second SIGTERM/SIGINT goes to the children as-is.
      const phase = running.status().phase === 'stopping' ? 'stopping' : 'running';
      const action = signalAction(signal, phase);
      if (action === 'ignore') {
        logger.info('signal ignored', { signal, phase });
        return;
      }
      logger.info('signal received', { signal });
      if (action === 'stop') {
        state?.setPhase('stopping');
        void refresher?.stop();
        void closeProxies(config.shutdown.stopTimeout);
        void running.stop(`received ${signal}`);
        return;
      }
      running.forward(signal);
    });
    const outcome = await running.done;
    state.setPhase('stopping');
    logger.info('stopping', {
      reason: outcome.reason,
      process: outcome.process,
      code: outcome.code,
    });
    return outcome.code;
  } catch (error) {
    state?.setPhase('stopping');
    const err = cancelledBy === undefined ? toTeeinitError(error) : cancellation(cancelledBy);
    options.report(err, redactor);
    if (supervisor !== undefined) {
      const outcome = await supervisor.stop(err.message, err.exitCode);
      if (cancelledBy === undefined && (outcome.reason === 'exit' || outcome.reason === 'signal')) {
        return outcome.code;
      }
    }
    return cancelledBy === undefined ? err.exitCode : signalExitCode(cancelledBy);
  } finally {
    // Signals stay routed until the files are gone: a second SIGTERM during the proxies'
    // drain must not kill teeinit with its default action and leave secret files behind.
    // The refresh loop is stopped first: no secret file is written once cleanup starts.
    await refresher?.stop();
    await closeProxies(drainMs);
    if (files !== undefined) {
      await files.cleanup();
      logger.info('secret files removed', { dir: files.dir, count: files.files.size });
    }
    // Last: health checks see "stopping" (or a refused connection) until teeinit exits.
    await endpoint?.close();
    signals.dispose((signal) => logger.debug('signal ignored while exiting', { signal }));
    process.removeListener('exit', onExit);
  }
}

/**
 * Identity, fetch and derive; cancellable by a signal. fetchAll enforces
 * fetch.startupDeadline itself and names the secrets still pending when it expires.
 */
async function acquire(
  config: Config,
  identities: Identities,
  configPath: string,
  logger: Logger,
  cancel: AbortSignal,
): Promise<Material> {
  const began = Date.now();
  const secrets = await fetchAll(config, identities, {
    logger: logger.child({ stage: 'fetch' }),
    signal: cancel,
    deadline: { ms: config.fetch.startupDeadline, key: 'fetch.startupDeadline' },
    baseDir: dirname(resolve(configPath)),
    shareQuorum: (options) => createShareQuorum(config, options),
  });
  logger.info('secrets fetched', { count: secrets.size, ms: Date.now() - began });
  const now = new Date();
  const material = await deriveAndValidate(config, secrets, now);
  // Last line of defence: a derived key never reaches a log line.
  for (const key of material.keys.values()) logger.redactor.add(key);
  logger.info('material validated', { keys: material.keys.size, tls: material.tls.size });
  logCertificates(material.tls, now, logger, config.refresh !== undefined);
  throwIfAborted(cancel);
  return material;
}

function cancellation(signal: NodeJS.Signals): TeeinitError {
  return new TeeinitError(
    'TEEINIT_STARTUP_CANCELLED',
    `Start-up cancelled by ${signal}; no process was left running.`,
    { fields: { signal } },
  );
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw toTeeinitError(signal.reason);
}
