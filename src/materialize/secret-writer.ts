// The atomic secret writer: temp file in the same directory (O_EXCL, 0600), write, fsync,
// fchown + fchmod on every write, rename over the target, fsync the directory. A reader
// sees the old file or the new one, never a partial one, and never a wider mode.
import { constants, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TeeinitError } from '../errors/index.js';

/** Temp files are `.teeinit-tmp.<name>.<random>`: hidden, and recognisable for cleanup. */
export const TEMP_PREFIX = '.teeinit-tmp.';

const inFlight = new Set<string>();

/** Why: file names come from the config; a name must never escape the secrets directory. */
export function assertFileName(name: string): void {
  if (
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\0') ||
    name.startsWith(TEMP_PREFIX) ||
    Buffer.byteLength(name) > 200
  ) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `File name "${name.replace(/[^\x20-\x7e]/g, '?')}" is not allowed in files.dir: use a plain name without "/" (and not "." or "..").`,
    );
  }
}

/**
 * Why: the one way a secret reaches the disk. Returns the absolute path written.
 * @example await writeSecretFile('/run/secrets', 'server.key', pem, 0o600, 999, 999)
 */
export async function writeSecretFile(
  dir: string,
  name: string,
  bytes: Buffer | string,
  mode: number,
  uid?: number,
  gid?: number,
): Promise<string> {
  assertFileName(name);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `Mode ${mode} for file "${name}" is not 0000–0777.`,
    );
  }
  const target = join(dir, name);
  const temp = join(dir, `${TEMP_PREFIX}${name}.${randomBytes(6).toString('hex')}`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  inFlight.add(temp);
  try {
    const fh = await open(temp, flags, 0o600);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
      if (uid !== undefined || gid !== undefined) await fh.chown(uid ?? -1, gid ?? -1);
      await fh.chmod(mode);
    } finally {
      await fh.close();
    }
    await rename(temp, target);
    inFlight.delete(temp);
    await syncDir(dir);
    return target;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    inFlight.delete(temp);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TeeinitError(
      'TEEINIT_MATERIALIZE_FAILED',
      `Cannot write ${target} (${code}${uid === undefined ? '' : `, owner ${uid}:${gid ?? -1}`}).`,
      { cause: error, fields: { file: name } },
    );
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } catch (error) {
    // Some filesystems reject fsync on a directory; the rename is already visible.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    await fh.close();
  }
}

/** Why: a signal may arrive mid-write; cleanup removes half-written temp files synchronously. */
export function removeTempFilesSync(): void {
  for (const temp of inFlight) {
    unlinkQuietly(temp);
    inFlight.delete(temp);
  }
}

/** Why: removing a secret file must not fail on one already gone (or renamed meanwhile). */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
