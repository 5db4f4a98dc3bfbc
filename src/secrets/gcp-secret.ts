// Fetches one Secret Manager secret with teeinit's policy, by what each failure means
// (src/retry/failure.ts): outages (503, 429, network, reset, per-call timeout) retried with
// full-jitter backoff up to fetch.attempts; a PERMISSION_DENIED at start-up retried within
// fetch.permissionGrace (IAM propagation), at once fatal otherwise; a 401 refreshes the
// collaborator's token once; a CRC32C mismatch is re-read once; refusals are final. The
// token is asked for before every try, so none is sent past its attestation token's exp.
import type { FetchConfig } from '../config/types.js';
import type { Identities } from '../identity/index.js';
import type { Logger } from '../log/index.js';
import { abortable, backoffDelay, sleep, type PermissionGrace } from '../retry/index.js';
import { accessOnce, type AccessTarget } from './access-once.js';

/** A fetched secret and how it was obtained (for the log line). */
export interface FetchedSecret {
  readonly value: Buffer;
  /** The resolved version name Secret Manager answered (`projects/N/secrets/S/versions/3`). */
  readonly version: string;
  readonly attempts: number;
}

export interface GcpFetchOptions {
  readonly target: AccessTarget;
  /**
   * The collaborator's token for the first try, obtained once and shared by its secrets;
   * later tries ask `identities` again (cached until near its end).
   */
  readonly token: Promise<string>;
  readonly identities: Identities;
  readonly policy: FetchConfig;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Start-up only: how long a PERMISSION_DENIED may be IAM propagation. */
  readonly grace?: PermissionGrace;
  /** Told about every transient failure, so a deadline error can say what went wrong last. */
  readonly onTransient?: (message: string) => void;
}

/** Accesses one version, retrying as the policy allows; throws a TeeinitError when it gives up. */
export async function fetchGcpSecret(options: GcpFetchOptions): Promise<FetchedSecret> {
  const { target, policy, signal, logger, grace } = options;
  const collaborator = target.collaborator;
  // The token is shared by the collaborator's secrets; this one may stop waiting alone.
  let token = await abortable(options.token, signal);
  let checksumRetried = false;
  let refreshed = false;
  let outages = 0;
  let denials = 0;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) token = await options.identities.accessToken(collaborator, signal, grace);
    const outcome = await accessOnce(target, token, policy.callTimeout, signal);
    if (outcome.ok) {
      if (outcome.crc === 'missing') {
        logger.warn('secret payload has no CRC32C; integrity not verified', {
          secret: target.secret,
          collaborator,
          version: outcome.version,
        });
      }
      return { value: outcome.value, version: outcome.version, attempts: attempt };
    }
    const { kind, error } = outcome;
    const base = { secret: target.secret, collaborator, attempt, code: error.code };
    if (kind === 'refusal') throw error;
    if (kind === 'corrupt') {
      if (checksumRetried) throw error;
      checksumRetried = true;
      logger.warn('secret payload failed CRC32C, reading again', base);
      continue;
    }
    if (kind === 'credential') {
      if (refreshed) throw error;
      refreshed = true;
      logger.warn('Secret Manager refused the access token, refreshing it once', base);
      await options.identities.refresh(collaborator, signal);
      continue;
    }
    let delay: number;
    if (kind === 'denied') {
      if (grace === undefined) throw error;
      denials += 1;
      const wait = grace.nextTry({ collaborator, secret: target.secret }, error, denials);
      if (wait === undefined) throw grace.exhausted(error);
      delay = wait;
    } else {
      outages += 1;
      options.onTransient?.(error.message);
      if (outages >= policy.attempts) {
        throw Object.assign(error, {
          message: `${error.message} Gave up after ${outages} attempt${outages === 1 ? '' : 's'}.`,
        });
      }
      delay = backoffDelay(policy, outages);
      logger.warn('secret access failed, retrying', {
        ...base,
        reason: error.message,
        retryInMs: delay,
      });
    }
    await sleep(delay, signal);
  }
}
