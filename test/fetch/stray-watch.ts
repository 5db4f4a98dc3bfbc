// Catches what a cancelled start-up must never leave behind: an uncaught exception or an
// unhandled rejection raised after the call already rejected (in production either one
// crashes teeinit with a stack trace instead of a clean TEEINIT_STARTUP_CANCELLED, 143).
import assert from 'node:assert/strict';

/** Process-wide listeners recording every uncaught exception and unhandled rejection. */
export class StrayWatch {
  readonly events: string[] = [];
  readonly #onUncaught = (e: unknown): void => void this.events.push(`uncaught: ${describe(e)}`);
  readonly #onUnhandled = (e: unknown): void =>
    void this.events.push(`unhandled rejection: ${describe(e)}`);

  install(): void {
    process.on('uncaughtException', this.#onUncaught);
    process.on('unhandledRejection', this.#onUnhandled);
  }

  uninstall(): void {
    process.off('uncaughtException', this.#onUncaught);
    process.off('unhandledRejection', this.#onUnhandled);
  }

  /** Polls for `settleMs` (returning as soon as anything fired) and asserts nothing did. */
  async assertQuiet(settleMs = 400): Promise<void> {
    const deadline = Date.now() + settleMs;
    while (this.events.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(this.events, [], 'asynchronous errors after the cancellation');
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
