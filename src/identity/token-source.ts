// One function that yields the current attestation token, whichever source the config
// names. Every call goes back to the source (the token is rotated underneath us).
import type { AttestationConfig } from '../config/types.js';
import { readTeeserverToken } from './teeserver.js';
import { readTokenFile } from './token-file.js';

/** Returns a fresh attestation token on every call. */
export type TokenSource = (signal?: AbortSignal) => Promise<string>;

/** Builds the token source the config selects (`file` or `teeserver`). */
export function createTokenSource(
  attestation: AttestationConfig,
  options: { readonly timeoutMs: number },
): TokenSource {
  if (attestation.source === 'teeserver') {
    return (signal) =>
      readTeeserverToken(attestation.socket, {
        timeoutMs: options.timeoutMs,
        ...(signal ? { signal } : {}),
      });
  }
  return (signal) => readTokenFile(attestation.tokenFile, signal ? { signal } : {});
}
