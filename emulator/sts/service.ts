// Security Token Service: `POST /v1/token` (form or camelCase JSON) exchanges an attestation
// JWT for an opaque access token of a federated workload principal (gcp-wire.md §2). The
// token lives as long as the subject token still does, less ~2 s, at most the configured
// lifetime (`expires-in.ts`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ISSUER } from '../attestation/claims.js';
import type { EmulatorContext, EmulatorService } from '../context.js';
import { decodeJwt } from '../attestation/jwt.js';
import { readBody, sendGoogleError, sendHtml404, sendJson } from '../http.js';
import { mapIdentity } from './attribute-mapping.js';
import { stsLifetime } from './expires-in.js';
import { invalidRequest, MESSAGES, sendStsError, StsError } from './oauth-error.js';
import { parseProviderName, poolName, providerResourceName } from './provider-name.js';
import { verifySubjectToken } from './subject-token.js';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const SUBJECT_TOKEN_TYPES = [
  'urn:ietf:params:oauth:token-type:jwt',
  'urn:ietf:params:oauth:token-type:id_token',
];

export interface StsOptions {
  /** The attestation issuer's current JWKS (the emulator's own keys). */
  readonly jwks: () => { readonly keys: readonly Readonly<Record<string, string>>[] };
  /** Longest lifetime of issued access tokens (`expires_in`); default 3600. */
  readonly accessTokenLifetimeSeconds?: number;
  /**
   * True (the default, as Google): `expires_in` is what is left of the subject token, less
   * ~2 s, at most the lifetime; absent with 2 s left; HTTP 500 with 1 s. False: always the
   * lifetime (the emulator's behaviour before it modelled this).
   */
  readonly boundToSubjectToken?: boolean;
}

type Params = Readonly<Record<string, string | undefined>>;

// The STS as an emulator service.
export function createStsService(ctx: EmulatorContext, options: StsOptions): EmulatorService {
  const lifetime = options.accessTokenLifetimeSeconds ?? 3600;
  return {
    name: 'sts',
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method !== 'POST' || path !== '/v1/token') {
        sendHtml404(res, path);
        return;
      }
      const decision = await ctx.faults.intercept('sts.token', res);
      if (decision.kind === 'handled') return;
      try {
        const params = await readParams(req);
        const issued = exchange(ctx, options, params, decision.kind === 'expired-token', lifetime);
        if (issued === 'internal') {
          // Measured on Google with 1 s of the subject token left; the body is emulator wording.
          sendGoogleError(res, 500, 'Internal error encountered.');
          return;
        }
        sendJson(res, 200, {
          access_token: issued.token,
          issued_token_type: ACCESS_TOKEN_TYPE,
          token_type: 'Bearer',
          ...(issued.expiresIn === undefined ? {} : { expires_in: issued.expiresIn }),
        });
      } catch (error) {
        if (!(error instanceof StsError)) throw error;
        sendStsError(res, error);
      }
    },
  };
}

function exchange(
  ctx: EmulatorContext,
  options: StsOptions,
  p: Params,
  forceExpired: boolean,
  lifetime: number,
): { token: string; expiresIn?: number } | 'internal' {
  if (p.grant_type !== GRANT_TYPE) {
    throw new StsError(
      400,
      'unsupported_grant_type',
      `Unsupported grant_type [${p.grant_type ?? ''}].`,
    );
  }
  if (p.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw invalidRequest(
      `Invalid value for "requested_token_type": [${p.requested_token_type ?? ''}].`,
    );
  }
  if (p.subject_token_type === undefined || !SUBJECT_TOKEN_TYPES.includes(p.subject_token_type)) {
    throw invalidRequest(
      `Invalid value for "subject_token_type": [${p.subject_token_type ?? ''}].`,
    );
  }
  if (p.subject_token === undefined || p.subject_token === '') {
    throw invalidRequest('Missing required parameter: subject_token.');
  }
  // Google requires a scope on the exchange (gcp-wire.md §2); the text is emulator wording.
  if (p.scope === undefined || p.scope.trim() === '') {
    throw invalidRequest('Missing required parameter: scope.');
  }
  const name = parseProviderName(p.audience ?? '');
  if (name === undefined) throw invalidRequest(MESSAGES.invalidAudienceParam);
  const provider = ctx.store.findProvider(name.project, name.poolId, name.providerId);
  if (provider === undefined || provider.disabled === true) {
    throw new StsError(400, 'invalid_target', MESSAGES.invalidTarget);
  }
  const full = providerResourceName(provider.projectNumber, provider.poolId, provider.providerId);
  const now = ctx.now();
  let claims;
  try {
    claims = verifySubjectToken({
      token: p.subject_token,
      issuer: provider.issuerUri ?? ISSUER,
      jwks: options.jwks(),
      // Without allowedAudiences Google accepts only the provider's own full name (with or
      // without `https:`): a Confidential Space token (aud https://sts.googleapis.com) needs
      // the provider to list that audience (`--allowed-audiences`).
      allowedAudiences: provider.allowedAudiences ?? [full, `https:${full}`],
      nowSeconds: Math.floor(now / 1000),
      forceExpired,
    });
  } catch (error) {
    if (!forceExpired && isExpired(p.subject_token, now)) ctx.tokens.countExpiredSubjectToken();
    throw error;
  }
  const identity = mapIdentity(provider, claims);
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : now + lifetime * 1000;
  const life =
    options.boundToSubjectToken === false
      ? { expiresIn: lifetime }
      : stsLifetime(exp, now, lifetime);
  if (life === 'internal') return 'internal';
  const issued = ctx.tokens.issue(
    {
      type: 'workload',
      subject: identity.subject,
      pool: poolName(provider.projectNumber, provider.poolId),
      attributes: identity.attributes,
    },
    life.expiresIn ?? 0,
    { attestationExp: exp, ...(life.expiresIn === undefined ? { expiresAt: exp } : {}) },
  );
  return {
    token: issued.token,
    ...(life.expiresIn === undefined ? {} : { expiresIn: life.expiresIn }),
  };
}

/** True when the token's `exp` is past (a real expiry, not an injected one). */
function isExpired(token: string, now: number): boolean {
  const exp = decodeJwt(token)?.payload.exp;
  return typeof exp === 'number' && exp * 1000 <= now;
}

const CAMEL: Readonly<Record<string, string>> = {
  grantType: 'grant_type',
  requestedTokenType: 'requested_token_type',
  subjectToken: 'subject_token',
  subjectTokenType: 'subject_token_type',
};

async function readParams(req: IncomingMessage): Promise<Params> {
  const body = (await readBody(req)).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json') {
    return Object.fromEntries(new URLSearchParams(body));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw invalidRequest('Invalid JSON payload received.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('Invalid JSON payload received.');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const name = CAMEL[key] ?? key;
    out[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}
