// The ending of a run, once decided: disarm every slot (no pending restart fires, every
// post-restart readiness check aborts), stop every child in parallel (stopSignal, then
// SIGKILL after stopTimeout), wait out a start-up that may still be spawning and stop what
// it spawned meanwhile, let the aborted checks settle, and give prefixed output up to 1 s
// to drain. After it no child, timer, socket or probe of the run is left.
import type { Logger } from '../log/index.js';
import { cancelRestart, stopSlotChild, type Slot } from './slot.js';

/** How long prefixed output may still drain after the children are gone. */
const OUTPUT_GRACE_MS = 1000;

/** Why: what the ending must wait for, as the run holds it. */
export interface RunRemains {
  readonly slots: readonly Slot[];
  readonly log: Logger;
  /** Read after the first round of stops: the start-up task as it is then. */
  startupTask(): Promise<void>;
  /** Post-restart readiness checks still running (aborted by disarmSlots). */
  readonly probes: ReadonlySet<Promise<void>>;
  /** Every child's output copy, spawned so far or while stopping. */
  readonly outputs: readonly Promise<void>[];
  /** What exited children left in their process groups, being stopped (process-group.ts). */
  readonly sweeps: ReadonlySet<Promise<void>>;
}

/** Why: the synchronous half of the ending, so nothing restarts or probes once it began. */
export function disarmSlots(slots: readonly Slot[]): void {
  for (const slot of slots) {
    cancelRestart(slot);
    slot.probe?.controller.abort();
  }
}

/** Why: `done` resolves only after every child is gone and nothing of the run remains. */
export async function stopAndDrain(remains: RunRemains): Promise<void> {
  const { slots, log } = remains;
  await stopAll(slots, log);
  await remains.startupTask(); // nothing is still spawning…
  await stopAll(slots, log); // …and whatever it spawned meanwhile is gone too
  await Promise.all(remains.probes); // aborted by disarmSlots: no check outlives `done`
  await Promise.all(remains.sweeps); // no grandchild outlives `done`
  await drainOutput(remains.outputs);
}

async function stopAll(slots: readonly Slot[], log: Logger): Promise<void> {
  await Promise.all(
    slots.map((slot) => (slot.child ? stopSlotChild(slot, slot.child, log) : Promise.resolve())),
  );
}

async function drainOutput(outputs: readonly Promise<void>[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTPUT_GRACE_MS)));
  await Promise.race([Promise.all(outputs), grace]);
  clearTimeout(timer);
}
