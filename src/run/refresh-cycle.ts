// One refresh cycle: identity, fetch every secret (same per-call timeouts; refresh.deadline
// for the whole cycle), derive and validate with the start-up checks, then — only if some
// secret's bytes changed — rewrite files (keys before certificates), swap the material of
// the proxies built from a changed secret and apply each process's onRefresh. Throws on
// any failure before the swap; the caller keeps the old material and retries.
import type { RefreshConfig } from '../config/types.js';
import type { Identities } from '../identity/index.js';
import { effectiveChanges, missingNow, type Material } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { SecretFiles } from '../materialize/index.js';
import type { Plan } from '../plan/types.js';
import { startDeadline } from '../retry/index.js';
import type { Supervisor } from '../supervisor/index.js';
import { logCertificates } from './certificate-log.js';
import type { ConsentGuard } from './consent-guard.js';
import { buildLaunchSpec } from './launch-specs.js';
import { deriveMaterial, fetchSecrets } from './material.js';
import type { RunningProxies } from './proxies.js';

/** What a cycle reads and swaps; `material` is replaced after a successful change. */
export interface RefreshTarget {
  /** Which secrets each process and each proxy uses, with their configs. */
  readonly plan: Plan;
  readonly refresh: RefreshConfig;
  readonly configPath: string;
  readonly identities: Identities;
  readonly files: SecretFiles;
  readonly proxies: RunningProxies;
  readonly supervisor: Supervisor;
  /** Reads each collaborator's answers and acts on a revocation (consent-guard.ts). */
  readonly consent?: ConsentGuard;
  material: Material;
}

/** Why: the one unit the loop retries; resolves with the names of the secrets that changed. */
export async function refreshOnce(
  target: RefreshTarget,
  logger: Logger,
  cancel: AbortSignal,
): Promise<string[]> {
  const { config } = target.plan;
  const began = Date.now();
  const { deadline } = target.refresh;
  const cycle = startDeadline(cancel, deadline, {
    key: 'refresh.deadline',
    what: 'Refreshing secrets',
  });
  try {
    // fetchAll times itself against refresh.deadline too, and names the secrets it waits for.
    const secrets = await fetchSecrets(config, target.identities, target.configPath, {
      logger: logger.child({ stage: 'fetch' }),
      signal: cancel,
      deadline: { ms: deadline, key: 'refresh.deadline' },
      fetchedLevel: 'debug',
      // Every collaborator's answer is wanted: one refusing must not hide another's.
      settleAll: true,
      ...(target.consent === undefined ? {} : { onSettled: target.consent.observe }),
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
    const material = await deriveMaterial(config, secrets, now, logger);
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
    for (const { planned, proxy } of target.proxies.entries()) {
      if (![...planned.secrets].some((name) => changedSet.has(name))) continue;
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
  for (const { config: p, uses } of target.plan.processes) {
    if (p.onRefresh === 'none') continue;
    // A process that names no secret in run/env reads fixed paths: any change concerns it.
    const affected =
      !uses.references || [...uses.files, ...uses.values].some((name) => changed.has(name));
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
