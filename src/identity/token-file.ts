// The Confidential Space token file. The launcher rewrites it (temp file + rename) before it
// expires, so it is read again on every use and never cached. The read honours the caller's
// AbortSignal even when the path is a FIFO that no one writes (read-abortable.ts).
import { TeeinitError } from '../errors/index.js';
import { assertTokenFresh } from './jwt-expiry.js';
import { readAbortable } from './read-abortable.js';

/** A Confidential Space token is a few KiB; anything far larger is not a token. */
const MAX_TOKEN_BYTES = 64 * 1024;

export interface TokenFileOptions {
  /** Aborting rejects the read at once with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly now?: number;
}

/** Reads, trims and checks the token file; called on every STS exchange. */
export async function readTokenFile(path: string, options: TokenFileOptions = {}): Promise<string> {
  const { signal } = options;
  let bytes: Buffer;
  try {
    bytes = await readAbortable(path, {
      maxBytes: MAX_TOKEN_BYTES,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The attestation token file ${path} cannot be read (${code}${code === 'EFBIG' ? `: larger than ${MAX_TOKEN_BYTES} bytes` : ''}).`,
      { cause: error, fields: { tokenFile: path, errno: code } },
    );
  }
  const token = bytes.toString('utf8').trim();
  if (token.length === 0) {
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The attestation token file ${path} is empty.`,
      { fields: { tokenFile: path } },
    );
  }
  assertTokenFresh(token, `token file ${path}`, options.now);
  return token;
}
