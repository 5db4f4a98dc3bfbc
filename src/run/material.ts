// The material of a run — fetched secrets, derived keys, checked TLS bundles — obtained the
// same way at start-up and in each refresh cycle: every secret fetched (file secrets
// relative to the config's directory, threshold keys' shares through their quorum), then
// derived and checked, every derived key registered with the run's redactor.
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/types.js';
import { toTeeinitError } from '../errors/index.js';
import type { Identities } from '../identity/index.js';
import { createShareQuorum, deriveAndValidate, type Material } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import { fetchAll, type FetchAllOptions } from '../secrets/index.js';
import { logCertificates } from './certificate-log.js';

/** Why: start-up and refresh fetch with the same file base and the same quorum. */
export function fetchSecrets(
  config: Config,
  identities: Identities,
  configPath: string,
  options: Omit<FetchAllOptions, 'baseDir' | 'shareQuorum'>,
): Promise<Map<string, Buffer>> {
  return fetchAll(config, identities, {
    ...options,
    baseDir: dirname(resolve(configPath)),
    shareQuorum: (quorum) => createShareQuorum(config, quorum),
  });
}

/** Why: derive-and-validate is pure; the run's logger masks the keys it derived. */
export async function deriveMaterial(
  config: Config,
  secrets: ReadonlyMap<string, Buffer>,
  now: Date,
  logger: Logger,
): Promise<Material> {
  const material = await deriveAndValidate(config, secrets, now);
  // Last line of defence: a derived key never reaches a log line.
  for (const key of material.keys.values()) logger.redactor.add(key);
  return material;
}

/**
 * Start-up: identity, fetch and derive, cancellable by `cancel` (a signal). fetchAll
 * enforces fetch.startupDeadline itself and names the secrets still pending when it expires.
 */
export async function acquireMaterial(
  config: Config,
  identities: Identities,
  configPath: string,
  logger: Logger,
  cancel: AbortSignal,
): Promise<Material> {
  const began = Date.now();
  const secrets = await fetchSecrets(config, identities, configPath, {
    logger: logger.child({ stage: 'fetch' }),
    signal: cancel,
    deadline: { ms: config.fetch.startupDeadline, key: 'fetch.startupDeadline' },
  });
  logger.info('secrets fetched', { count: secrets.size, ms: Date.now() - began });
  const now = new Date();
  const material = await deriveMaterial(config, secrets, now, logger);
  logger.info('material validated', { keys: material.keys.size, tls: material.tls.size });
  logCertificates(material.tls, now, logger, config.refresh !== undefined);
  throwIfAborted(cancel);
  return material;
}

/** Why: each start-up step checks for a cancellation with the signal's own error. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw toTeeinitError(signal.reason);
}
