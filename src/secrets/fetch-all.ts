// The fetch stage: every secret in parallel. Each collaborator's token is obtained once
// (collaborators concurrently), each secret waits only for its own collaborator's token,
// then accesses — at most two round-trips of waiting. The first fatal error, the start-up
// deadline or the caller's signal aborts everything still in flight.
import type { Config, SecretConfig } from '../config/types.js';
import { TeeinitError, toTeeinitError } from '../errors/index.js';
import type { Identities } from '../identity/index.js';
import { redactor, type Logger } from '../log/index.js';
import { readFileSecret } from './file-secret.js';
import { fetchGcpSecret, type FetchedSecret } from './gcp-secret.js';
import { accessUrl, isFloatingVersion, parseSecretRef } from './secret-ref.js';

export interface FetchAllOptions {
  readonly logger: Logger;
  /** Start-up cancelled (e.g. SIGTERM): aborts every call in flight. */
  readonly signal?: AbortSignal;
  /** Directory of the config file; `source: file` paths are relative to it. */
  readonly baseDir: string;
}

/** Fetches every configured secret; resolves to name → bytes, or throws the first failure. */
export async function fetchAll(
  config: Config,
  identities: Identities,
  options: FetchAllOptions,
): Promise<Map<string, Buffer>> {
  const { logger } = options;
  const names = Object.keys(config.secrets);
  const result = new Map<string, Buffer>();
  if (names.length === 0) return result;

  const stop = new AbortController();
  const pending = new Set(names);
  const lastTransient = new Map<string, string>();
  const deadlineMs = config.fetch.startupDeadline;
  const timer = setTimeout(() => {
    const waiting = [...pending];
    const last = waiting.map((n) => lastTransient.get(n)).find((m) => m !== undefined);
    stop.abort(
      new TeeinitError(
        'TEEINIT_STARTUP_DEADLINE',
        `Fetching secrets did not finish within fetch.startupDeadline (${deadlineMs} ms); still waiting for: ${waiting.join(', ')}.${last ? ` Last error: ${last}` : ''}`,
        { fields: { deadlineMs, pending: waiting.join(',') } },
      ),
    );
  }, deadlineMs);
  const onCancel = (): void => {
    const reason: unknown = options.signal?.reason;
    stop.abort(
      reason instanceof TeeinitError
        ? reason
        : new TeeinitError(
            'TEEINIT_STARTUP_CANCELLED',
            'Start-up was cancelled while fetching secrets.',
          ),
    );
  };
  if (options.signal?.aborted === true) onCancel();
  else options.signal?.addEventListener('abort', onCancel, { once: true });

  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (collaborator: string): Promise<string> => {
    let token = tokens.get(collaborator);
    if (!token) {
      token = identities.accessToken(collaborator, stop.signal);
      token.catch(() => undefined); // observed by each secret that awaits it
      tokens.set(collaborator, token);
    }
    return token;
  };

  const fetchOne = async (name: string, secret: SecretConfig): Promise<void> => {
    const started = Date.now();
    const fetched = await fetchSecret(name, secret);
    redactor.add(fetched.value);
    result.set(name, fetched.value);
    pending.delete(name);
    logger.info('secret fetched', {
      secret: name,
      collaborator: secret.from,
      source: secret.source,
      version: fetched.version,
      bytes: fetched.value.length,
      ms: Date.now() - started,
      attempts: fetched.attempts,
    });
  };

  const fetchSecret = async (name: string, secret: SecretConfig): Promise<FetchedSecret> => {
    if (secret.source === 'file') {
      const value = await readFileSecret(name, secret.path ?? '', options.baseDir);
      return { value, version: `file:${secret.path ?? ''}`, attempts: 1 };
    }
    const ref = secret.ref ?? '';
    const parsed = parseSecretRef(ref, name);
    if (isFloatingVersion(parsed)) {
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
      signal: stop.signal,
      logger,
      onTransient: (message) => lastTransient.set(name, message),
    });
  };

  const started = Date.now();
  try {
    await Promise.all(
      Object.entries(config.secrets).map(([name, secret]) =>
        fetchOne(name, secret).catch((error: unknown) => {
          // The first failure wins; later ones are consequences of the abort.
          if (!stop.signal.aborted) stop.abort(toTeeinitError(error));
        }),
      ),
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
  }
  if (stop.signal.aborted) {
    for (const value of result.values()) value.fill(0);
    throw toTeeinitError(stop.signal.reason);
  }
  logger.info('all secrets fetched', {
    count: result.size,
    ms: Date.now() - started,
    collaborators: tokens.size,
  });
  return result;
}
