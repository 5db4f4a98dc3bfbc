// Temporary directories for tests: secrets dirs on tmpfs (/dev/shm) like production, state
// and config dirs anywhere; removed by the caller's after hook.
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
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

/** A fresh directory under the OS temp dir: for config files, state, markers and logs. */
export interface TempDir {
  readonly dir: string;
  /** Writes `text` to the file `name` in it; returns the file's path. */
  write(name: string, text: string): string;
  /** Removes it with everything in it (an after hook's job). */
  remove(): void;
}

export function tempDir(prefix: string): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => removeDir(dir),
  };
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/**
 * Why: tests put secrets dirs on tmpfs (tmpfsDir) like production; where the machine has no
 * tmpfs the config must say `files.unsafeAllowNonTmpfs`, and only then. Returns `config`.
 */
export function allowNonTmpfs<T extends { files?: unknown }>(
  config: T,
  secrets: { readonly onTmpfs: boolean },
): T {
  if (!secrets.onTmpfs) (config.files as Record<string, unknown>).unsafeAllowNonTmpfs = true;
  return config;
}
