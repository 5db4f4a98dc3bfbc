// Starts the refresh loop when the config has `refresh:` (else nothing, as before), with
// the plan's record of which secrets each process and each proxy uses.
import type { Identities } from '../identity/index.js';
import type { Material } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { SecretFiles } from '../materialize/index.js';
import type { Plan } from '../plan/types.js';
import type { RunningProxy } from '../proxy/index.js';
import type { Supervisor } from '../supervisor/index.js';
import { startRefreshLoop, type RefreshEvents, type RefreshLoop } from './refresh-loop.js';

/** What the pipeline has once running. */
export interface RunningParts {
  readonly configPath: string;
  readonly identities: Identities;
  readonly files: SecretFiles;
  readonly proxies: readonly RunningProxy[];
  readonly supervisor: Supervisor;
  readonly material: Material;
}

/** Why: the pipeline's one call; undefined when refresh is not configured. */
export function startRefresh(
  plan: Plan,
  parts: RunningParts,
  logger: Logger,
  events?: RefreshEvents,
): RefreshLoop | undefined {
  const { config } = plan;
  const refresh = config.refresh;
  if (refresh === undefined) return undefined;
  const uses = new Map(plan.processes.map((p) => [p.name, p.uses]));
  const proxyUses = new Map(plan.proxies.map((p) => [p.name, p.secrets]));
  const target = { ...parts, config: { ...config, refresh }, uses, proxyUses };
  return startRefreshLoop(target, logger, Math.random, events);
}
