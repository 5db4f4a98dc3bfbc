// Holding a request at the emulator, to cancel start-up while it is in flight: a latency
// fault on one route, and a wait until a request has actually reached it and is held.
import { parseFaultRules } from '../../emulator/faults/rules.js';
import type { RunningEmulator } from '../../emulator/index.js';

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
