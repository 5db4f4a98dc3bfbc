// Each supervised process starts in its own process group (a new session: spawn's
// `detached`), so what it starts stays in that group unless it leaves on purpose (setsid).
// When the process exits — stopped or on its own — whatever is left in its group gets the
// process's stopSignal, then SIGKILL once its stopTimeout has passed, as systemd's
// KillMode=mixed does: the main process first, then the group (RunningChild, in
// spawn-child.ts, runs this once per process). `done` waits for it, so a grandchild can
// neither outlive teeinit nor keep it from exiting.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/index.js';

const POLL_MS = 50;
/** After SIGKILL to the group: how long its members get to vanish before teeinit moves on. */
const KILL_GRACE_MS = 2_000;

/** Sends `signal` to every process of group `pgid`; false when the group is empty. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!(pgid > 1)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pids of group `pgid` that still run (zombies excluded: they wait for their reaper and
 * take no signal). Read from /proc when it shows teeinit's own PID namespace; otherwise
 * the group counts as running while any member, zombie or not, exists.
 */
export function liveMembers(pgid: number): number[] {
  if (!procIsOurs()) return signalGroup(pgid, 0) ? [pgid] : [];
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    // After "(comm) ": state, ppid, pgrp.
    if (fields !== undefined && Number(fields[2]) === pgid && fields[0] !== 'Z') {
      live.push(Number(entry));
    }
  }
  return live;
}

/**
 * After a group's leader exited: `stopSignal` to what is left of the group, SIGKILL at
 * `deadline`, then up to 2 s for the group to empty.
 */
export async function emptyGroup(
  child: { readonly name: string; readonly pid: number },
  stopSignal: NodeJS.Signals,
  deadline: number,
  log: Logger,
): Promise<void> {
  const pgid = child.pid;
  const left = liveMembers(pgid);
  if (left.length === 0) return;
  log.info('stopping what the process left in its process group', {
    process: child.name,
    pgid,
    count: left.length,
    signal: stopSignal,
  });
  signalGroup(pgid, stopSignal);
  if (await emptyBy(pgid, deadline)) return;
  log.warn('stop timeout passed, killing the process group', {
    process: child.name,
    pgid,
    signal: 'SIGKILL',
  });
  signalGroup(pgid, 'SIGKILL');
  if (await emptyBy(pgid, Date.now() + KILL_GRACE_MS)) return;
  log.warn('processes of the group are still there after SIGKILL', {
    process: child.name,
    pgid,
    count: liveMembers(pgid).length,
  });
}

async function emptyBy(pgid: number, deadline: number): Promise<boolean> {
  for (;;) {
    if (liveMembers(pgid).length === 0) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(POLL_MS, left));
  }
}

let ours: boolean | undefined;
// /proc belongs to teeinit's PID namespace when /proc/self is teeinit.
function procIsOurs(): boolean {
  if (ours === undefined) {
    try {
      ours = readFileSync('/proc/self/stat', 'utf8').startsWith(`${process.pid} `);
    } catch {
      ours = false;
    }
  }
  return ours;
}

function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone meanwhile
  }
}
