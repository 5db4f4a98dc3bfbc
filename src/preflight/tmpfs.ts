// The secrets directory: it must be on tmpfs (secrets never touch a persistent disk) and
// is created, or set, with a narrow mode (0700, or 0711 when other users own files in it).
import type { Stats } from 'node:fs';
import { mkdir, chmod, statfs, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';

/** statfs(2) f_type of tmpfs (linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;

async function nearestExisting(dir: string): Promise<string> {
  let current = resolve(dir);
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/**
 * Why: a secret written to a disk-backed directory outlives the container. The check runs
 * on the directory, or on its nearest existing parent before it is created, so a refused
 * directory is never created.
 */
export async function assertTmpfs(
  dir: string,
  unsafeAllowNonTmpfs: boolean,
  logger?: Logger,
): Promise<void> {
  const probe = await nearestExisting(dir);
  const fs = await statfs(probe);
  if (fs.type === TMPFS_MAGIC) return;
  const what = `files.dir ${dir} is not on tmpfs (filesystem type 0x${fs.type.toString(16)} at ${probe})`;
  if (unsafeAllowNonTmpfs) {
    logger?.warn(`${what}; writing secrets anyway because files.unsafeAllowNonTmpfs is set`, {
      dir,
    });
    return;
  }
  throw new TeeinitError('TEEINIT_NOT_TMPFS', `${what}.`, { fields: { dir } });
}

/** The mode teeinit gives the secrets directory: search-only for others when they own files in it. */
export function secretsDirMode(othersNeedAccess: boolean): number {
  return othersNeedAccess ? 0o711 : 0o700;
}

/** Group or others may list (r) or write (w) the directory. */
const OTHERS_READ_WRITE = 0o066;

/**
 * Why: a tmpfs mount is 1777 unless mounted with `mode=`: any local user could list the
 * file names, plant files or fill the tmpfs (a refresh then cannot write). Owners other
 * than teeinit need search (x) permission to open their file by name, but nobody needs to
 * list it: an existing directory teeinit owns is set to 0711 when any file belongs to
 * another user, else 0700. One owned by another user is never changed (its owner could
 * change it back at any time) and is refused when others may list or write it.
 * Returns false when the directory does not exist yet (nothing is created here).
 */
export async function secureSecretsDir(
  dir: string,
  othersNeedAccess: boolean,
  logger?: Logger,
): Promise<boolean> {
  await assertParentsKeepIt(dir);
  let info: Stats;
  try {
    info = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new TeeinitError('TEEINIT_MATERIALIZE_FAILED', `Cannot read files.dir ${dir}.`, {
      cause: error,
      fields: { dir },
    });
  }
  if (!info.isDirectory()) {
    throw new TeeinitError('TEEINIT_MATERIALIZE_FAILED', `files.dir ${dir} is not a directory.`, {
      fields: { dir },
    });
  }
  const mode = info.mode & 0o7777;
  const want = secretsDirMode(othersNeedAccess);
  const self = process.geteuid?.() ?? 0;
  const octal = (m: number): string => '0' + m.toString(8);
  if (info.uid !== self) {
    if ((mode & OTHERS_READ_WRITE) !== 0) {
      throw unsafeDir(
        dir,
        `has mode ${octal(mode)} and belongs to uid ${info.uid}, not to teeinit (uid ${self}): other users may list or write it, and teeinit does not change a directory it does not own`,
      );
    }
    if (othersNeedAccess && (mode & 0o011) === 0) {
      logger?.warn(
        `files.dir ${dir} has mode ${octal(mode)}: other owners cannot open their files; make it 0711`,
        { dir },
      );
    }
    return true;
  }
  if (mode === want) return true;
  try {
    await chmod(dir, want);
  } catch (error) {
    if ((mode & OTHERS_READ_WRITE) !== 0) {
      throw unsafeDir(
        dir,
        `has mode ${octal(mode)} (other users may list or write it) and cannot be changed to ${octal(want)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        error,
      );
    }
    logger?.warn(`files.dir ${dir}: cannot change its mode to ${octal(want)}`, { dir });
    return true;
  }
  logger?.info('secrets directory mode set', { dir, from: octal(mode), to: octal(want) });
  return true;
}

/**
 * Why: in a directory every user may write without the sticky bit, anyone can rename
 * files.dir away and put their own in its place, whatever its mode. /tmp and /dev/shm
 * (1777) keep entries to their owners; a plain 0777 parent does not.
 */
async function assertParentsKeepIt(dir: string): Promise<void> {
  for (let parent = dirname(resolve(dir)); ; parent = dirname(parent)) {
    const info = await stat(parent).catch(() => undefined);
    if (info !== undefined && (info.mode & 0o002) !== 0 && (info.mode & 0o1000) === 0) {
      throw unsafeDir(
        dir,
        `lies in ${parent}, which every user may write without the sticky bit: anyone could replace files.dir`,
      );
    }
    if (dirname(parent) === parent) return;
  }
}

function unsafeDir(dir: string, why: string, cause?: unknown): TeeinitError {
  return new TeeinitError('TEEINIT_SECRETS_DIR_UNSAFE', `files.dir ${dir} ${why}.`, {
    fields: { dir },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Why: the directory exists with a safe mode before any file is written: an existing one
 * is secured (secureSecretsDir), a missing one is created with that mode.
 * Returns true when this call created the directory.
 */
export async function ensureSecretsDir(
  dir: string,
  othersNeedAccess: boolean,
  logger?: Logger,
): Promise<boolean> {
  if (await secureSecretsDir(dir, othersNeedAccess, logger)) return false;
  const mode = secretsDirMode(othersNeedAccess);
  try {
    await makeParents(dirname(resolve(dir))); // parents: ordinary 0755 (umask)
    await mkdir(dir, { mode });
    await chmod(dir, mode); // the umask may have narrowed it further than intended
    return true;
  } catch (error) {
    throw new TeeinitError('TEEINIT_MATERIALIZE_FAILED', `Cannot create files.dir ${dir}.`, {
      cause: error,
    });
  }
}

/**
 * Creates `dir`'s missing components one mkdir at a time. Not mkdir's `recursive`: where
 * mkdir answers ENOENT under a parent that exists (/proc), Node's recursive mkdir retries
 * for ever in the thread pool, and not even a signal could end the start-up.
 */
async function makeParents(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; !(await exists(d)); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) await mkdir(d);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why: the secrets directory is 0711 instead of 0700 when someone other than teeinit must
 * open a file in it: a file owned by another user, or one whose mode lets its group or
 * others read it.
 */
export function othersNeedAccess(
  files: readonly { readonly mode: number; readonly uid: number }[],
): boolean {
  const self = process.getuid?.() ?? 0;
  return files.some((file) => file.uid !== self || (file.mode & 0o077) !== 0);
}
