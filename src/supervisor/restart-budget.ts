// Restart policy: whether an exit restarts, and how long to wait. Backoff doubles from
// `backoff` up to `maxBackoff` with each restart still inside the sliding `window`; more
// than `maxRestarts` restarts inside the window means give up (TEEINIT_RESTART_LIMIT).
import type { RestartConfig } from '../config/types.js';

/** never: no; on-failure: a non-zero status (a signal death is 128+n, so non-zero); always: yes. */
export function shouldRestart(policy: RestartConfig['policy'], status: number): boolean {
  if (policy === 'always') return true;
  if (policy === 'on-failure') return status !== 0;
  return false;
}

/** The next restart: attempt number inside the window and the delay before it. */
export interface RestartPlan {
  readonly attempt: number;
  readonly delayMs: number;
}

/** Tracks one process's restarts in its sliding window. */
export class RestartBudget {
  readonly #config: RestartConfig;
  #times: number[] = [];

  constructor(config: RestartConfig) {
    this.#config = config;
  }

  /** Plans the next restart, or returns undefined when the limit is reached. */
  next(now: number = Date.now()): RestartPlan | undefined {
    const { backoff, maxBackoff, maxRestarts, window } = this.#config;
    this.#times = this.#times.filter((t) => t > now - window);
    if (this.#times.length >= maxRestarts) return undefined;
    const delayMs = Math.min(backoff * 2 ** this.#times.length, maxBackoff);
    this.#times.push(now);
    return { attempt: this.#times.length, delayMs };
  }
}
