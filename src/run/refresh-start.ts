// Starts the refresh loop when the config has `refresh:` (else nothing, as before): works
// out once which secrets each process and each proxy uses, then hands everything to the loop.
import type { LoadedConfig } from '../config/index.js';
import { proxySecretsOf, secretUseOf, type SecretUse } from '../config/refresh-dependencies.js';
import type { Identities } from '../identity/index.js';
import type { Material } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { Materialized } from '../materialize/index.js';
import type { RunningProxy } from '../proxy/index.js';
import type { Supervisor } from '../supervisor/index.js';
import { startRefreshLoop, type RefreshEvents, type RefreshLoop } from './refresh-loop.js';

/** What the pipeline has once running. */
export interface RunningParts {
  readonly configPath: string;
  readonly identities: Identities;
  readonly files: Materialized;
  readonly proxies: readonly RunningProxy[];
  readonly supervisor: Supervisor;
  readonly material: Material;
}

/** Why: the pipeline's one call; undefined when refresh is not configured. */
export function startRefresh(
  loaded: LoadedConfig,
  parts: RunningParts,
  logger: Logger,
  events?: RefreshEvents,
): RefreshLoop | undefined {
  const { config } = loaded;
  const refresh = config.refresh;
  if (refresh === undefined) return undefined;
  const { references } = loaded;
  const uses = new Map<string, SecretUse>(
    config.processes.map((p) => [p.name, secretUseOf(config, references, p.name)]),
  );
  const proxyUses = new Map(config.proxies.map((p) => [p.name, proxySecretsOf(config, p)]));
  const target = { ...parts, config: { ...config, refresh }, uses, proxyUses };
  return startRefreshLoop(target, logger, Math.random, events);
}
