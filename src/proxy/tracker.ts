// Bookkeeping of live connections: the `open` counter and what close() must drain or destroy.
import type { Socket } from 'node:net';
import type { Relay } from './relay.js';
import type { StatsCounter } from './stats.js';

/** One accepted connection; `open` drops when its raw socket and its relay are both closed. */
export interface Tracked {
  relay?: Relay;
  pending: number;
}

/** Why: close(drainMs) needs every socket still open, and tests need `open` exact. */
export class ConnectionTracker {
  readonly #live = new Map<Socket, Tracked>();
  #idleWaiters: (() => void)[] = [];

  constructor(readonly stats: StatsCounter) {}

  /** An accepted raw socket: counted until it closes. */
  accept(raw: Socket): Tracked {
    const entry: Tracked = { pending: 1 };
    this.#live.set(raw, entry);
    this.stats.accepted += 1;
    this.stats.open += 1;
    raw.once('close', () => this.settle(raw, entry));
    return entry;
  }

  /** A relay attached to an accepted socket keeps it open until the relay is done. */
  attach(raw: Socket, entry: Tracked, relay: Relay): void {
    entry.relay = relay;
    if (entry.pending === 0) {
      // The raw socket closed before the handshake event: already counted out, nothing to relay.
      relay.destroy('peer-closed');
      return;
    }
    entry.pending += 1;
    this.#live.set(raw, entry);
  }

  /** Counts one holder of `entry` out; `open` drops once, when the last one is gone. */
  settle(raw: Socket, entry: Tracked): void {
    if (entry.pending === 0) return;
    entry.pending -= 1;
    if (entry.pending > 0) return;
    this.#live.delete(raw);
    this.stats.open -= 1;
    if (this.#live.size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  get size(): number {
    return this.#live.size;
  }

  /** Resolves when nothing is open any more. */
  idle(): Promise<void> {
    if (this.#live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Ends every connection now (after the drain window). */
  destroyAll(reason: string): void {
    for (const [raw, entry] of this.#live) {
      if (entry.relay !== undefined) entry.relay.destroy(reason);
      raw.destroy();
    }
  }
}
