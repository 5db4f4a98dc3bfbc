// What a refresh changed, as the stages after derive see it. A threshold key's share that
// arrives, disappears or changes while the key's bytes stay the same (t other shares of the
// same split) changes nothing downstream: no file rewritten, no proxy swapped, no process
// restarted. Every other changed secret counts as before.
import type { Config } from '../config/types.js';
import type { Material } from './derive-and-validate.js';

/**
 * Why: the refresh cycle acts on these names only. `changed` are the secrets whose bytes
 * differ from `before` (or that are present in only one of the two).
 */
export function effectiveChanges(
  config: Config,
  changed: readonly string[],
  before: Material,
  after: Material,
): string[] {
  const sameKey = new Set<string>();
  for (const [name, spec] of Object.entries(config.keys)) {
    if (spec.threshold === undefined) continue;
    const a = before.keys.get(name);
    const b = after.keys.get(name);
    if (a !== undefined && b !== undefined && a.equals(b)) {
      for (const share of spec.shares) sameKey.add(share);
    }
  }
  return changed.filter((name) => !sameKey.has(name));
}

/** Secrets present in `before` but not fetched now: threshold shares that failed this time. */
export function missingNow(before: Material, fetched: ReadonlyMap<string, Buffer>): string[] {
  return [...before.secrets.keys()].filter((name) => !fetched.has(name));
}
