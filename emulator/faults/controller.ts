// The emulator's fault injector: an ordered list of rules, matched per route and resource,
// decided with a seeded PRNG so a run with the same seed and calls behaves the same.
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { AccessTokenRegistry } from '../access-tokens.js';
import type { FaultDecision, FaultInjector, RouteId } from '../faults-contract.js';
import { mulberry32 } from './prng.js';
import { sendInjectedError } from './responses.js';
import type { FaultRule } from './rules.js';

export { parseFaultRules, type FaultRule } from './rules.js';

interface ActiveRule {
  rule: FaultRule;
  remaining: number | undefined;
}

/** Holds the active fault rules and applies them to requests (`intercept`). */
export class FaultController implements FaultInjector {
  readonly #random: () => number;
  readonly #tokens: AccessTokenRegistry;
  #rules: ActiveRule[] = [];

  constructor(seed: number, tokens: AccessTokenRegistry) {
    this.#random = mulberry32(seed);
    this.#tokens = tokens;
  }

  add(rule: FaultRule): void {
    this.#rules.push({ rule, remaining: rule.times });
  }

  clear(): void {
    this.#rules = [];
  }

  /** Removes one rule by id; false when there was none. */
  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.rule.id !== id);
    return this.#rules.length !== before;
  }

  /** The active rules; `times` shows how many firings are left. */
  list(): FaultRule[] {
    return this.#rules.map(({ rule, remaining }) =>
      remaining === undefined ? rule : { ...rule, times: remaining },
    );
  }

  async intercept(route: RouteId, res: ServerResponse): Promise<FaultDecision> {
    const path = requestPath(res);
    let latency = 0;
    let outcome: FaultRule | undefined;
    for (const active of [...this.#rules]) {
      if (!this.#fires(active, route, path)) continue;
      latency += active.rule.latencyMs ?? 0;
      if (hasOutcome(active.rule)) {
        outcome = active.rule;
        break;
      }
    }
    if (latency > 0) await delay(latency);
    if (outcome === undefined) return { kind: 'pass' };
    return this.#apply(outcome, route, res);
  }

  /** Matches, draws against `rate`, and consumes one of `times` when the rule fires. */
  #fires(active: ActiveRule, route: RouteId, path: string): boolean {
    const { rule } = active;
    if (rule.route !== '*' && rule.route !== route) return false;
    if (rule.match !== undefined && !path.includes(rule.match)) return false;
    if (rule.rate !== undefined && !(this.#random() < rule.rate)) return false;
    if (active.remaining !== undefined) {
      active.remaining -= 1;
      if (active.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== active);
    }
    return true;
  }

  #apply(rule: FaultRule, route: RouteId, res: ServerResponse): FaultDecision {
    if (rule.reset === true) {
      res.socket?.destroy();
      res.destroy();
      return { kind: 'handled' };
    }
    if (rule.error !== undefined) {
      sendInjectedError(res, route, rule.error.status, rule.error.message);
      return { kind: 'handled' };
    }
    if (rule.corrupt !== undefined) return { kind: 'corrupt', what: rule.corrupt };
    if (rule.expiredToken === 'all') this.#tokens.expireAll();
    return { kind: 'expired-token' };
  }
}

function hasOutcome(rule: FaultRule): boolean {
  return (
    rule.error !== undefined ||
    rule.reset !== undefined ||
    rule.corrupt !== undefined ||
    rule.expiredToken !== undefined
  );
}

function requestPath(res: ServerResponse): string {
  const url = (res.req as { url?: string } | undefined)?.url ?? '';
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
