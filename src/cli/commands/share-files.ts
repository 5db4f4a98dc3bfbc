// The files of the dealer's commands: share and secret files are created with O_EXCL and
// mode 0600 (never over an existing file), inputs are read with a size bound. Errors name
// the path, never the content.
import { closeSync, fchmodSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { TeeinitError } from '../../errors/index.js';
import { MAX_SECRET_BYTES, MIN_SECRET_BYTES } from '../../keys/index.js';

/** A share line is ~150 bytes; a secret file at most 64 bytes (or 128 hex digits). */
const MAX_INPUT_BYTES = 4096;

/** Reads a share or secret file; TEEINIT_SHARES_INPUT when it cannot be read. */
export function readInput(path: string, what: string): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_INPUT_BYTES) throw new Error(`${st.size} bytes, more than a ${what} holds`);
    return readFileSync(fd);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new TeeinitError('TEEINIT_SHARES_INPUT', `Cannot read ${what} "${path}": ${why}.`, {
      cause,
      fields: { file: path },
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Why: a secret given to `split --secret-file`: hex text (surrounding whitespace ignored)
 * or raw bytes, as for shares; 16 to 64 bytes, not all zero.
 */
export function readSecretFile(path: string): Buffer {
  const raw = readInput(path, 'secret file');
  const text = raw.toString('latin1').trim();
  const secret = /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(raw);
  raw.fill(0);
  const bad = (why: string): TeeinitError => {
    secret.fill(0);
    return new TeeinitError('TEEINIT_SHARES_INPUT', `Secret file "${path}" ${why}.`, {
      fields: { file: path },
    });
  };
  if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
    throw bad(
      `holds ${secret.length} bytes; a secret to split has ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} (raw, or as hex text)`,
    );
  }
  if (secret.every((b) => b === 0)) throw bad('is all zero bytes');
  return secret;
}

/** Creates `path` with mode 0600 and writes `data`; refuses an existing file. */
export function writeNewFile(path: string, data: Buffer | string, what: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'wx', 0o600);
    fchmodSync(fd, 0o600); // whatever the umask
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off);
    if (typeof data === 'string') bytes.fill(0);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST'
        ? 'it exists, and teeinit never overwrites a share or secret file'
        : cause instanceof Error
          ? cause.message
          : String(cause);
    throw new TeeinitError('TEEINIT_SHARES_OUTPUT', `Cannot create ${what} "${path}": ${why}.`, {
      cause,
      fields: { file: path },
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
