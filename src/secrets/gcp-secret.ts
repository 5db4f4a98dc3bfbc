// Fetches one Secret Manager secret with teeinit's policy: transient failures (429, 5xx,
// network, reset, per-call timeout) retried with full-jitter backoff up to fetch.attempts;
// a 401 refreshes the collaborator's token once; a CRC32C mismatch is re-read once.
import type { FetchConfig } from '../config/types.js';
import type { Identities } from '../identity/index.js';
import type { Logger } from '../log/index.js';
import { accessOnce, type AccessTarget } from './access-once.js';
import { backoffDelay, sleep } from '../retry/index.js';

/** A fetched secret and how it was obtained (for the log line). */
export interface FetchedSecret {
  readonly value: Buffer;
  /** The resolved version name Secret Manager answered (`projects/N/secrets/S/versions/3`). */
  readonly version: string;
  readonly attempts: number;
}

export interface GcpFetchOptions {
  readonly target: AccessTarget;
  /** The collaborator's token, obtained once and shared by its secrets. */
  readonly token: Promise<string>;
  readonly identities: Identities;
  readonly policy: FetchConfig;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Told about every transient failure, so a deadline error can say what went wrong last. */
  readonly onTransient?: (message: string) => void;
}

/** Accesses one version, retrying as the policy allows; throws a TeeinitError when it gives up. */
export async function fetchGcpSecret(options: GcpFetchOptions): Promise<FetchedSecret> {
  const { target, policy, signal, logger } = options;
  let token = await options.token;
  let checksumRetried = false;
  let refreshed = false;
  for (let attempt = 1; ; attempt++) {
    const outcome = await accessOnce(target, token, policy.callTimeout, signal);
    if (outcome.ok) {
      if (outcome.crc === 'missing') {
        logger.warn('secret payload has no CRC32C; integrity not verified', {
          secret: target.secret,
          collaborator: target.collaborator,
          version: outcome.version,
        });
      }
      return { value: outcome.value, version: outcome.version, attempts: attempt };
    }
    const { kind, error } = outcome;
    const base = {
      secret: target.secret,
      collaborator: target.collaborator,
      attempt,
      code: error.code,
    };
    if (kind === 'fatal') throw error;
    if (kind === 'checksum') {
      if (checksumRetried) throw error;
      checksumRetried = true;
      logger.warn('secret payload failed CRC32C, reading again', base);
      continue;
    }
    if (kind === 'unauthenticated') {
      if (refreshed) throw error;
      refreshed = true;
      logger.warn('Secret Manager refused the access token, refreshing it once', base);
      token = await options.identities.refresh(target.collaborator, signal);
      continue;
    }
    options.onTransient?.(error.message);
    if (attempt >= policy.attempts) {
      throw Object.assign(error, {
        message: `${error.message} Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}.`,
      });
    }
    const delay = backoffDelay(policy, attempt);
    logger.warn('secret access failed, retrying', {
      ...base,
      reason: error.message,
      retryInMs: delay,
    });
    await sleep(delay, signal);
  }
}
