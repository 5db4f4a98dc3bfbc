// Polls a process's readiness check every `interval` until it passes or `timeout` runs out
// (TEEINIT_READY_TIMEOUT). Aborting the signal (the process exited, start-up cancelled)
// ends the wait at once with the signal's reason.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadyConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { probeCommand, probeFile, probeTcp } from './ready-probes.js';
import type { LaunchSpec } from './types.js';

/** Resolves with the milliseconds it took to become ready. */
export async function waitReady(
  name: string,
  ready: ReadyConfig,
  spec: LaunchSpec,
  signal: AbortSignal,
): Promise<number> {
  const start = Date.now();
  const deadline = start + ready.timeout;
  for (;;) {
    signal.throwIfAborted();
    const left = Math.max(1, deadline - Date.now());
    if (await probeOnce(ready, spec, left, signal)) return Date.now() - start;
    signal.throwIfAborted();
    const now = Date.now();
    if (now >= deadline) {
      throw new TeeinitError(
        'TEEINIT_READY_TIMEOUT',
        `Process "${name}" was not ready (${describeReady(ready)}) within ${ready.timeout} ms.`,
        { fields: { process: name, timeoutMs: ready.timeout } },
      );
    }
    await sleep(Math.min(ready.interval, deadline - now), undefined, { signal });
  }
}

// A command may take long to start on a busy machine: it gets all the time left. A TCP
// connect that hangs (SYN dropped) is retried after at most max(interval, 2 s).
function probeOnce(
  ready: ReadyConfig,
  spec: LaunchSpec,
  leftMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  if (ready.tcp !== undefined) {
    return probeTcp(ready.tcp, Math.min(leftMs, Math.max(ready.interval, 2000)), signal);
  }
  if (ready.file !== undefined) return probeFile(ready.file);
  if (ready.command !== undefined) return probeCommand(ready.command, spec, leftMs, signal);
  return Promise.resolve(true);
}

/** Names the check without its arguments (a command's argv may hold template output). */
export function describeReady(ready: ReadyConfig): string {
  if (ready.tcp !== undefined) return `tcp ${ready.tcp}`;
  if (ready.file !== undefined) return `file ${ready.file}`;
  return `command ${ready.command?.[0] ?? ''}`;
}
