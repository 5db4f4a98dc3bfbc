// One refresh cycle: identity, fetch every secret (same per-call deadlines, a cycle
// deadline), derive and validate with the start-up checks, then — only if some secret's
// bytes changed — rewrite files (keys before certificates), swap proxy material and
// apply each process's onRefresh. Throws on any failure before the swap; the caller keeps
// the old material and retries.
import { dirname, resolve } from 'node:path';
import { MAX_DURATION_MS } from '../config/defaults.js';
import type { SecretUse } from '../config/refresh-dependencies.js';
import type { Config, RefreshConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Identities } from '../identity/index.js';
import { deriveAndValidate, type Material } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { Materialized } from '../materialize/index.js';
import type { RunningProxy } from '../proxy/index.js';
import { fetchAll } from '../secrets/index.js';
import type { Supervisor } from '../supervisor/index.js';
import { logCertificates } from './certificate-log.js';
import { buildLaunchSpec } from './launch-specs.js';

/** What a cycle reads and swaps; `material` is replaced after a successful change. */
export interface RefreshTarget {
  readonly config: Config & { readonly refresh: RefreshConfig };
  readonly configPath: string;
  readonly identities: Identities;
  readonly files: Materialized;
  readonly proxies: readonly RunningProxy[];
  readonly supervisor: Supervisor;
  /** Process name → the secrets it uses (config/refresh-dependencies). */
  readonly uses: ReadonlyMap<string, SecretUse>;
  material: Material;
}

/** Why: the one unit the loop retries; resolves with the names of the secrets that changed. */
export async function refreshOnce(
  target: RefreshTarget,
  logger: Logger,
  cancel: AbortSignal,
): Promise<string[]> {
  const { config } = target;
  const began = Date.now();
  const cycle = withDeadline(cancel, config.refresh.deadline);
  try {
    // fetchAll's own deadline is start-up's; the cycle signal carries refresh.deadline.
    const fetchConfig = { ...config, fetch: { ...config.fetch, startupDeadline: MAX_DURATION_MS } };
    const secrets = await fetchAll(fetchConfig, target.identities, {
      logger: logger.child({ stage: 'fetch' }),
      signal: cycle.signal,
      baseDir: dirname(resolve(target.configPath)),
    });
    const changed = [...secrets].filter(([name, value]) => !sameBytes(target, name, value));
    if (changed.length === 0) {
      for (const value of secrets.values()) value.fill(0);
      logger.info('secrets unchanged', { count: secrets.size, ms: Date.now() - began });
      return [];
    }
    const now = new Date();
    const material = deriveAndValidate(config, secrets, now);
    cycle.signal.throwIfAborted();
    const names = changed.map(([name]) => name);
    const written = await target.files.update(material, cycle.signal);
    target.material = material;
    logCertificates(material.tls, now, logger, true);
    let proxiesKept = 0;
    for (const proxy of target.proxies) {
      if (!proxy.updateMaterial(material)) proxiesKept++;
    }
    // Replaced processes are ready again (or refresh.deadline ran out) before this logs.
    const actions = cancel.aborted
      ? []
      : await applyOnRefresh(target, new Set(names), cycle.signal);
    logger.info('secrets refreshed', {
      changed: names,
      files: written,
      proxies: target.proxies.length - proxiesKept,
      processes: actions,
      ms: Date.now() - began,
    });
    if (proxiesKept > 0)
      logger.warn('a proxy kept its previous material after a refresh', { proxies: proxiesKept });
    return names;
  } finally {
    cycle.dispose();
  }
}

/**
 * Signals or replaces each process that uses a changed secret; returns `name:action`s. A
 * replacement is awaited until its readiness check is over; `deadline` only cuts that wait.
 */
async function applyOnRefresh(
  target: RefreshTarget,
  changed: Set<string>,
  deadline: AbortSignal,
): Promise<string[]> {
  const done: string[] = [];
  for (const p of target.config.processes) {
    if (p.onRefresh === 'none') continue;
    const use = target.uses.get(p.name);
    // A process that names no secret in run/env reads fixed paths: any change concerns it.
    const affected =
      use === undefined ||
      !use.references ||
      [...use.files, ...use.values].some((name) => changed.has(name));
    if (!affected) continue;
    if (p.onRefresh === 'restart') {
      const spec = buildLaunchSpec(target.files, p);
      if (await target.supervisor.replace(p.name, spec, deadline)) done.push(`${p.name}:restart`);
    } else if (target.supervisor.signal(p.name, p.onRefresh.signal)) {
      done.push(`${p.name}:${p.onRefresh.signal}`);
    }
  }
  return done;
}

function sameBytes(target: RefreshTarget, name: string, value: Buffer): boolean {
  const old = target.material.secrets.get(name);
  return old?.equals(value) === true;
}

/** The caller's signal, plus refresh.deadline as a TEEINIT_REFRESH_DEADLINE abort. */
function withDeadline(
  cancel: AbortSignal,
  deadlineMs: number,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(cancel.reason);
  if (cancel.aborted) onCancel();
  else cancel.addEventListener('abort', onCancel, { once: true });
  const timer = setTimeout(() => {
    controller.abort(
      new TeeinitError(
        'TEEINIT_REFRESH_DEADLINE',
        `Refreshing secrets did not finish within refresh.deadline (${deadlineMs} ms).`,
        { fields: { deadlineMs } },
      ),
    );
  }, deadlineMs);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
    },
  };
}
