// A deadline as an AbortSignal: the caller's signal (cancellation) plus a timer that aborts
// with an error naming the config key that set the time. Start-up's fetch
// (fetch.startupDeadline) and a refresh cycle (refresh.deadline) both use it, so the error
// a user sees always names the key to change.
import { TeeinitError } from '../errors/index.js';

/** The config keys a deadline comes from, each with the code its expiry raises. */
const CODE_OF = {
  'fetch.startupDeadline': 'TEEINIT_STARTUP_DEADLINE',
  'refresh.deadline': 'TEEINIT_REFRESH_DEADLINE',
} as const;

/** Why: the error names the key, so the caller says which one set the time. */
export type DeadlineKey = keyof typeof CODE_OF;

/** What a deadline guards, for the error it aborts with. */
export interface DeadlineFor {
  /** The config key that set the time; named in the message, picks the error code. */
  readonly key: DeadlineKey;
  /** What had to finish, as the message's subject: "Fetching secrets". */
  readonly what: string;
  /** Read at expiry: the message's ending (what is still pending, with its `.`) and fields. */
  readonly detail?: () => {
    readonly text: string;
    readonly fields: Readonly<Record<string, string | number>>;
  };
}

/** Why: one handle to watch (signal), to abort early (first failure) and to release. */
export interface Deadline {
  /** Aborts with the parent's reason, the expiry error, or what `abort` was given. */
  readonly signal: AbortSignal;
  /** Aborts now (e.g. a first fatal error); later aborts are ignored. */
  abort(reason: unknown): void;
  /**
   * Moves the expiry to `ms` after the start when that is later (never earlier), naming
   * `by` in the expiry message: start-up waits out fetch.permissionGrace this way.
   */
  extend(ms: number, by: string): void;
  /** Clears the timer and the parent listener; call once the guarded work settled. */
  dispose(): void;
}

/** Why: the one way teeinit turns (parent signal, ms, what for) into a deadline. */
export function startDeadline(
  parent: AbortSignal | undefined,
  ms: number,
  forWhat: DeadlineFor,
): Deadline {
  const controller = new AbortController();
  const abort = (reason: unknown): void => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onParent = (): void => abort(parent?.reason);
  if (parent?.aborted === true) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  const started = Date.now();
  let total = ms;
  let extendedBy: string | undefined;
  let timer = setTimeout(() => abort(expired(total, forWhat, extendedBy)), ms);
  return {
    signal: controller.signal,
    abort,
    extend: (longer, by) => {
      if (longer <= total || controller.signal.aborted) return;
      total = longer;
      extendedBy = by;
      clearTimeout(timer);
      const left = Math.max(0, started + total - Date.now());
      timer = setTimeout(() => abort(expired(total, forWhat, extendedBy)), left);
    },
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/**
 * The expiry error: `<what> did not finish within <key> (<ms> ms)` then the detail, or `.`;
 * `<key> (extended to <ms> ms by <by>)` when the deadline was extended.
 */
export function expired(ms: number, forWhat: DeadlineFor, extendedBy?: string): TeeinitError {
  const detail = forWhat.detail?.();
  const within =
    extendedBy === undefined
      ? `${forWhat.key} (${ms} ms)`
      : `${forWhat.key} (extended to ${ms} ms by ${extendedBy})`;
  return new TeeinitError(
    CODE_OF[forWhat.key],
    `${forWhat.what} did not finish within ${within}${detail?.text ?? '.'}`,
    { fields: { deadline: forWhat.key, deadlineMs: ms, ...detail?.fields } },
  );
}
