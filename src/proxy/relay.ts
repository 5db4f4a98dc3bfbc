// The two pumps between an authenticated peer socket and its target socket.
//
// Written out instead of `stream.pipe()`: pipe() neither propagates errors nor closes the
// other side on a reset, and it hides half-close. Each pump here is `data` → `write()`;
// when write() returns false the source is paused until the sink emits `drain`, so at most
// one high-water mark is buffered per direction. A FIN (`end`) is forwarded as end() on the
// other side (both sockets are allowHalfOpen), an error or reset on either side destroys
// both, and the relay reports exactly once when both sockets are closed.
import type { Socket } from 'node:net';
import type { StatsCounter } from './stats.js';

export interface RelayOptions {
  readonly idleTimeout: number;
  readonly maxLifetime: number;
  readonly stats: StatsCounter;
}

export interface RelayResult {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly durationMs: number;
  /** `peer-closed`, `target-closed`, `peer-reset`, `target-error:ECONNRESET`, `idle-timeout`, … */
  readonly reason: string;
}

/** Why: one object owns both sockets, so every way a connection ends goes through one path. */
export class Relay {
  bytesIn = 0;
  bytesOut = 0;
  #reason: string | undefined;
  #peerEnded = false;
  #targetEnded = false;
  #closed = 0;
  #lifetime: NodeJS.Timeout | undefined;
  readonly #started = Date.now();
  readonly #done: (result: RelayResult) => void;

  constructor(
    readonly peer: Socket,
    readonly target: Socket,
    options: RelayOptions,
    done: (result: RelayResult) => void,
  ) {
    this.#done = done;
    const stats = options.stats;
    peer.setNoDelay(true);
    target.setNoDelay(true);

    // Pump 1: peer → target.
    peer.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      stats.bytesIn += chunk.length;
      if (!target.write(chunk)) peer.pause();
    });
    target.on('drain', () => peer.resume());
    // Pump 2: target → peer.
    target.on('data', (chunk: Buffer) => {
      this.bytesOut += chunk.length;
      stats.bytesOut += chunk.length;
      if (!peer.write(chunk)) target.pause();
    });
    peer.on('drain', () => target.resume());

    // Half-close: a FIN from one side becomes end() on the other, nothing more.
    peer.on('end', () => {
      this.#peerEnded = true;
      this.#reason ??= this.#targetEnded ? undefined : 'peer-closed';
      target.end();
    });
    target.on('end', () => {
      this.#targetEnded = true;
      this.#reason ??= this.#peerEnded ? undefined : 'target-closed';
      peer.end();
    });

    peer.on('error', (err: NodeJS.ErrnoException) =>
      this.destroy(`peer-error:${err.code ?? 'unknown'}`),
    );
    target.on('error', (err: NodeJS.ErrnoException) =>
      this.destroy(`target-error:${err.code ?? 'unknown'}`),
    );
    peer.on('close', () => this.#onClose('peer', target));
    target.on('close', () => this.#onClose('target', peer));

    if (options.idleTimeout > 0) {
      peer.setTimeout(options.idleTimeout, () => this.destroy('idle-timeout'));
    }
    if (options.maxLifetime > 0) {
      this.#lifetime = setTimeout(() => this.destroy('max-lifetime'), options.maxLifetime);
      this.#lifetime.unref();
    }
  }

  /** Why: errors, timeouts and shutdown all end the connection the same way. */
  destroy(reason: string): void {
    this.#reason ??= reason;
    this.peer.destroy();
    this.target.destroy();
  }

  #onClose(side: 'peer' | 'target', other: Socket): void {
    this.#closed += 1;
    if (this.#closed === 2) {
      this.#finish();
      return;
    }
    const clean = this.#peerEnded && this.#targetEnded;
    if (!clean) {
      // One side vanished without a FIN in both directions: a reset. Do not keep the other.
      this.#reason ??= `${side}-reset`;
      other.destroy();
    } else {
      // Both FINs seen; the other side only flushes what is left. Bound that too.
      other.setTimeout(5000, () => other.destroy());
    }
  }

  #finish(): void {
    if (this.#lifetime !== undefined) clearTimeout(this.#lifetime);
    this.#done({
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      durationMs: Date.now() - this.#started,
      reason: this.#reason ?? 'closed',
    });
  }
}
