// One function that yields the current attestation token, whichever source the config
// names. Every call goes back to the source (the token is rotated underneath us).
import type { AttestationConfig } from '../config/types.js';
import type { Redactor } from '../log/index.js';
import { readTeeserverToken } from './teeserver.js';
import { readTokenFile } from './token-file.js';

/** Returns a fresh attestation token on every call. */
export type TokenSource = (signal?: AbortSignal) => Promise<string>;

/**
 * Builds the token source the config selects (`file` or `teeserver`). Every token read is
 * registered with `redactor` (the run's logger's) before it is used: it is a bearer
 * credential for every collaborator's STS, and a server's error page may echo it back
 * into a log line.
 */
export function createTokenSource(
  attestation: AttestationConfig,
  options: { readonly timeoutMs: number; readonly redactor?: Redactor },
): TokenSource {
  const read: TokenSource =
    attestation.source === 'teeserver'
      ? (signal) =>
          readTeeserverToken(attestation.socket, {
            timeoutMs: options.timeoutMs,
            ...(signal ? { signal } : {}),
          })
      : (signal) => readTokenFile(attestation.tokenFile, signal ? { signal } : {});
  return async (signal) => {
    const token = await read(signal);
    options.redactor?.add(token);
    return token;
  };
}
