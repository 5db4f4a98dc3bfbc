// The Confidential Space token file. The launcher rewrites it (temp file + rename) before it
// expires, so it is read again on every use and never cached.
import { readFile } from 'node:fs/promises';
import { TeeinitError } from '../errors/index.js';
import { assertTokenFresh } from './jwt-expiry.js';

/** Reads, trims and checks the token file; called on every STS exchange. */
export async function readTokenFile(path: string, now = Date.now()): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The attestation token file ${path} cannot be read (${code}).`,
      { cause: error, fields: { tokenFile: path, errno: code } },
    );
  }
  const token = text.trim();
  if (token.length === 0) {
    throw new TeeinitError(
      'TEEINIT_TOKEN_UNAVAILABLE',
      `The attestation token file ${path} is empty.`,
      { fields: { tokenFile: path } },
    );
  }
  assertTokenFresh(token, `token file ${path}`, now);
  return token;
}
