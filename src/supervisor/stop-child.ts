// Stops one child the way container runtimes do: its stopSignal, then SIGKILL once its
// stopTimeout has passed. Memoized per child, so a second stop waits on the first.
import type { Logger } from '../log/index.js';
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
    if (child.hasExited()) return;
    logger.info('stopping', { process: child.name, pid: child.pid, signal, timeoutMs });
    child.kill(signal);
    const timer = setTimeout(() => {
      logger.warn('stop timeout passed, killing', {
        process: child.name,
        pid: child.pid,
        signal: 'SIGKILL',
        timeoutMs,
      });
      child.kill('SIGKILL');
    }, timeoutMs);
    try {
      await child.exited;
    } finally {
      clearTimeout(timer);
    }
  })();
  stops.set(child, stopping);
  return stopping;
}
