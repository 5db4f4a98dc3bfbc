// Temporary directories for tests: secrets dirs on tmpfs (/dev/shm) like production, state
// dirs anywhere; removed by the caller's after hook.
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TMPFS_MAGIC } from '../../src/preflight/tmpfs.js';

/** A fresh directory on tmpfs when the machine has /dev/shm, else under the OS temp dir. */
export function tmpfsDir(prefix: string): { path: string; onTmpfs: boolean } {
  try {
    if (statfsSync('/dev/shm').type === TMPFS_MAGIC) {
      return { path: mkdtempSync(join('/dev/shm', prefix)), onTmpfs: true };
    }
  } catch {
    // no /dev/shm: fall through
  }
  return { path: mkdtempSync(join(tmpdir(), prefix)), onTmpfs: false };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
