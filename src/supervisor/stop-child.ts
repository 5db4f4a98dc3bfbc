// Stops one child as systemd's KillMode=mixed does: its stopSignal to the process, SIGKILL
// to its whole process group once its stopTimeout has passed, and after it exited the
// stopSignal to whatever it left in the group (then SIGKILL at the same deadline).
// Memoized per child, so a second stop waits on the first.
import type { Logger } from '../log/index.js';
import { setStopDeadline, signalGroup, sweepGroup } from './process-group.js';
import type { RunningChild } from './spawn-child.js';

const stops = new WeakMap<RunningChild, Promise<void>>();

/** Resolves once the child has exited; never leaves its timer behind. */
export function stopChild(
  child: RunningChild,
  signal: NodeJS.Signals,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const existing = stops.get(child);
  if (existing) return existing;
  const stopping = (async () => {
    if (!child.hasExited()) {
      setStopDeadline(child, Date.now() + timeoutMs);
      logger.info('stopping', { process: child.name, pid: child.pid, signal, timeoutMs });
      child.kill(signal);
      const timer = setTimeout(() => {
        logger.warn('stop timeout passed, killing', {
          process: child.name,
          pid: child.pid,
          signal: 'SIGKILL',
          timeoutMs,
        });
        if (!signalGroup(child.pid, 'SIGKILL')) child.kill('SIGKILL');
      }, timeoutMs);
      try {
        await child.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    await sweepGroup(child, signal, timeoutMs, logger);
  })();
  stops.set(child, stopping);
  return stopping;
}
