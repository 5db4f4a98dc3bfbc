// Counters for one proxy: plain mutable numbers on the hot path, a frozen snapshot for
// readers (status endpoint, tests, the run command).
import type { ProxyStats, RejectReason } from './types.js';

/** Why: the relay bumps byte counters per chunk, so they must be plain field writes. */
export class StatsCounter {
  open = 0;
  accepted = 0;
  established = 0;
  handshakeFailures = 0;
  targetFailures = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly #rejected = new Map<RejectReason, number>();

  constructor(
    readonly name: string,
    readonly mode: string,
  ) {}

  reject(reason: RejectReason): void {
    this.#rejected.set(reason, (this.#rejected.get(reason) ?? 0) + 1);
  }

  snapshot(): ProxyStats {
    return Object.freeze({
      name: this.name,
      mode: this.mode,
      open: this.open,
      accepted: this.accepted,
      established: this.established,
      rejected: Object.freeze(Object.fromEntries(this.#rejected)),
      handshakeFailures: this.handshakeFailures,
      targetFailures: this.targetFailures,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    });
  }
}
