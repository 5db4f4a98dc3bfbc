// The secrets directory: it must be on tmpfs (secrets never touch a persistent disk) and
// is created with a narrow mode when missing.
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

/**
 * Why: owners other than teeinit need search (x) permission on the directory to open their
 * file by name, but nobody needs to list it: 0711 when any file belongs to another user,
 * else 0700. An existing directory (e.g. a tmpfs mount point) keeps its mode, with a
 * warning when other owners could not reach their files through it.
 * Returns true when this call created the directory.
 */
export async function ensureSecretsDir(
  dir: string,
  othersNeedAccess: boolean,
  logger?: Logger,
): Promise<boolean> {
  const mode = othersNeedAccess ? 0o711 : 0o700;
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) {
      throw new TeeinitError('TEEINIT_MATERIALIZE_FAILED', `files.dir ${dir} is not a directory.`);
    }
    if (othersNeedAccess && (info.mode & 0o011) === 0) {
      logger?.warn(
        `files.dir ${dir} has mode 0${(info.mode & 0o777).toString(8)}: other owners cannot open their files; make it 0711`,
        { dir },
      );
    }
    return false;
  } catch (error) {
    if (error instanceof TeeinitError) throw error;
  }
  try {
    await mkdir(dirname(dir), { recursive: true }); // parents: ordinary 0755 (umask)
    await mkdir(dir, { mode });
    await chmod(dir, mode); // the umask may have narrowed it further than intended
    return true;
  } catch (error) {
    throw new TeeinitError('TEEINIT_MATERIALIZE_FAILED', `Cannot create files.dir ${dir}.`, {
      cause: error,
    });
  }
}
