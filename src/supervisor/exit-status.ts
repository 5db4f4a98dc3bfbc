// One number for "how did it end": an exit code as is, a death by signal n as 128+n —
// the shell's and tini's convention, so `docker run` reports what users expect.
import { constants } from 'node:os';

/** How a child ended, with the status teeinit would exit with. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** `code`, or 128+n when the child died by signal n. */
  readonly status: number;
}

/** Node reports a signal death as `code === null, signal = 'SIGTERM'`: map it to 128+n. */
export function toExitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + signalNumber(signal);
  return 1;
}

/** The number of a signal name on this platform (SIGTERM → 15). */
export function signalNumber(signal: NodeJS.Signals): number {
  const n = (constants.signals as Partial<Record<string, number>>)[signal];
  return n ?? 0;
}

/** Builds a ChildExit from the arguments of ChildProcess's 'exit' event. */
export function toChildExit(code: number | null, signal: NodeJS.Signals | null): ChildExit {
  return { code, signal, status: toExitStatus(code, signal) };
}
