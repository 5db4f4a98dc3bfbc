// Whether a user can reach a file by its path the way the kernel decides it after
// setgid/setuid: search (x) on every directory above it, then the wanted permission on the
// file. Node's uid/gid spawn options drop supplementary groups, so only the primary gid
// counts. ACLs and capabilities other than root's are not modelled.
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';

/** The identity a child runs as. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

const READ = 4;
const EXECUTE = 1;

/**
 * Why: a binary or file teeinit (root) can use may still be out of reach of the user a
 * process runs as (a 0700 home above it). Returns the first path that denies `who`, or
 * undefined when every step allows it. `file` must exist.
 * @example await deniedPath('/root/app/bin/server', { uid: 65534, gid: 65534 }, 'x') // → '/root'
 */
export async function deniedPath(
  file: string,
  who: RunAs,
  want: 'r' | 'x',
): Promise<string | undefined> {
  // The kernel walks the path as written and, through symlinks, the target's path too.
  const paths = new Set([file, await realpath(file).catch(() => file)]);
  for (const path of paths) {
    for (const dir of ancestors(path)) {
      if (!allows(await stat(dir), who, EXECUTE, true)) return dir;
    }
    if (!allows(await stat(path), who, want === 'r' ? READ : EXECUTE, false)) return path;
  }
  return undefined;
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    out.unshift(dir);
    if (dirname(dir) === dir) return out;
  }
}

function allows(st: Stats, who: RunAs, bit: number, isDirectory: boolean): boolean {
  if (who.uid === 0) {
    // root reads and searches anything; it executes a file only if some x bit is set.
    return isDirectory || bit === READ || (st.mode & 0o111) !== 0;
  }
  const shift = st.uid === who.uid ? 6 : st.gid === who.gid ? 3 : 0;
  return ((st.mode >> shift) & bit) !== 0;
}
