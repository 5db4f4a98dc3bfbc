// What a revocation takes away, from the plan alone: the secrets of revoked collaborators
// whose `onRevoke` is `stop`, the keys that can no longer be made from consenting shares
// (any share of an n-of-n key, fewer than t for a t-of-n key) and whose own `onRevoke` is
// `stop`, the TLS bundles built from a withdrawn secret, the templates that refer to any of
// them, and so the proxies, processes and files that use them. What is revoked but kept
// (`keep`) is listed apart, for the WARNING each cycle.
import type { OnRevoke } from '../config/types.js';
import type { Plan, PlannedProcess, PlannedProxy } from '../plan/types.js';

/** The material a set of revoked collaborators withdraws. */
export interface Withdrawn {
  /** Secrets no longer served (their collaborator revoked, onRevoke stop). */
  readonly secrets: ReadonlySet<string>;
  /** Keys no longer served (too few consenting shares, onRevoke stop). */
  readonly keys: ReadonlySet<string>;
  readonly bundles: ReadonlySet<string>;
  /** Every name whose bytes are withdrawn: the above and the templates made from them. */
  readonly names: ReadonlySet<string>;
  readonly proxies: readonly PlannedProxy[];
  readonly processes: readonly PlannedProcess[];
  /** Revoked but kept (onRevoke keep): secrets and keys still served. */
  readonly keptSecrets: ReadonlySet<string>;
  readonly keptKeys: ReadonlySet<string>;
}

/** Why: the collaborator's own setting, `keep` when unset. */
export function collaboratorOnRevoke(plan: Plan, collaborator: string): OnRevoke {
  return plan.config.collaborators[collaborator]?.onRevoke ?? 'keep';
}

/** Why: a key derived from shares stops by default, whatever its collaborators say. */
export function keyOnRevoke(plan: Plan, key: string): OnRevoke {
  return plan.config.keys[key]?.onRevoke ?? 'stop';
}

/** Why: one function decides what stops, so the log, the files and the tests agree. */
export function withdrawnBy(plan: Plan, revoked: ReadonlySet<string>): Withdrawn {
  const { config } = plan;
  const secrets = new Set<string>();
  const keptSecrets = new Set<string>();
  for (const [name, s] of Object.entries(config.secrets)) {
    if (!revoked.has(s.from)) continue;
    (collaboratorOnRevoke(plan, s.from) === 'stop' ? secrets : keptSecrets).add(name);
  }
  const keys = new Set<string>();
  const keptKeys = new Set<string>();
  for (const key of plan.keys) {
    const consenting = new Set(
      key.shares.filter((s) => !revoked.has(s.collaborator)).map((s) => s.collaborator),
    );
    const needed = key.threshold ?? key.shares.length;
    if (consenting.size >= needed) continue;
    (keyOnRevoke(plan, key.name) === 'stop' ? keys : keptKeys).add(key.name);
  }
  const bundles = new Set(
    Object.entries(config.tls)
      .filter(([, b]) => [b.cert, b.key, b.ca].some((s) => s !== undefined && secrets.has(s)))
      .map(([name]) => name),
  );
  const names = new Set<string>([...secrets, ...keys]);
  // Templates that refer to a withdrawn name, directly or through another template.
  for (let grew = true; grew;) {
    grew = false;
    for (const ref of plan.references) {
      if (ref.kind === 'env' || ref.owner.kind !== 'template') continue;
      if (names.has(ref.name) && !names.has(ref.owner.name)) {
        names.add(ref.owner.name);
        grew = true;
      }
    }
  }
  const anything = names.size > 0 || bundles.size > 0;
  const proxies = plan.proxies.filter((p) => {
    const c = p.config;
    if (c.tls !== undefined && bundles.has(c.tls)) return true;
    if (Object.values(c.sniCa).some((entry) => secrets.has(entry.ca))) return true;
    return Object.values(c.identities).some((key) => keys.has(key));
  });
  const processes = plan.processes.filter((p) => {
    // A process that names no secret reads fixed paths: whatever is withdrawn may be its.
    if (!p.uses.references) return anything;
    return plan.references.some(
      (ref) =>
        ref.kind !== 'env' &&
        ref.owner.kind === 'process' &&
        ref.owner.name === p.name &&
        names.has(ref.name),
    );
  });
  return { secrets, keys, bundles, names, proxies, processes, keptSecrets, keptKeys };
}
