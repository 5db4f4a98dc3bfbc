// One supervised process's state across its lifetime: its current spec, the running child,
// its restart budget, a pending restart, a post-restart readiness check, and the child a
// replace() is stopping. The supervisor keeps one slot per LaunchSpec, in start order.
import type { Logger } from '../log/index.js';
import type { ChildExit } from './exit-status.js';
import { RestartBudget } from './restart-budget.js';
import type { RunningChild } from './spawn-child.js';
import { stopChild } from './stop-child.js';
import type { LaunchSpec, ProcessStatus } from './types.js';

/** Why: every part of a run (exits, restarts, replace, the ending) reads and updates this. */
export interface Slot {
  spec: LaunchSpec;
  /** The child being replaced by `replace()`: its exit ends nothing. */
  replacing?: RunningChild;
  readonly budget: RestartBudget;
  child?: RunningChild;
  last?: ChildExit;
  restartTimer?: NodeJS.Timeout;
  /** Policy restarts so far (the status endpoint's count; the budget keeps only a window). */
  restarts: number;
  /** The current child passed its readiness check (or has none). */
  ready: boolean;
  /** The readiness check of a restarted `child`; aborted when that child exits or the run ends. */
  probe?: { child: RunningChild; controller: AbortController; task: Promise<void> };
}

/** Why: a fresh slot starts with an unused restart budget from its own restart config. */
export function createSlot(spec: LaunchSpec): Slot {
  return { spec, budget: new RestartBudget(spec.config.restart), restarts: 0, ready: false };
}

/** Why: the status endpoint reads names and numbers of a slot, never its argv or env. */
export function slotStatus(slot: Slot): ProcessStatus {
  const child = slot.child;
  return {
    name: slot.spec.config.name,
    ...(child === undefined ? {} : { pid: child.pid }),
    restarts: slot.restarts,
    ready: child !== undefined && slot.ready,
    ...(slot.last === undefined ? {} : { lastExitCode: slot.last.status }),
  };
}

/** Why: signal() and replace() address a process by its configured name. */
export function findSlot(slots: readonly Slot[], name: string): Slot | undefined {
  return slots.find((s) => s.spec.config.name === name);
}

/** Why: a pending policy restart must not fire once it is superseded or the run ends. */
export function cancelRestart(slot: Slot): void {
  clearTimeout(slot.restartTimer);
  delete slot.restartTimer;
}

/** Why: each process is stopped with its own stopSignal and stopTimeout (memoized per child). */
export function stopSlotChild(slot: Slot, child: RunningChild, log: Logger): Promise<void> {
  const { stopSignal, stopTimeout } = slot.spec.config;
  return stopChild(child, stopSignal, stopTimeout, log);
}
