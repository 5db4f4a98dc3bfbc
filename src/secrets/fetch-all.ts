// The fetch stage: every secret in parallel. Each collaborator's token is obtained once
// (collaborators concurrently), each secret waits only for its own collaborator's token,
// then accesses — at most two round-trips of waiting. The first fatal error, the deadline
// (fetch.startupDeadline, or refresh.deadline in a refresh) or the caller's signal aborts
// everything still in flight. At start-up only, a PERMISSION_DENIED is retried within
// fetch.permissionGrace (an IAM grant still propagating), which extends the deadline.
// A share of a threshold key is the exception (a ShareQuorum, keys/share-quorum.ts): its failure is logged, not
// fatal, and once everything else is in and its key has t consistent shares, the shares
// being retried (refused or failed once) are no longer waited for.
import type { Config, SecretConfig } from '../config/types.js';
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import type { Identities } from '../identity/index.js';
import type { Logger } from '../log/index.js';
import {
  startDeadline,
  startPermissionGrace,
  type DeadlineKey,
  type PermissionGrace,
} from '../retry/index.js';
import { readFileSecret } from './file-secret.js';
import { fetchGcpSecret, type FetchedSecret } from './gcp-secret.js';
import { accessUrl, isFloatingVersion, parseSecretRef } from './secret-ref.js';

export interface FetchAllOptions {
  readonly logger: Logger;
  /** Cancelled (SIGTERM, refresh stopped): aborts every call in flight. */
  readonly signal?: AbortSignal;
  /**
   * How long fetching may take, and the config key that says so (named in the error).
   * Start-up: fetch.startupDeadline (the default); a refresh cycle: refresh.deadline.
   */
  readonly deadline?: { readonly ms: number; readonly key: DeadlineKey };
  /**
   * Level of `secret fetched` (per secret) and `all secrets fetched`: info at start-up,
   * debug in a refresh cycle (which logs its own summary). At debug, the warning about a
   * `latest` ref is not repeated either: start-up gave it once.
   */
  readonly fetchedLevel?: 'info' | 'debug';
  /** Directory of the config file; `source: file` paths are relative to it. */
  readonly baseDir: string;
  /**
   * How long a PERMISSION_DENIED is taken for IAM propagation (ms, 0: never). Default:
   * fetch.permissionGrace at start-up (deadline key fetch.startupDeadline), 0 in a refresh
   * cycle, where a refusal must not be mistaken for a grant still on its way.
   */
  readonly permissionGrace?: number;
  /**
   * Makes the quorum of the config's threshold keys (keys/share-quorum.ts), if it has any;
   * without it every secret is required, a share of a threshold key too.
   */
  readonly shareQuorum?: (options: ShareQuorumOptions) => ShareQuorum | undefined;
  /**
   * Told how each secret's fetch ended: its bytes arrived (`error` undefined) or it failed
   * with `error` (marked with its kind, src/retry/failure.ts). Not told of a fetch that was
   * aborted because something else failed, the deadline ran out or the caller cancelled.
   * Refresh cycles read consent from it (src/consent/).
   */
  readonly onSettled?: (secret: string, collaborator: string, error?: TeeinitError) => void;
  /**
   * A failed secret does not abort the others (refresh: each collaborator's answer is
   * wanted, to tell who refused); the first failure is still thrown once all settled.
   */
  readonly settleAll?: boolean;
}

/** Why: fetchAll asks it, per secret, whether a failure is fatal and when to stop waiting. */
export interface ShareQuorum {
  /** Whether `secret` is a share of a threshold key (its failure is not fatal alone). */
  has(secret: string): boolean;
  /** Aborted once the share's key no longer needs it (its fetch then ends quietly). */
  signalFor(secret: string): AbortSignal;
  /** A share's payload arrived; resolves false when it is refused (logged, not kept). */
  arrived(secret: string, raw: Buffer): Promise<boolean>;
  /** A share's fetch failed (logged); an abort because it is not needed is ignored. */
  failed(secret: string, error: TeeinitError): Promise<void>;
  /** The share was refused or failed once and is being retried. */
  retrying(secret: string): void;
  /** Whether every threshold key has t consistent shares. */
  ready(): boolean;
  /** Stops waiting for the pending shares being retried (once nothing else is awaited). */
  release(): void;
  /** Drops the decoded copies of the shares. */
  dispose(): void;
}

/** What a quorum is given by fetchAll. */
export interface ShareQuorumOptions {
  readonly logger: Logger;
  /** The key can no longer be made: fetchAll aborts everything with this error. */
  readonly fail: (error: TeeinitError) => void;
}

/**
 * Fetches every configured secret; resolves to name → bytes, or throws the first failure.
 * A threshold key's share that failed or was not waited for is absent from the result.
 */
export async function fetchAll(
  config: Config,
  identities: Identities,
  options: FetchAllOptions,
): Promise<Map<string, Buffer>> {
  const { logger } = options;
  const names = Object.keys(config.secrets);
  const result = new Map<string, Buffer>();
  if (names.length === 0) return result;

  const pending = new Set(names);
  const lastTransient = new Map<string, string>();
  const deadline = options.deadline ?? {
    ms: config.fetch.startupDeadline,
    key: 'fetch.startupDeadline',
  };
  const stop = startDeadline(options.signal, deadline.ms, {
    key: deadline.key,
    what: 'Fetching secrets',
    detail: () => {
      const waiting = [...pending];
      const last = waiting.map((n) => lastTransient.get(n)).find((m) => m !== undefined);
      return {
        text: `; still waiting for: ${waiting.join(', ')}.${last ? ` Last error: ${last}` : ''}`,
        fields: { pending: waiting.join(',') },
      };
    },
  });

  const startup = deadline.key === 'fetch.startupDeadline';
  const grace = startPermissionGrace({
    graceMs: options.permissionGrace ?? (startup ? config.fetch.permissionGrace : 0),
    policy: config.fetch,
    logger,
    secretsOf: (collaborator) =>
      Object.entries(config.secrets)
        .filter(([, s]) => s.from === collaborator && s.source !== 'file')
        .map(([name]) => name),
    extendDeadline: (ms, by) => stop.extend(ms, by),
  });

  const quorum = options.shareQuorum?.({ logger, fail: (error) => stop.abort(error) });
  // Secrets start-up cannot go without: every one but the shares of threshold keys.
  const required = new Set(names.filter((name) => quorum?.has(name) !== true));
  const releaseWhenReady = (): void => {
    if (required.size === 0 && quorum?.ready() === true) quorum.release();
  };
  /** A share being retried (refused once, or failed once) need not be waited for. */
  const retrying = (...shares: string[]): void => {
    if (quorum === undefined) return;
    for (const name of shares) if (quorum.has(name)) quorum.retrying(name);
    releaseWhenReady();
  };
  /** The grace, telling the quorum which shares a refused call holds up. */
  const graceFor = (shares: () => string[]): PermissionGrace | undefined =>
    grace === undefined || quorum === undefined
      ? grace
      : {
          nextTry: (at, error, retry) => {
            const wait = grace.nextTry(at, error, retry);
            if (wait !== undefined) retrying(...shares());
            return wait;
          },
          exhausted: (error) => grace.exhausted(error),
        };

  // A collaborator's token exchange stops once none of its secrets waits for it any more
  // (its only secret a share that is no longer needed).
  const tokens = new Map<string, { token: Promise<string>; stop: AbortController }>();
  const waiting = new Map<string, number>();
  for (const s of Object.values(config.secrets))
    waiting.set(s.from, (waiting.get(s.from) ?? 0) + 1);
  const tokenFor = (collaborator: string): Promise<string> => {
    let entry = tokens.get(collaborator);
    if (!entry) {
      const own = new AbortController();
      const token = identities.accessToken(
        collaborator,
        AbortSignal.any([stop.signal, own.signal]),
        graceFor(() =>
          names.filter((n) => config.secrets[n]?.from === collaborator && pending.has(n)),
        ),
      );
      token.catch(() => undefined); // observed by each secret that awaits it
      entry = { token, stop: own };
      tokens.set(collaborator, entry);
    }
    return entry.token;
  };
  const settled = (collaborator: string): void => {
    const left = (waiting.get(collaborator) ?? 1) - 1;
    waiting.set(collaborator, left);
    if (left === 0) tokens.get(collaborator)?.stop.abort(new Error('no secret waits for it'));
  };

  const fetchOne = async (name: string, secret: SecretConfig): Promise<void> => {
    const started = Date.now();
    const share = quorum?.has(name) === true;
    const signal = share ? AbortSignal.any([stop.signal, quorum.signalFor(name)]) : stop.signal;
    let fetched: FetchedSecret;
    try {
      fetched = await fetchSecret(name, secret, signal);
    } catch (error) {
      pending.delete(name);
      if (!stop.signal.aborted && !(share && quorum.signalFor(name).aborted)) {
        options.onSettled?.(name, secret.from, toTeeinitError(error));
      }
      // A share's failure is its own, unless everything is being cancelled anyway.
      if (!share || stop.signal.aborted) throw error;
      await quorum.failed(name, toTeeinitError(error));
      releaseWhenReady();
      return;
    } finally {
      settled(secret.from);
    }
    logger.redactor.add(fetched.value);
    pending.delete(name);
    options.onSettled?.(name, secret.from);
    required.delete(name);
    const kept = !share || (await quorum.arrived(name, fetched.value));
    releaseWhenReady();
    if (!kept) {
      fetched.value.fill(0);
      return;
    }
    result.set(name, fetched.value);
    logger[options.fetchedLevel ?? 'info']('secret fetched', {
      secret: name,
      collaborator: secret.from,
      source: secret.source,
      version: fetched.version,
      bytes: fetched.value.length,
      ms: Date.now() - started,
      attempts: fetched.attempts,
    });
  };

  const fetchSecret = async (
    name: string,
    secret: SecretConfig,
    signal: AbortSignal,
  ): Promise<FetchedSecret> => {
    if (secret.source === 'file') {
      const value = await readFileSecret(name, secret.path ?? '', options.baseDir);
      return { value, version: `file:${secret.path ?? ''}`, attempts: 1 };
    }
    const ref = secret.ref ?? '';
    const parsed = parseSecretRef(ref, name);
    if (isFloatingVersion(parsed) && options.fetchedLevel !== 'debug') {
      logger.warn(
        'secret uses version "latest"; pin a version number so a new version is a deliberate change',
        {
          secret: name,
          collaborator: secret.from,
          ref,
        },
      );
    }
    return fetchGcpSecret({
      target: {
        secret: name,
        collaborator: secret.from,
        ref,
        url: accessUrl(config.endpoints, ref, parsed),
      },
      token: tokenFor(secret.from),
      identities,
      policy: config.fetch,
      signal,
      logger,
      ...(grace === undefined ? {} : { grace: graceFor(() => [name]) ?? grace }),
      onTransient: (message) => {
        lastTransient.set(name, message);
        retrying(name);
      },
    });
  };

  const started = Date.now();
  let firstFailure: TeeinitError | undefined;
  try {
    await Promise.all(
      Object.entries(config.secrets).map(([name, secret]) =>
        fetchOne(name, secret).catch((error: unknown) => {
          // The first failure wins; later ones are consequences of the abort.
          if (options.settleAll !== true || stop.signal.aborted) {
            stop.abort(toTeeinitError(error));
          } else {
            firstFailure ??= toTeeinitError(error);
            pending.delete(name);
          }
        }),
      ),
    );
  } finally {
    stop.dispose();
    quorum?.dispose();
  }
  if (stop.signal.aborted || firstFailure !== undefined) {
    for (const value of result.values()) value.fill(0);
    throw firstFailure ?? cancelled(stop.signal.reason);
  }
  logger[options.fetchedLevel ?? 'info']('all secrets fetched', {
    count: result.size,
    ms: Date.now() - started,
    collaborators: tokens.size,
    ...(result.size < names.length
      ? { notFetched: names.filter((n) => !result.has(n)).join(',') }
      : {}),
  });
  return result;
}

/** A TeeinitError reason (deadline, first failure) as is; any other cancellation as one. */
function cancelled(reason: unknown): TeeinitError {
  if (reason instanceof TeeinitError) return reason;
  return new TeeinitError('TEEINIT_STARTUP_CANCELLED', 'Fetching secrets was cancelled.', {
    cause: reason,
  });
}
