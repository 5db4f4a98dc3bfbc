// Schema of secret refresh (rotation): the top-level `refresh` block and each process's
// `onRefresh`. Absent `refresh` means teeinit fetches once at start-up, as before.
import { z } from 'zod';
import { DEFAULTS } from '../defaults.js';
import { duration, signal } from './primitives.js';

const R = DEFAULTS.refresh;

/** `refresh:` — how often to re-fetch, how much to spread, how long a cycle may take. */
export const refreshSchema = z
  .strictObject({
    interval: duration(1000).default(R.interval),
    /** Default: a tenth of `interval`. */
    jitter: duration(0).optional(),
    deadline: duration().default(R.deadline),
    retry: z
      .strictObject({
        backoff: duration().default(R.retry.backoff),
        maxBackoff: duration().default(R.retry.maxBackoff),
      })
      .prefault({}),
    revocation: z
      .strictObject({
        confirmations: z.number().int().min(1).max(100).default(R.revocation.confirmations),
      })
      .prefault({}),
  })
  .transform((r) => ({ ...r, jitter: r.jitter ?? Math.floor(r.interval / 10) }));

/** `processes[].onRefresh:` — `none`, `restart` or `{ signal: SIGHUP }`. */
export const onRefreshSchema = z
  .union(
    [
      z.enum(['none', 'restart']),
      z.strictObject({ signal: signal.refine((s) => s !== 'SIGKILL' && s !== 'SIGSTOP') }),
    ],
    { error: 'expected "none", "restart" or { signal: SIGHUP }' },
  )
  .default(DEFAULTS.process.onRefresh);
