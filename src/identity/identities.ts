// Per-collaborator credentials: one client per collaborator, never shared, built lazily.
// Each federated (or impersonated) access token is cached by teeinit until just before the
// earlier of its own end and the `exp` of the attestation token it was exchanged for: it is
// never sent past that `exp`, whatever `expires_in` said or omitted (google-auth-library
// would keep a token without `expires_in` forever). Each call is bounded by
// fetch.callTimeout per HTTP call and retried by what the failure means (src/retry/failure.ts):
// outages with teeinit's backoff up to fetch.attempts (a launcher that cannot attest, until
// the deadline), a PERMISSION_DENIED on impersonation within the start-up grace only.
import type { CollaboratorConfig, Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import {
  abortable,
  backoffDelay,
  sleep,
  withFailure,
  type PermissionGrace,
} from '../retry/index.js';
import { createAdcClient } from './adc-client.js';
import { mapIdentityError, type IdentityErrorContext } from './identity-errors.js';
import { withTokenClaims, type TokenClaims } from './token-claims.js';
import { createTokenSource } from './token-source.js';
import { createTransporter, withCallSignal } from './transporter.js';
import { createWifClient, wifUrls } from './wif-client.js';

/** A token is not sent in the last 5 s before its end (or its attestation token's `exp`). */
export const TOKEN_END_MARGIN_MS = 5_000;

/** Launcher outages are retried until the deadline; this bounds the count all the same. */
const MAX_LAUNCHER_TRIES = 100;

/** What the fetch stage uses: a Bearer token for one collaborator's secrets only. */
export interface Identities {
  /**
   * A valid access token for `collaborator` (cached until near its end). With `grace` (at
   * start-up only), a PERMISSION_DENIED on impersonation is retried while it lasts.
   */
  accessToken(collaborator: string, signal?: AbortSignal, grace?: PermissionGrace): Promise<string>;
  /** Drops the cached token and obtains a new one (after a 401 from an API). */
  refresh(collaborator: string, signal?: AbortSignal): Promise<string>;
}

/** An access token and, when known, the time (ms) it must not be used past. */
interface Issued {
  readonly token: string;
  readonly notAfter?: number;
}

interface Credential {
  /** A token now: `force` skips any cache of the library (ADC after a 401). */
  fetch(force: boolean): Promise<Issued>;
  readonly ctx: IdentityErrorContext;
  /** The claims of the attestation token last presented (workload identity only). */
  readonly claims?: () => TokenClaims | undefined;
}

interface State {
  readonly credential: Credential;
  cached?: Issued | undefined;
  inflight?: Promise<string> | undefined;
}

/** Builds the identities of every collaborator in the config (no network until first use). */
export function createIdentities(config: Config, logger: Logger): Identities {
  const states = new Map<string, State>();
  const tokenSource = createTokenSource(config.attestation, {
    timeoutMs: config.fetch.callTimeout,
    redactor: logger.redactor,
  });

  const stateOf = (name: string): State => {
    const existing = states.get(name);
    if (existing) return existing;
    const collaborator = config.collaborators[name];
    if (!collaborator) {
      throw new TeeinitError('TEEINIT_CONFIG_REFERENCE', `Unknown collaborator "${name}".`, {
        fields: { collaborator: name },
      });
    }
    const created: State = {
      credential: buildCredential(name, collaborator, config, tokenSource),
    };
    states.set(name, created);
    return created;
  };

  const usable = (issued: Issued | undefined): issued is Issued =>
    issued !== undefined &&
    issued.notAfter !== undefined &&
    Date.now() < issued.notAfter - TOKEN_END_MARGIN_MS;

  const obtain = async (
    name: string,
    state: State,
    signal: AbortSignal | undefined,
    force: boolean,
    grace: PermissionGrace | undefined,
  ): Promise<string> => {
    const { credential } = state;
    const started = Date.now();
    let outages = 0;
    let launcherOutages = 0;
    let denials = 0;
    for (let attempt = 1; ; attempt++) {
      // Cancelled already (e.g. during the backoff sleep's last tick): start no request.
      signal?.throwIfAborted();
      try {
        const call = (): Promise<Issued> => credential.fetch(force || attempt > 1);
        const issued = await abortable(withCallSignal(signal, call), signal);
        logger.redactor.add(issued.token);
        if (issued.notAfter !== undefined && issued.notAfter - Date.now() <= TOKEN_END_MARGIN_MS) {
          // Exchanged for an attestation token about to expire: wait for the launcher's next.
          throw withFailure(
            new TeeinitError(
              'TEEINIT_TOKEN_EXPIRED',
              `The access token of collaborator "${name}" would end within ${TOKEN_END_MARGIN_MS} ms, with the attestation token it was exchanged for; waiting for a fresh attestation token.`,
              { fields: { collaborator: name, notAfter: new Date(issued.notAfter).toISOString() } },
            ),
            'outage',
          );
        }
        state.cached = issued;
        logger.debug('credential ready', {
          collaborator: name,
          attempts: attempt,
          ms: Date.now() - started,
          refreshed: force,
          ...(issued.notAfter === undefined
            ? {}
            : { usableUntil: new Date(issued.notAfter - TOKEN_END_MARGIN_MS).toISOString() }),
        });
        return issued.token;
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        const { error: mapped, kind } = mapIdentityError(error, credential.ctx);
        // A refusal carries the claims it refused: the refresh loop names the likely cause.
        withTokenClaims(mapped, credential.claims?.());
        let delay: number;
        if (kind === 'denied' && grace !== undefined) {
          denials += 1;
          const at = {
            collaborator: name,
            ...(credential.ctx.serviceAccount === undefined
              ? {}
              : { serviceAccount: credential.ctx.serviceAccount }),
          };
          const wait = grace.nextTry(at, mapped, denials);
          if (wait === undefined) throw grace.exhausted(mapped);
          delay = wait;
        } else if (kind === 'outage' && mapped.code === 'TEEINIT_TOKEN_UNAVAILABLE' && signal) {
          // The launcher could not attest (HTTP 500) or answer: nothing proceeds without a
          // token, so it is retried until the deadline the caller's signal carries.
          launcherOutages += 1;
          if (launcherOutages >= MAX_LAUNCHER_TRIES) throw mapped;
          delay = backoffDelay(config.fetch, launcherOutages);
        } else if (kind === 'outage') {
          outages += 1;
          if (outages >= config.fetch.attempts) throw mapped;
          delay = backoffDelay(config.fetch, outages);
        } else {
          throw mapped;
        }
        // A refusal waited out in the grace was announced once (permission-grace.ts).
        logger[kind === 'denied' ? 'debug' : 'warn']('credential attempt failed, retrying', {
          collaborator: name,
          attempt,
          code: mapped.code,
          failure: kind,
          reason: mapped.message,
          retryInMs: delay,
        });
        await sleep(delay, signal);
      }
    }
  };

  const get = (
    name: string,
    signal: AbortSignal | undefined,
    force: boolean,
    grace: PermissionGrace | undefined,
  ): Promise<string> => {
    const state = stateOf(name);
    if (force) state.cached = undefined;
    else if (usable(state.cached)) return Promise.resolve(state.cached.token);
    // One exchange per collaborator at a time: the secrets waiting for it share its result.
    if (state.inflight === undefined) {
      const run = obtain(name, state, signal, force, grace).finally(() => {
        if (state.inflight === run) state.inflight = undefined;
      });
      state.inflight = run;
    }
    return abortable(state.inflight, signal);
  };

  return {
    accessToken: (name, signal, grace) => get(name, signal, false, grace),
    refresh: (name, signal) => get(name, signal, true, undefined),
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
    // No attestation token behind ADC: the library keeps and renews its own token.
    const adc = createAdcClient();
    const adcCtx: IdentityErrorContext = { ...ctx, adc: true };
    const timeout = config.fetch.callTimeout;
    return {
      ctx: adcCtx,
      fetch: async (force) => ({
        token: await abortable(
          force ? adc.forceRefresh() : adc.getAccessToken(),
          AbortSignal.timeout(timeout),
        ),
      }),
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
    claims: () => client.lastClaims(),
    fetch: async () => {
      const exchanged = await client.exchange();
      if (!exchanged.token) throw new Error('the token exchange returned no access token');
      const ends = [exchanged.expiresAt, exchanged.attestationExp].filter(
        (t): t is number => t !== undefined,
      );
      // Never past the attestation token's exp, whatever expires_in said or omitted.
      return ends.length === 0
        ? { token: exchanged.token }
        : { token: exchanged.token, notAfter: Math.min(...ends) };
    },
  };
}
