// The refresh loop (opt-in with `refresh:`; without it nothing starts, as before): after
// "running", one cycle every interval (minus jitter); a failed cycle keeps the old
// material, logs a warning naming the secret and error code, and is retried sooner with
// capped backoff (so is a successful one while a collaborator's refusal awaits its
// confirmations). After each cycle the consent guard counts refusals and acts on a
// revocation (consent-guard.ts); only that can end the run from here. stop() aborts a cycle
// in flight and resolves once nothing will be written any more.
import type { RefreshConfig } from '../config/types.js';
import { toTeeinitError, type TeeinitError } from '../errors/index.js';
import type { Material, TlsMaterial } from '../keys/index.js';
import type { Logger } from '../log/index.js';
import type { Plan } from '../plan/types.js';
import { sleep } from '../retry/index.js';
import type { ConsentGuard } from './consent-guard.js';
import { refreshOnce, type RefreshTarget } from './refresh-cycle.js';

/** Handle of the running loop. */
export interface RefreshLoop {
  /** Aborts the wait or the cycle in flight; resolves when the loop has finished. */
  stop(): Promise<void>;
}

/** Why: the status endpoint reports when a cycle ran, how it ended, and when the next is due. */
export interface RefreshEvents {
  refreshScheduled(at: Date): void;
  refreshAttempted(at: Date): void;
  /** `tls` is the material in use after the cycle (new if something changed). */
  refreshSucceeded(at: Date, tls: ReadonlyMap<string, TlsMaterial>): void;
  refreshFailed(error: TeeinitError): void;
}

/**
 * Why: the pipeline's one call once running; undefined when refresh is not configured. The
 * loop runs in the background until stop(), which the pipeline calls before cleanup.
 */
export function startRefresh(
  plan: Plan,
  parts: Omit<RefreshTarget, 'plan' | 'refresh' | 'consent'>,
  logger: Logger,
  events?: RefreshEvents,
  consent?: (material: () => Material) => ConsentGuard,
): RefreshLoop | undefined {
  const refresh = plan.config.refresh;
  if (refresh === undefined) return undefined;
  const target: RefreshTarget = {
    ...parts,
    plan,
    refresh,
    ...(consent === undefined ? {} : { consent: consent(() => target.material) }),
  };
  return startRefreshLoop(target, logger, Math.random, events);
}

function startRefreshLoop(
  target: RefreshTarget,
  logger: Logger,
  random: () => number,
  events?: RefreshEvents,
): RefreshLoop {
  const { refresh } = target;
  const stopper = new AbortController();
  const log = logger.child({ stage: 'refresh' });
  const loop = async (): Promise<void> => {
    let failures = 0;
    let delay = nextInterval(refresh, random);
    log.info('refresh scheduled', { intervalMs: refresh.interval, jitterMs: refresh.jitter });
    while (!stopper.signal.aborted) {
      events?.refreshScheduled(new Date(Date.now() + delay));
      try {
        await sleep(delay, stopper.signal);
      } catch {
        return;
      }
      try {
        events?.refreshAttempted(new Date());
        await refreshOnce(target, log, stopper.signal);
        events?.refreshSucceeded(new Date(), target.material.tls);
        // A refusal not yet confirmed is checked again as soon as a failed cycle would be.
        failures = target.consent?.suspect() === true ? failures + 1 : 0;
        delay = failures > 0 ? retryDelay(refresh, failures) : nextInterval(refresh, random);
      } catch (error) {
        if (stopper.signal.aborted) return;
        failures++;
        delay = retryDelay(refresh, failures);
        const err = toTeeinitError(error);
        events?.refreshFailed(err);
        log.warn('secret refresh failed; keeping the previous secrets', {
          code: err.code,
          error: err.message,
          ...err.fields,
          failures,
          retryInMs: delay,
        });
      }
      if (stopper.signal.aborted) return;
      await target.consent?.afterCycle(log);
    }
  };
  const running = loop();
  return {
    stop: () => {
      stopper.abort(new Error('refresh stopped'));
      return running;
    },
  };
}

/** interval minus a uniform part of jitter: many instances spread, none waits longer. */
export function nextInterval(refresh: RefreshConfig, random: () => number = Math.random): number {
  return Math.max(1, Math.round(refresh.interval - random() * refresh.jitter));
}

/**
 * backoff × 2^(failures-1), capped by maxBackoff and by interval, then minus a random part of
 * up to half: instances that failed together (a Secret Manager outage) do not all retry at
 * the same moment, and none retries sooner than half the ceiling.
 */
export function retryDelay(
  refresh: RefreshConfig,
  failures: number,
  random: () => number = Math.random,
): number {
  const { backoff, maxBackoff } = refresh.retry;
  const ceiling = Math.min(maxBackoff, refresh.interval, backoff * 2 ** Math.min(30, failures - 1));
  return Math.max(1, Math.round(ceiling - (random() * ceiling) / 2));
}
