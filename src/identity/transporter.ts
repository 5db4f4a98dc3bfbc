// The HTTP transporter given to google-auth-library for one collaborator: a per-call
// timeout (fetch.callTimeout), the caller's AbortSignal carried in through
// AsyncLocalStorage (and never a request started on an aborted signal: guarded-fetch.ts),
// the library's own retries turned off (teeinit retries with its own
// bounded policy), and none of the library's debug-logging interceptors (they print
// response bodies, i.e. access tokens, when GOOGLE_SDK_NODE_LOGGING is set).
import { AsyncLocalStorage } from 'node:async_hooks';
import { gaxios } from 'google-auth-library';
import { sendDirect } from './direct-requests.js';
import { guardedFetch } from './guarded-fetch.js';

/** The signal of the accessToken() call in progress, seen by every request it makes. */
export const callSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with `signal` applied to every library request made inside it. */
export function withCallSignal<T>(
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  return signal ? callSignal.run(signal, fn) : fn();
}

/** A Gaxios instance with teeinit's timeout, cancellation, no retries and no proxy. */
export function createTransporter(callTimeoutMs: number): gaxios.Gaxios {
  const transporter = sendDirect(new gaxios.Gaxios({ timeout: callTimeoutMs }));
  transporter.interceptors.request.add({
    resolved: (config) => {
      config.retry = false;
      config.retryConfig = { ...config.retryConfig, retry: 0, noResponseRetries: 0 };
      // A cancellation that lands before the request is sent must not reach node-fetch.
      config.fetchImplementation = guardedFetch;
      const outer = callSignal.getStore();
      if (outer) config.signal = config.signal ? AbortSignal.any([config.signal, outer]) : outer;
      return Promise.resolve(config);
    },
  });
  return transporter;
}
