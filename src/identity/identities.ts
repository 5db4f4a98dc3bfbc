// Per-collaborator credentials: one client per collaborator, never shared, built lazily;
// access tokens cached by the library until near expiry; each call bounded by
// fetch.callTimeout per HTTP call and retried with teeinit's backoff on transient errors.
import type { CollaboratorConfig, Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import { redactor, type Logger } from '../log/index.js';
import { abortable, backoffDelay, sleep } from '../retry/index.js';
import { createAdcClient } from './adc-client.js';
import { mapIdentityError, type IdentityErrorContext } from './identity-errors.js';
import { createTokenSource } from './token-source.js';
import { createTransporter, withCallSignal } from './transporter.js';
import { createWifClient, wifUrls } from './wif-client.js';

/** What the fetch stage uses: a Bearer token for one collaborator's secrets only. */
export interface Identities {
  /** A valid access token for `collaborator` (cached until near expiry). */
  accessToken(collaborator: string, signal?: AbortSignal): Promise<string>;
  /** Drops the cached token and obtains a new one (after a 401 from an API). */
  refresh(collaborator: string, signal?: AbortSignal): Promise<string>;
}

interface Credential {
  get(): Promise<string>;
  forceRefresh(): Promise<string>;
  readonly ctx: IdentityErrorContext;
}

/** Builds the identities of every collaborator in the config (no network until first use). */
export function createIdentities(config: Config, logger: Logger): Identities {
  const credentials = new Map<string, Credential>();
  const tokenSource = createTokenSource(config.attestation, {
    timeoutMs: config.fetch.callTimeout,
  });

  const credentialFor = (name: string): Credential => {
    const existing = credentials.get(name);
    if (existing) return existing;
    const collaborator = config.collaborators[name];
    if (!collaborator) {
      throw new TeeinitError('TEEINIT_CONFIG_REFERENCE', `Unknown collaborator "${name}".`, {
        fields: { collaborator: name },
      });
    }
    const created = buildCredential(name, collaborator, config, tokenSource);
    credentials.set(name, created);
    return created;
  };

  const obtain = async (
    name: string,
    signal: AbortSignal | undefined,
    refresh: boolean,
  ): Promise<string> => {
    const credential = credentialFor(name);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      // Cancelled already (e.g. during the backoff sleep's last tick): start no request.
      signal?.throwIfAborted();
      try {
        const call = (): Promise<string> =>
          attempt === 1 && !refresh ? credential.get() : credential.forceRefresh();
        const token = await abortable(withCallSignal(signal, call), signal);
        redactor.add(token);
        logger.debug('credential ready', {
          collaborator: name,
          attempts: attempt,
          ms: Date.now() - started,
          refreshed: refresh,
        });
        return token;
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        const mapped = mapIdentityError(error, credential.ctx);
        if (!mapped.retryable || attempt >= config.fetch.attempts) throw mapped.error;
        const delay = backoffDelay(config.fetch, attempt);
        logger.warn('credential attempt failed, retrying', {
          collaborator: name,
          attempt,
          code: mapped.error.code,
          reason: mapped.error.message,
          retryInMs: delay,
        });
        await sleep(delay, signal);
      }
    }
  };

  return {
    accessToken: (name, signal) => obtain(name, signal, false),
    refresh: (name, signal) => obtain(name, signal, true),
  };
}

function buildCredential(
  name: string,
  collaborator: CollaboratorConfig,
  config: Config,
  tokenSource: ReturnType<typeof createTokenSource>,
): Credential {
  const urls = wifUrls(config.endpoints, collaborator);
  const ctx: IdentityErrorContext = {
    collaborator: name,
    stsUrl: urls.sts,
    callTimeoutMs: config.fetch.callTimeout,
    ...(collaborator.provider ? { provider: collaborator.provider } : {}),
    ...(collaborator.serviceAccount ? { serviceAccount: collaborator.serviceAccount } : {}),
    ...(urls.impersonation ? { impersonationUrl: urls.impersonation } : {}),
  };
  if (collaborator.credentials === 'adc') {
    const adc = createAdcClient();
    const adcCtx: IdentityErrorContext = { ...ctx, adc: true };
    const timeout = config.fetch.callTimeout;
    return {
      ctx: adcCtx,
      get: () => abortable(adc.getAccessToken(), AbortSignal.timeout(timeout)),
      forceRefresh: () => abortable(adc.forceRefresh(), AbortSignal.timeout(timeout)),
    };
  }
  if (collaborator.credentials === 'none' || collaborator.provider === undefined) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_INVALID',
      `Collaborator "${name}" has no credentials (credentials: ${collaborator.credentials}${collaborator.provider === undefined ? ', no provider' : ''}) but a secret from Secret Manager needs one.`,
      {
        fields: { collaborator: name },
        hint: `Set collaborators.${name}.provider, or use source: file for its secrets.`,
      },
    );
  }
  const client = createWifClient(
    { ...collaborator, provider: collaborator.provider },
    urls,
    tokenSource,
    createTransporter(config.fetch.callTimeout),
  );
  return {
    ctx,
    get: async () => {
      const answer = await client.getAccessToken();
      if (!answer.token) throw new Error('the token exchange returned no access token');
      return answer.token;
    },
    forceRefresh: () => client.forceRefresh(),
  };
}
