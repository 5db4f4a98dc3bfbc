// A fresh PID namespace for the "PID 1" tests, without Docker: `unshare --pid --fork
// --mount-proc` (optionally with tini as PID 1), and whether this machine permits it.
import { spawnSync } from 'node:child_process';

/** argv prefix: run the rest as PID 1 of a new PID namespace with its own /proc. */
export const UNSHARE_PID = ['unshare', '--pid', '--fork', '--mount-proc'] as const;

/** argv prefix: tini as PID 1 of a new PID namespace, running the rest below it. */
export const UNSHARE_TINI = [...UNSHARE_PID, 'tini', '--'] as const;

/** Why tini cannot run as PID 1 of a new PID namespace here (a skip reason), or false. */
export function pidNamespaceUnavailable(): string | false {
  const [file, ...args] = UNSHARE_TINI;
  const probe = spawnSync(file, [...args, 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error) return `unshare/tini not runnable: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare --pid not permitted here: ${probe.stderr.trim()}`;
  return false;
}
