// What a secrets refresh does to a running process: signal it (e.g. SIGHUP to reload), or
// replace it — stop it (stopSignal, stopTimeout, SIGKILL) and start it again from a
// re-rendered spec. A replaced child's exit ends nothing and spends no restart budget; the
// new process's readiness is checked in the background, and replace() waits for that check
// unless the caller's deadline signal aborts first.
import type { Logger } from '../log/index.js';
import { abortable } from '../retry/index.js';
import type { RestartCause } from './restart-readiness.js';
import { cancelRestart, findSlot, stopSlotChild, type Slot } from './slot.js';
import type { LaunchSpec } from './types.js';

/** Why: the actions act on the run's slots, but only while it is running. */
export interface RefreshHost {
  readonly slots: readonly Slot[];
  readonly log: Logger;
  isRunning(): boolean;
  /** Starts the slot's process again; its readiness check (if any) then runs in the background. */
  restart(slot: Slot, cause: RestartCause): Promise<void>;
}

/** Why: backends that reload on a signal keep running; false if the process is not running. */
export function signalProcess(host: RefreshHost, name: string, signal: NodeJS.Signals): boolean {
  const child = findSlot(host.slots, name)?.child;
  if (child === undefined || !host.isRunning()) return false;
  host.log.info('signalling process', { process: name, pid: child.pid, signal });
  return child.kill(signal);
}

/** Why: backends that read secrets only at start need a new process; false once not running. */
export async function replaceProcess(
  host: RefreshHost,
  name: string,
  spec: LaunchSpec,
  signal?: AbortSignal,
): Promise<boolean> {
  const slot = findSlot(host.slots, name);
  if (slot === undefined || !host.isRunning() || slot.replacing !== undefined) return false;
  slot.spec = spec;
  cancelRestart(slot); // a pending policy restart is superseded
  const child = slot.child;
  host.log.info('replacing process', { process: name, pid: child?.pid });
  if (child !== undefined) {
    slot.replacing = child;
    await stopSlotChild(slot, child, host.log);
  }
  if (!host.isRunning()) return false;
  await host.restart(slot, { after: 'refresh' });
  const probe = slot.probe;
  // The caller (a refresh and its deadline) may stop waiting; the probe goes on and logs.
  if (probe !== undefined) await abortable(probe.task, signal).catch(() => undefined);
  return host.isRunning();
}
