// What the fetch stage knows of threshold keys (its ShareQuorum): a share that fails (fetch error, or a payload
// refused on its own) is that share's failure only, logged as a WARNING naming the
// collaborator, the secret and the code. Once every other secret is in and each threshold
// key has t shares that recombine to their key id, a share still pending is no longer
// waited for as soon as it is being retried (refused once and in the IAM propagation
// grace, or failed once and backing off): its fetch is aborted and named in a WARNING.
// A share whose first request is still in flight is awaited (fetch.callTimeout bounds it),
// so a healthy share is never dropped for being a little slower. When
// the shares still possible cannot reach t, the key fails at once with
// TEEINIT_THRESHOLD_NOT_MET naming every share it could not use and why.
import type { Config, KeyConfig } from '../config/types.js';
import type { ShareQuorum, ShareQuorumOptions } from '../secrets/fetch-all.js';
import { recoverSecret, type HeldShare } from './threshold.js';
import { acceptShare, thresholdNotMet, type UnusableShare } from './threshold-key.js';

interface KeyState {
  readonly name: string;
  readonly spec: KeyConfig;
  readonly t: number;
  readonly held: Map<string, HeldShare>;
  readonly unusable: Map<string, UnusableShare>;
  readonly pending: Set<string>;
  /** Pending shares that were refused or failed once and are being retried. */
  readonly retrying: Set<string>;
  readonly stops: Map<string, AbortController>;
  satisfied: boolean;
  failed: boolean;
  /** The shares the key was recovered from once satisfied. */
  used: readonly string[];
  /** Arrivals and failures are handled one at a time, in order. */
  queue: Promise<void>;
}

/** Undefined when the config has no threshold key (fetchAll then behaves as before). */
export function createShareQuorum(
  config: Config,
  options: ShareQuorumOptions,
): ShareQuorum | undefined {
  const { logger } = options;
  const keyOf = new Map<string, KeyState>();
  for (const [name, spec] of Object.entries(config.keys)) {
    if (spec.threshold === undefined) continue;
    const state: KeyState = {
      name,
      spec,
      t: spec.threshold,
      held: new Map(),
      unusable: new Map(),
      pending: new Set(spec.shares),
      retrying: new Set(),
      stops: new Map(spec.shares.map((s) => [s, new AbortController()])),
      satisfied: false,
      failed: false,
      used: [],
      queue: Promise.resolve(),
    };
    for (const share of spec.shares) keyOf.set(share, state);
  }
  if (keyOf.size === 0) return undefined;
  const collaboratorOf = (secret: string): string => config.secrets[secret]?.from ?? secret;

  const enqueue = (state: KeyState, step: () => Promise<void>): Promise<void> => {
    const next = state.queue.then(step);
    state.queue = next.catch(() => undefined);
    return next;
  };

  const refuse = (state: KeyState, u: UnusableShare, event: string): void => {
    state.unusable.set(u.secret, u);
    if (state.failed) return;
    logger.warn(event, {
      key: state.name,
      secret: u.secret,
      collaborator: u.collaborator,
      code: u.error.code,
      error: u.error.message,
      threshold: state.t,
      shares: state.spec.shares.length,
    });
  };

  /**
   * Recombines what is held; marks the key satisfied, or failed when nothing more can come.
   * After satisfaction a late share is still checked, so one that does not fit is named.
   */
  const decide = async (state: KeyState): Promise<void> => {
    if (state.failed) return;
    const possible = state.spec.shares.length - state.unusable.size;
    if (!state.satisfied && possible < state.t) return failKey(state);
    if (state.held.size < state.t) return;
    const result = await recoverSecret(state.t, [...state.held.values()]);
    if (result.ok) {
      result.secret.fill(0);
      state.satisfied = true;
      for (const r of result.rejected) {
        r.held.share.y.fill(0);
        state.held.delete(r.held.secret);
        refuse(
          state,
          { secret: r.held.secret, collaborator: r.held.collaborator, error: r.error },
          'threshold share refused; the key is made from the others',
        );
      }
      state.used = result.used.map((u) => u.secret);
      return;
    }
    if (!state.satisfied && state.pending.size === 0) failKey(state, result.problem);
  };

  const failKey = (state: KeyState, problem?: string): void => {
    state.failed = true;
    const missing = [...state.unusable.values()];
    options.fail(thresholdNotMet(state.name, state.spec, missing, problem ?? whyShort(state)));
  };

  return {
    has: (secret) => keyOf.has(secret),
    signalFor: (secret) =>
      keyOf.get(secret)?.stops.get(secret)?.signal ?? new AbortController().signal,
    arrived: (secret, raw) => {
      const state = keyOf.get(secret);
      if (state === undefined) return Promise.resolve(true);
      let kept = false;
      return enqueue(state, async () => {
        state.pending.delete(secret);
        const input = { secret, collaborator: collaboratorOf(secret), raw };
        const r = acceptShare(state.name, state.spec, input);
        if ('rejected' in r) {
          refuse(
            state,
            r.rejected,
            'threshold share refused; the key may still be made from the others',
          );
        } else {
          kept = true;
          state.held.set(secret, r.held);
        }
        await decide(state);
      }).then(() => kept);
    },
    failed: (secret, error) => {
      const state = keyOf.get(secret);
      if (state === undefined) return Promise.resolve();
      return enqueue(state, async () => {
        state.pending.delete(secret);
        if (state.stops.get(secret)?.signal.aborted === true) return; // not needed any more
        refuse(
          state,
          { secret, collaborator: collaboratorOf(secret), error },
          'threshold share unavailable; the key may still be made from the others',
        );
        await decide(state);
      });
    },
    retrying: (secret) => {
      keyOf.get(secret)?.retrying.add(secret);
    },
    ready: () => [...keyOf.values()].every((state) => state.satisfied),
    release: () => {
      for (const state of new Set(keyOf.values())) {
        const waiting = [...state.pending].filter(
          (s) => state.retrying.has(s) && state.stops.get(s)?.signal.aborted !== true,
        );
        if (waiting.length === 0) continue;
        logger.warn('threshold key has enough shares; not waiting for the others', {
          key: state.name,
          threshold: state.t,
          shares: state.spec.shares.length,
          used: state.used.join(','),
          notWaitedFor: waiting.join(','),
          collaborators: waiting.map(collaboratorOf).join(','),
        });
        for (const secret of waiting) state.stops.get(secret)?.abort(new Error('not needed'));
      }
    },
    dispose: () => {
      for (const state of new Set(keyOf.values())) {
        for (const held of state.held.values()) held.share.y.fill(0);
        state.held.clear();
      }
    },
  };
}

function whyShort(state: KeyState): string {
  const possible = state.spec.shares.length - state.unusable.size;
  return `${state.unusable.size} of them cannot be used, so at most ${possible} can be`;
}
