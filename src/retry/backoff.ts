// Retry timing shared by the fetch stage and the identity stage: exponential backoff with
// full jitter (AWS architecture blog), and a sleep that an AbortSignal cuts short.
import type { FetchConfig } from '../config/types.js';

/**
 * Delay before retry number `retry` (1-based): uniform in [0, min(max, initial × 2^(retry-1))].
 * Full jitter spreads retries of many parallel fetches so they do not hit the service together.
 */
export function backoffDelay(
  policy: Pick<FetchConfig, 'initialBackoff' | 'maxBackoff'>,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoff, policy.initialBackoff * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Rejects with the signal's reason when it aborts, else settles as `promise` does. The
 * losing `promise` stays observed either way: its late rejection is no unhandled rejection.
 */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
