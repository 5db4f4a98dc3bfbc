// `source: file` — a secret read from a local file, for development without Google.
// The path is relative to the config file's directory.
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { TeeinitError } from '../errors/index.js';

const MAX_FILE_BYTES = 1024 * 1024;

/** Reads the file named by `secrets.<name>.path`. */
export async function readFileSecret(name: string, path: string, baseDir: string): Promise<Buffer> {
  const full = isAbsolute(path) ? path : resolve(baseDir, path);
  const fields = { secret: name, path: full };
  try {
    const info = await stat(full);
    if (!info.isFile()) {
      throw new TeeinitError(
        'TEEINIT_SECRET_NOT_FOUND',
        `secrets.${name}.path ${full} is not a regular file.`,
        { fields },
      );
    }
    if (info.size > MAX_FILE_BYTES) {
      throw new TeeinitError(
        'TEEINIT_SECRET_UNAVAILABLE',
        `secrets.${name}.path ${full} is larger than ${MAX_FILE_BYTES} bytes.`,
        { fields },
      );
    }
    return await readFile(full);
  } catch (error) {
    if (error instanceof TeeinitError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    if (code === 'ENOENT') {
      throw new TeeinitError(
        'TEEINIT_SECRET_NOT_FOUND',
        `secrets.${name}.path ${full} does not exist.`,
        { fields, cause: error },
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new TeeinitError(
        'TEEINIT_PERMISSION_DENIED',
        `secrets.${name}.path ${full} is not readable (${code}).`,
        { fields, cause: error },
      );
    }
    throw new TeeinitError(
      'TEEINIT_SECRET_UNAVAILABLE',
      `secrets.${name}.path ${full} cannot be read (${code}).`,
      { fields, cause: error },
    );
  }
}
