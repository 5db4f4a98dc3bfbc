// Bounds how many warning lines a flood of bad connections can produce: at most `limit`
// lines per window, then one summary line with how many were suppressed, by reason.
// Counters stay exact; only the log is thinned (DESIGN invariant 6: bounded everything).

export interface Suppressed {
  readonly count: number;
  readonly byReason: Readonly<Record<string, number>>;
}

/** Why: an attacker must not be able to turn refused handshakes into unbounded log volume. */
export class LogBudget {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart = -Infinity;
  #used = 0;
  #suppressed = new Map<string, number>();

  constructor(limit = 20, windowMs = 10_000, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /**
   * Whether a line for `reason` may be written now; `flushed` is the summary of the
   * previous window's suppressed lines, to be logged first, when a new window starts.
   */
  take(reason: string): { allowed: boolean; flushed?: Suppressed } {
    const now = this.#now();
    let flushed: Suppressed | undefined;
    if (now - this.#windowStart >= this.#windowMs) {
      flushed = this.flush();
      this.#windowStart = now;
      this.#used = 0;
    }
    if (this.#used < this.#limit) {
      this.#used += 1;
      return flushed === undefined ? { allowed: true } : { allowed: true, flushed };
    }
    this.#suppressed.set(reason, (this.#suppressed.get(reason) ?? 0) + 1);
    return flushed === undefined ? { allowed: false } : { allowed: false, flushed };
  }

  /** The suppressed lines not yet summarized (and forgets them), or undefined if none. */
  flush(): Suppressed | undefined {
    if (this.#suppressed.size === 0) return undefined;
    const byReason = Object.fromEntries(this.#suppressed);
    const count = [...this.#suppressed.values()].reduce((a, b) => a + b, 0);
    this.#suppressed = new Map();
    return { count, byReason };
  }
}
