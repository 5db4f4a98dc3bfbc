// The start-up grace for PERMISSION_DENIED. Google IAM applies a grant only after it has
// propagated ("typically 2 minutes, but could potentially take 7 minutes or longer",
// cloud.google.com/iam/docs/access-change-propagation), so a VM booted right after a
// collaborator's grant is refused for a while. Within fetch.permissionGrace, counted from
// the start of the fetch, a 403 from Secret Manager or generateAccessToken is retried with
// capped, jittered backoff; the start-up deadline is extended to the grace if it is shorter.
// One warning per refused secret (or service account) says so at the first 403; the final
// error says how long was waited and which key to raise. Refresh cycles have no grace.
import type { FetchConfig } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { backoffDelay } from './backoff.js';

/** The config key named in the warning and the final error. */
export const GRACE_KEY = 'fetch.permissionGrace';

/** Why Google refuses a grant that exists: said in the warning and the final error. */
export const PROPAGATION_REASON =
  'an IAM grant takes effect only after it has propagated (typically 2 minutes, 7 or more at worst)';

/** What was refused: a secret (Secret Manager access) or a service account (impersonation). */
export interface DeniedAt {
  readonly collaborator: string;
  readonly secret?: string;
  readonly serviceAccount?: string;
}

/** Why: one object per start-up decides, for every refused call, whether to wait or give up. */
export interface PermissionGrace {
  /**
   * The wait (ms) before retry number `retry` (1-based) of a call refused with `error`, or
   * undefined once the grace is over: the caller then throws `exhausted(error)`.
   */
  nextTry(at: DeniedAt, error: TeeinitError, retry: number): number | undefined;
  /** The refusal as the final error: what was waited, why, and the key to raise. */
  exhausted(error: TeeinitError): TeeinitError;
}

export interface PermissionGraceOptions {
  readonly graceMs: number;
  readonly policy: Pick<FetchConfig, 'initialBackoff' | 'maxBackoff' | 'callTimeout'>;
  readonly logger: Logger;
  /** The secrets a collaborator's refused credential holds up (named in the warning). */
  readonly secretsOf: (collaborator: string) => readonly string[];
  /** Extends the start-up deadline (total ms from its start, and the key that did it). */
  readonly extendDeadline: (totalMs: number, by: string) => void;
  readonly now?: () => number;
}

/** Starts the grace now; undefined when fetch.permissionGrace is 0 (refuse at once). */
export function startPermissionGrace(options: PermissionGraceOptions): PermissionGrace | undefined {
  const { graceMs, policy, logger } = options;
  if (graceMs <= 0) return undefined;
  const now = options.now ?? Date.now;
  const started = now();
  const ends = started + graceMs;
  const warned = new Set<string>();
  let extended = false;
  return {
    nextTry(at, error, retry) {
      const left = ends - now();
      if (left <= 0) return undefined;
      if (!extended) {
        extended = true;
        // The last try may start at the grace's end: leave it one call to be answered.
        options.extendDeadline(graceMs + policy.callTimeout, GRACE_KEY);
      }
      const key = `${at.collaborator}\u0000${at.secret ?? ''}\u0000${at.serviceAccount ?? ''}`;
      if (!warned.has(key)) {
        warned.add(key);
        logger.warn('permission denied; retrying while the IAM grant propagates', {
          collaborator: at.collaborator,
          ...(at.secret === undefined ? {} : { secret: at.secret }),
          ...(at.serviceAccount === undefined
            ? {}
            : {
                serviceAccount: at.serviceAccount,
                secrets: options.secretsOf(at.collaborator).join(','),
              }),
          code: error.code,
          reason: PROPAGATION_REASON,
          refusal: error.message,
          graceMs,
          graceEnds: new Date(ends).toISOString(),
          key: GRACE_KEY,
        });
      }
      return Math.min(backoffDelay(policy, retry), left);
    },
    exhausted(error) {
      const seconds = Math.round(graceMs / 1000);
      return new TeeinitError(
        error.code,
        `${error.message} Still refused after ${seconds} s of waiting for the grant to propagate (${GRACE_KEY}).`,
        {
          cause: error,
          fields: { ...error.fields, permissionGraceMs: graceMs },
          hint: `${error.hint} If the grant was made just before boot, ${PROPAGATION_REASON}: raise ${GRACE_KEY} (now ${seconds} s) or boot later.`,
        },
      );
    },
  };
}
