// One refresh cycle: identity, fetch every secret (same per-call timeouts; refresh.deadline
// for the whole cycle), derive and validate with the start-up checks, then — only if some
// secret's bytes changed — rewrite files (keys before certificates), swap the material of
// the proxies built from a changed secret and apply each process's onRefresh. Throws on
// any failure before the swap; the caller keeps the old material and retries.
import { dirname, resolve } from 'node:path';
import type { SecretUse } from '../config/refresh-dependencies.js';
import type { Config, RefreshConfig } from '../config/types.js';
import type { Identities } from '../identity/index.js';
import {
  createShareQuorum,
  deriveAndValidate,
  effectiveChanges,
  missingNow,
  type Material,
} from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { SecretFiles } from '../materialize/index.js';
import type { RunningProxy } from '../proxy/index.js';
import { startDeadline } from '../retry/index.js';
import { fetchAll } from '../secrets/index.js';
import type { Supervisor } from '../supervisor/index.js';
import { logCertificates } from './certificate-log.js';
import { buildLaunchSpec } from './launch-specs.js';

/** What a cycle reads and swaps; `material` is replaced after a successful change. */
export interface RefreshTarget {
  readonly config: Config & { readonly refresh: RefreshConfig };
  readonly configPath: string;
  readonly identities: Identities;
  readonly files: SecretFiles;
  readonly proxies: readonly RunningProxy[];
  readonly supervisor: Supervisor;
  /** Process name → the secrets it uses (config/refresh-dependencies). */
  readonly uses: ReadonlyMap<string, SecretUse>;
  /** Proxy name → the secrets its TLS context is built from (config/refresh-dependencies). */
  readonly proxyUses: ReadonlyMap<string, ReadonlySet<string>>;
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
  const { deadline } = config.refresh;
  const cycle = startDeadline(cancel, deadline, {
    key: 'refresh.deadline',
    what: 'Refreshing secrets',
  });
  try {
    // fetchAll times itself against refresh.deadline too, and names the secrets it waits for.
    const secrets = await fetchAll(config, target.identities, {
      logger: logger.child({ stage: 'fetch' }),
      signal: cancel,
      deadline: { ms: deadline, key: 'refresh.deadline' },
      fetchedLevel: 'debug',
      baseDir: dirname(resolve(target.configPath)),
      shareQuorum: (options) => createShareQuorum(config, options),
    });
    cycle.signal.throwIfAborted();
    const changed = [...secrets]
      .filter(([name, value]) => !sameBytes(target, name, value))
      .map(([name]) => name)
      .concat(missingNow(target.material, secrets));
    if (changed.length === 0) {
      for (const value of secrets.values()) value.fill(0);
      logger.info('secrets unchanged', { count: secrets.size, ms: Date.now() - began });
      return [];
    }
    const now = new Date();
    const material = await deriveAndValidate(config, secrets, now);
    for (const key of material.keys.values()) logger.redactor.add(key);
    cycle.signal.throwIfAborted();
    const names = effectiveChanges(config, changed, target.material, material);
    if (names.length === 0) {
      // Only which shares of a threshold key were at hand changed; its bytes did not.
      target.material = material;
      logger.info('secrets unchanged', { count: secrets.size, ms: Date.now() - began });
      return [];
    }
    const written = await target.files.update(material, cycle.signal);
    target.material = material;
    logCertificates(material.tls, now, logger, true);
    const changedSet = new Set(names);
    let proxiesSwapped = 0;
    let proxiesKept = 0;
    for (const proxy of target.proxies) {
      const uses = target.proxyUses.get(proxy.name);
      if (uses !== undefined && ![...uses].some((name) => changedSet.has(name))) continue;
      if (proxy.updateMaterial(material)) proxiesSwapped++;
      else proxiesKept++;
    }
    // Replaced processes are ready again (or refresh.deadline ran out) before this logs.
    const actions = cancel.aborted ? [] : await applyOnRefresh(target, changedSet, cycle.signal);
    logger.info('secrets refreshed', {
      changed: names,
      files: written,
      proxies: proxiesSwapped,
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
