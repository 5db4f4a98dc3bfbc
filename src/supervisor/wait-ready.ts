// Polls a process's readiness check every `interval` until it passes or `timeout` runs out
// (TEEINIT_READY_TIMEOUT). Aborting the signal (the process exited, start-up cancelled)
// ends the wait at once with the signal's reason.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { probeCommand, probeFile, probeTcp, type ProbeContext } from './ready-probes.js';

/** Resolves with the milliseconds it took to become ready. */
export async function waitReady(
  name: string,
  ready: ReadyConfig,
  context: ProbeContext,
  signal: AbortSignal,
): Promise<number> {
  const start = Date.now();
  const deadline = start + ready.timeout;
  for (;;) {
    signal.throwIfAborted();
    const left = Math.max(1, deadline - Date.now());
    const attemptMs = Math.min(left, Math.max(ready.interval, 1000));
    if (await probeOnce(ready, context, attemptMs)) return Date.now() - start;
    signal.throwIfAborted();
    const now = Date.now();
    if (now >= deadline) {
      throw new TeeinitError(
        'TEEINIT_READY_TIMEOUT',
        `Process "${name}" was not ready (${describe(ready)}) within ${ready.timeout} ms.`,
        { fields: { process: name, timeoutMs: ready.timeout } },
      );
    }
    await sleep(Math.min(ready.interval, deadline - now), undefined, { signal });
  }
}

function probeOnce(ready: ReadyConfig, context: ProbeContext, timeoutMs: number): Promise<boolean> {
  if (ready.tcp !== undefined) return probeTcp(ready.tcp, timeoutMs);
  if (ready.file !== undefined) return probeFile(ready.file);
  if (ready.command !== undefined) return probeCommand(ready.command, context, timeoutMs);
  return Promise.resolve(true);
}

// Names the check without its arguments (a command's argv may hold template output).
function describe(ready: ReadyConfig): string {
  if (ready.tcp !== undefined) return `tcp ${ready.tcp}`;
  if (ready.file !== undefined) return `file ${ready.file}`;
  return `command ${ready.command?.[0] ?? ''}`;
}
