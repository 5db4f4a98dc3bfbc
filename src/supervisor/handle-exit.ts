// What a child's exit means for the run, per phase and restart policy. The exit of a child
// being replaced, or any exit while stopping, ends nothing. During start-up any exit ends
// the run (TEEINIT_STARTUP_EXITED), whatever the policy. While running, the policy either
// restarts the process after its backoff delay or ends the run with its status — with
// TEEINIT_RESTART_LIMIT once more than maxRestarts fall within the window.
import { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { ChildExit } from './exit-status.js';
import { exitedOutcome } from './outcomes.js';
import { shouldRestart, type RestartPlan } from './restart-budget.js';
import type { Slot } from './slot.js';
import type { RunningChild } from './spawn-child.js';
import type { ExitOutcome } from './types.js';

/** Why: how exits are judged depends on where the run is (start-up, running, ending). */
export type Phase = 'starting' | 'running' | 'stopping';

/** Why: the run acts on one of three answers: nothing, end with this outcome, or restart. */
export type ExitDecision =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'end'; readonly outcome: ExitOutcome }
  | { readonly kind: 'restart'; readonly plan: RestartPlan };

const IGNORE: ExitDecision = { kind: 'ignore' };

/**
 * Why: one place records an exit in its slot (child gone, its readiness check aborted,
 * last status kept for stop()), logs it, and decides — spending restart budget only when
 * the policy restarts.
 */
export function handleExit(
  slot: Slot,
  child: RunningChild,
  exit: ChildExit,
  phase: Phase,
  log: Logger,
): ExitDecision {
  const name = slot.spec.config.name;
  if (slot.child === child) {
    delete slot.child;
    slot.ready = false;
  }
  if (slot.probe?.child === child) {
    slot.probe.controller.abort();
    delete slot.probe;
  }
  slot.last = exit;
  log.info('exited', { process: name, pid: child.pid, code: exit.code, signal: exit.signal });
  if (slot.replacing === child) {
    delete slot.replacing;
    return IGNORE;
  }
  if (phase === 'stopping') return IGNORE;
  const ended = exitedOutcome(name, exit);
  if (phase === 'starting') {
    const error = new TeeinitError(
      'TEEINIT_STARTUP_EXITED',
      `Process "${name}" exited with status ${exit.status} during start-up.`,
      { fields: { process: name, status: exit.status } },
    );
    return { kind: 'end', outcome: { ...ended, error } };
  }
  const { policy, maxRestarts, window } = slot.spec.config.restart;
  if (!shouldRestart(policy, exit.status)) return { kind: 'end', outcome: ended };
  const plan = slot.budget.next();
  if (plan === undefined) {
    const error = new TeeinitError(
      'TEEINIT_RESTART_LIMIT',
      `Process "${name}" exited with status ${exit.status} after ${maxRestarts} restarts within ${window} ms; giving up.`,
      { fields: { process: name, status: exit.status, maxRestarts, windowMs: window } },
    );
    log.error(error.message, { code: error.code, process: name, hint: error.hint });
    return { kind: 'end', outcome: { ...ended, reason: 'restart-limit', error } };
  }
  log.warn('restarting', { process: name, attempt: plan.attempt, delayMs: plan.delayMs });
  return { kind: 'restart', plan };
}
