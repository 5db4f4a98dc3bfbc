// Catches what a cancelled start-up must never leave behind: an uncaught exception or an
// unhandled rejection raised after the call already rejected (in production either one
// crashes teeinit with a stack trace instead of a clean TEEINIT_STARTUP_CANCELLED, 143).
import assert from 'node:assert/strict';
import { parseFaultRules } from '../../emulator/faults/rules.js';
import type { RunningEmulator } from '../../emulator/index.js';

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

/**
 * Delays every request on `rule.route` (5 s unless the rule says otherwise); the returned
 * function resolves once one such request has reached the emulator and is being held.
 */
export function holdRoute(
  em: RunningEmulator,
  rule: Record<string, unknown> & { route: string },
): (timeoutMs?: number) => Promise<void> {
  const id = `hold-${rule.route}-${Date.now()}`;
  for (const r of parseFaultRules({ latencyMs: 5000, ...rule, id, times: 1000 })) em.faults.add(r);
  return async (timeoutMs = 8000) => {
    const deadline = Date.now() + timeoutMs;
    while ((em.faults.list().find((r) => r.id === id)?.times ?? 0) >= 1000) {
      if (Date.now() > deadline) throw new Error(`no request reached ${rule.route}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
