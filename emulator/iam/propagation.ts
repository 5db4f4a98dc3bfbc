// IAM propagation: a binding change (grant or removal) on a secret or a service account
// takes effect only after a delay, as in Google IAM, where access changes "typically
// propagate in 2 minutes, but could potentially take 7 minutes or longer"
// (cloud.google.com/iam/docs/access-change-propagation). getIamPolicy shows the new policy
// at once; permission checks see the policy that was written `delay` earlier.
import type { IamBinding } from '../model.js';

/** Google's typical propagation time; the emulator's default delay per binding change. */
export const DEFAULT_PROPAGATION_SECONDS = 120;

/** Longest delay accepted: one hour, far beyond Google's "7 minutes or longer". */
export const MAX_PROPAGATION_SECONDS = 3600;

interface PolicyVersion {
  /** When this version takes effect (ms). */
  readonly at: number;
  readonly bindings: readonly IamBinding[];
}

/**
 * Tracks every policy change made while the emulator runs. A resource without a recorded
 * change (bindings from the config, the default or demo world, seed files at start, or
 * written straight into the store) counts as long propagated: its bindings apply as they are.
 */
export class IamPropagation {
  #delayMs: number;
  readonly #timelines = new Map<string, PolicyVersion[]>();

  constructor(delaySeconds: number = DEFAULT_PROPAGATION_SECONDS) {
    this.#delayMs = checkedDelay(delaySeconds) * 1000;
  }

  /** The delay applied to changes recorded from now on, in seconds. */
  get delaySeconds(): number {
    return this.#delayMs / 1000;
  }

  /** Why: the switch (0 = every change takes effect at once), for tests and the admin API. */
  setDelaySeconds(seconds: number): void {
    this.#delayMs = checkedDelay(seconds) * 1000;
  }

  /**
   * Records that `resource`'s policy changes from `before` to `after` at `now`; permission
   * checks keep seeing `before` (or whatever was still propagating) until `now + delay`.
   */
  record(
    resource: string,
    before: readonly IamBinding[],
    after: readonly IamBinding[],
    now: number,
  ): void {
    const timeline = this.#timelines.get(resource) ?? [{ at: -Infinity, bindings: before }];
    const last = timeline[timeline.length - 1];
    // A later change never takes effect before an earlier one (the delay may have shrunk).
    const at = Math.max(now + this.#delayMs, last?.at ?? -Infinity);
    timeline.push({ at, bindings: after });
    this.#timelines.set(resource, timeline);
  }

  /** The bindings permission checks use at `now`: `written` unless a change is propagating. */
  effective(resource: string, written: readonly IamBinding[], now: number): readonly IamBinding[] {
    const timeline = this.#timelines.get(resource);
    if (timeline === undefined) return written;
    let current = 0;
    for (let i = 0; i < timeline.length; i++) if ((timeline[i]?.at ?? Infinity) <= now) current = i;
    if (current === timeline.length - 1) {
      // Everything propagated: the written policy rules again, and the history can go.
      this.#timelines.delete(resource);
      return written;
    }
    if (current > 0) timeline.splice(0, current);
    return timeline[0]?.bindings ?? written;
  }

  /** When the last change of `resource` takes effect (ms), or undefined when none is pending. */
  pendingUntil(resource: string, now: number): number | undefined {
    const timeline = this.#timelines.get(resource);
    const last = timeline?.[timeline.length - 1];
    return last !== undefined && last.at > now ? last.at : undefined;
  }

  /** Forgets a resource's history (the resource was deleted). */
  forget(resource: string): void {
    this.#timelines.delete(resource);
  }
}

/** The key of a secret's policy in the timelines. */
export function secretResource(key: string): string {
  return `secret:${key}`;
}

/** The key of a service account's policy in the timelines. */
export function serviceAccountResource(email: string): string {
  return `serviceAccount:${email}`;
}

function checkedDelay(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_PROPAGATION_SECONDS) {
    throw new RangeError(
      `IAM propagation delay: expected 0..${MAX_PROPAGATION_SECONDS} seconds, got ${seconds}`,
    );
  }
  return seconds;
}
