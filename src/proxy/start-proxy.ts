// startProxy: checks the config against the material, builds the TLS contexts, listens,
// and returns a handle with stats, hot swap and a graceful close.
import { lstatSync, unlinkSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import type { ProxyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { formatAddress, isLoopback, parseAddress, type Address } from './address.js';
import { createClientFront } from './client-front.js';
import { describe } from './mtls-context.js';
import { Reporter } from './reporter.js';
import type { Front } from './front.js';
import { createServerFront } from './server-front.js';
import { startAttestGate, usesAttest } from './attest-gate.js';
import { StatsCounter } from './stats.js';
import { startStatusServer } from './status-server.js';
import { ConnectionTracker } from './tracker.js';
import type { ProxyMaterial, RunningProxy } from './types.js';

/**
 * Why: the run command's single entry point for a proxy. Rejects with TEEINIT_PROXY_TLS when
 * the material cannot make a TLS context, TEEINIT_PROXY_LISTEN when the address is taken.
 */
export async function startProxy(
  config: ProxyConfig,
  material: ProxyMaterial,
  logger: Logger,
  options: StartProxyOptions = {},
): Promise<RunningProxy> {
  const log = logger.child({ component: 'proxy', proxy: config.name });
  const listen = parseAddress(config.listen, `proxies.${config.name}.listen`);
  const target = parseAddress(config.target, `proxies.${config.name}.target`);
  checkPlaintextSide(config, listen, target);

  const stats = new StatsCounter(config.name, config.mode);
  const tracker = new ConnectionTracker(stats);
  const reporter = new Reporter(stats, log);
  const parts = { config, tracker, reporter };
  // Before anything listens or dials: our first token, every policy's files (fail closed).
  const gate = usesAttest(config) ? await startAttestGate(config, log, options.signal) : undefined;
  let front: Front;
  let address: string;
  let status: { server: HttpServer; address: string } | undefined;
  try {
    front = isServerMode(config)
      ? createServerFront(parts, material, target, gate)
      : createClientFront(parts, material, target, gate);
    front.server.maxConnections = config.limits.maxConnections;
    address = await listenOn(front.server, listen, config.name);
    if (config.status !== undefined) {
      try {
        status = await startStatusServer(config.name, config.status, () => stats.snapshot());
      } catch (error) {
        front.server.close();
        throw error;
      }
    }
  } catch (error) {
    gate?.stop();
    throw error;
  }
  log.info('proxy listening', {
    mode: config.mode,
    address,
    target: config.target,
    status: status?.address,
    ...(config.attest === undefined ? {} : attestFields(config.attest)),
  });

  let closing: Promise<void> | undefined;
  return {
    name: config.name,
    address,
    ...(status === undefined ? {} : { statusAddress: status.address }),
    stats: () => stats.snapshot(),
    updateMaterial(next: ProxyMaterial): boolean {
      try {
        front.update(next);
        log.info('proxy material updated', { mode: config.mode });
        return true;
      } catch (error) {
        log.error('proxy material update rejected; keeping the previous certificates and keys', {
          mode: config.mode,
          error: describe(error),
        });
        return false;
      }
    },
    close(drainMs: number, reason = 'shutdown'): Promise<void> {
      closing ??= closeProxy(front.server, status?.server, tracker, drainMs, log, reason).finally(
        () => {
          gate?.stop();
          reporter.flush();
        },
      );
      return closing;
    },
  };
}

/** Why: start-up may wait for the launcher (attest.present); a signal must end that wait. */
export interface StartProxyOptions {
  /** Aborting it ends a start still waiting for the first attestation token. */
  readonly signal?: AbortSignal;
}

/** What the listening line says about `attest` (no token, no key). */
function attestFields(attest: NonNullable<ProxyConfig['attest']>): Record<string, unknown> {
  return {
    attest: {
      ...(attest.present === undefined
        ? {}
        : { present: { audience: attest.present.audience, tokenType: attest.present.tokenType } }),
      ...(attest.require === undefined ? {} : { require: { audience: attest.require.audience } }),
    },
  };
}

// Server modes terminate TLS on `listen`; client modes originate it towards `target`.
function isServerMode(config: ProxyConfig): boolean {
  return config.mode === 'mtls-server' || config.mode === 'psk-server';
}

function checkPlaintextSide(config: ProxyConfig, listen: Address, target: Address): void {
  const serverMode = isServerMode(config);
  const plain = serverMode ? target : listen;
  const key = serverMode ? 'target' : 'listen';
  if (!isLoopback(plain) && !config.unsafeNonLoopback) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `proxies.${config.name}.${key} carries plaintext and must be loopback or unix:; got "${formatAddress(plain)}".`,
      {
        hint: `Use 127.0.0.1 or a unix socket, or set proxies.${config.name}.unsafeNonLoopback: true.`,
      },
    );
  }
}

async function listenOn(server: Server, address: Address, name: string): Promise<string> {
  if (address.kind === 'unix') removeStaleSocket(address.path);
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: Error): void =>
      reject(
        new TeeinitError(
          'TEEINIT_PROXY_LISTEN',
          `Proxy "${name}" cannot listen on ${formatAddress(address)}: ${cause.message}.`,
          {
            cause,
            fields: { proxy: name },
          },
        ),
      );
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      resolve();
    };
    if (address.kind === 'unix') server.listen(address.path, done);
    else server.listen({ port: address.port, host: address.host, backlog: 1024 }, done);
  });
  server.on('error', () => undefined);
  if (address.kind === 'unix') return formatAddress(address);
  const info = server.address() as AddressInfo;
  return formatAddress({ kind: 'tcp', host: address.host, port: info.port });
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}

async function closeProxy(
  server: Server,
  status: HttpServer | undefined,
  tracker: ConnectionTracker,
  drainMs: number,
  log: Logger,
  reason: string,
): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  status?.close();
  status?.closeAllConnections();
  if (drainMs <= 0) {
    // No drain: every open connection ends now (its material was withdrawn).
    tracker.destroyAll(reason);
    await Promise.race([
      tracker.idle(),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
    await stopped;
    log.info('proxy closed', { ...tracker.stats.snapshot() });
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    tracker.idle().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), drainMs))),
  ]);
  clearTimeout(timer);
  if (!drained) {
    log.warn('proxy drain window over; closing remaining connections', { open: tracker.size });
    tracker.destroyAll('shutdown');
    // Destroyed sockets report 'close' on a later tick; wait for that (bounded).
    await Promise.race([
      tracker.idle(),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
  }
  await stopped;
  log.info('proxy closed', { ...tracker.stats.snapshot() });
}
