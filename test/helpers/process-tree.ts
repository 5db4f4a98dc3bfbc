// Tearing down a process tree a test started, for after hooks: when start-up fails partway
// the supervisor may already have started backends (redis, postgres, nginx...). SIGKILL to
// the supervisor alone would orphan them, so its descendants are recorded first (pid plus
// start time, so a recycled pid is never hit), the supervisor gets SIGTERM and a short
// grace to stop them itself, and whatever recorded process is still alive gets SIGKILL.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process we started (directly or through a child), identified beyond its pid. */
export interface TrackedPid {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
  readonly startTime: string;
}

interface ProcEntry {
  readonly ppid: number;
  readonly state: string;
  readonly startTime: string;
}

function readEntry(pid: number | string): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm) ": state(3) ppid(4) ... starttime(22) → indexes 0, 1, 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]), startTime: fields[19] ?? '' };
  } catch {
    return undefined; // gone, or raced with an exiting process
  }
}

/** Every live descendant of `root` (children, grandchildren...), from one scan of /proc. */
export function descendantPids(root: number): TrackedPid[] {
  const children = new Map<number, { pid: number; startTime: string }[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readEntry(name);
    if (!entry || entry.state === 'Z') continue;
    const list = children.get(entry.ppid) ?? [];
    list.push({ pid: Number(name), startTime: entry.startTime });
    children.set(entry.ppid, list);
  }
  const found: TrackedPid[] = [];
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** True while this exact process (same pid, same start time) exists and is not a zombie. */
export function trackedAlive(p: TrackedPid): boolean {
  const entry = readEntry(p.pid);
  return entry !== undefined && entry.state !== 'Z' && entry.startTime === p.startTime;
}

/** The root of a tree: its pid, whether it has exited, and how to signal it. */
export interface TreeRoot {
  readonly pid: number;
  gone(): boolean;
  signal(signal: NodeJS.Signals): void;
}

/**
 * SIGTERM to `root`, up to `graceMs` for it to exit (recording its descendants meanwhile),
 * SIGKILL to it if it did not, then SIGKILL to every recorded descendant still alive, and a
 * bounded wait until they are gone. Never throws: it runs in after hooks.
 */
export async function terminateTree(root: TreeRoot, graceMs = 5_000): Promise<void> {
  // pid 0/1 would make every process on the machine a "descendant".
  if (!Number.isInteger(root.pid) || root.pid <= 1) return;
  const recorded = new Map<number, TrackedPid>();
  const record = (): void => {
    for (const p of descendantPids(root.pid)) recorded.set(p.pid, p);
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (!root.gone()) {
      if (Date.now() > deadline) return false;
      record(); // start-up may still be spawning backends
      await sleep(25);
    }
    return true;
  };
  try {
    if (!root.gone()) {
      record();
      root.signal('SIGTERM');
      if (!(await waitGone(graceMs))) {
        record();
        root.signal('SIGKILL');
        await waitGone(5_000);
      }
    }
    const left = [...recorded.values()].filter(trackedAlive);
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // exited between the check and the signal
      }
    }
    const deadline = Date.now() + 5_000;
    while (left.some(trackedAlive) && Date.now() < deadline) await sleep(25);
  } catch {
    // best effort: a failing cleanup must not hide the test's own failure
  }
}
