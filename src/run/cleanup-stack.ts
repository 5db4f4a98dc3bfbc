// What start-up acquired, undone in reverse at shutdown, once, on every path (as Go's
// `defer`, or spiffe-helper's task runner): each step of start-up that acquires something
// (the signal routing, the status endpoint, the secret files, the proxies, the
// supervisor, the refresh loop) pushes its undo right after acquiring it, so whatever
// start-up got to is undone, and nothing it never got to is touched. An undo may have a
// synchronous form, run from process.on('exit') if teeinit exits before unwinding (the
// secret files' removal).

/** One acquired resource's undo. */
interface Deferred {
  readonly name: string;
  readonly undo: () => unknown;
  readonly undoSync: (() => void) | undefined;
}

export class CleanupStack {
  readonly #entries: Deferred[] = [];
  readonly #onError: (name: string, error: unknown) => void;
  #unwinding: Promise<void> | undefined;

  /** `onError`: an undo that throws is reported and the unwinding goes on. */
  constructor(onError: (name: string, error: unknown) => void) {
    this.#onError = onError;
  }

  /** Pushes the undo of what was just acquired (`undoSync`: its form for process exit). */
  defer(name: string, undo: () => unknown, undoSync?: () => void): void {
    this.#entries.push({ name, undo, undoSync });
  }

  /** Undoes everything, last acquired first, each awaited; the same promise on every call. */
  unwind(): Promise<void> {
    this.#unwinding ??= (async () => {
      while (this.#entries.length > 0) await this.#undoLast();
    })();
    return this.#unwinding;
  }

  /** For process.on('exit'): the synchronous undos of whatever is not undone yet. */
  unwindSync(): void {
    for (const entry of [...this.#entries].reverse()) {
      try {
        entry.undoSync?.();
      } catch (error) {
        this.#onError(entry.name, error);
      }
    }
  }

  async #undoLast(): Promise<void> {
    const entry = this.#entries.pop();
    if (entry === undefined) return;
    try {
      await entry.undo();
    } catch (error) {
      this.#onError(entry.name, error);
    }
  }
}
