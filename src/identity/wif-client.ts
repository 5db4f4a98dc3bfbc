// One Workload Identity Federation client per collaborator: google-auth-library's
// IdentityPoolClient, configured as the external_account JSON of gcp-wire.md §2 would be,
// but with a programmatic subject-token supplier (our token source, re-read on every
// exchange, our errors) and teeinit's transporter on both the STS and the IAM calls.
import { IdentityPoolClient } from 'google-auth-library';
import type { gaxios } from 'google-auth-library';
import type { CollaboratorConfig, EndpointsConfig } from '../config/types.js';
import { decodeTokenTimes } from './jwt-expiry.js';
import { readTokenClaims, type TokenClaims } from './token-claims.js';
import type { TokenSource } from './token-source.js';
import { callSignal } from './transporter.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** The URLs a collaborator's credential talks to (also named in error messages). */
export interface WifUrls {
  readonly sts: string;
  readonly impersonation?: string;
}

/** Derives the STS and (optional) impersonation URLs from the endpoints config. */
export function wifUrls(endpoints: EndpointsConfig, collaborator: CollaboratorConfig): WifUrls {
  const sts = `${trimSlash(endpoints.sts)}/v1/token`;
  if (collaborator.serviceAccount === undefined) return { sts };
  const impersonation = `${trimSlash(endpoints.iamCredentials)}/v1/projects/-/serviceAccounts/${collaborator.serviceAccount}:generateAccessToken`;
  return { sts, impersonation };
}

/** An access token and the ends it must not be used past. */
export interface ExchangedToken {
  readonly token: string;
  /** When the access token ends (ms): `expires_in` or `expireTime`, if the answer said. */
  readonly expiresAt?: number;
  /** `exp` (ms) of the attestation token it was exchanged for. */
  readonly attestationExp?: number;
}

/** Filled in by the subject-token supplier on each exchange: the `exp` it handed over. */
interface SubjectSeen {
  exp?: number | undefined;
  /** The claims of the last attestation token handed over (never the token). */
  claims?: TokenClaims | undefined;
}

/** IdentityPoolClient whose STS exchange uses our transporter and which can be forced to refresh. */
export class WifClient extends IdentityPoolClient {
  readonly #seen: SubjectSeen;

  constructor(
    options: ConstructorParameters<typeof IdentityPoolClient>[0],
    transporter: gaxios.Gaxios,
    seen: SubjectSeen = {},
  ) {
    super(options);
    this.#seen = seen;
    // The library builds StsCredentials with a fresh Gaxios of its own; give it ours so the
    // per-call timeout, the cancellation signal and the no-retry policy apply to STS too.
    // `transporter` is protected in the typings, public at run time; a test with STS latency
    // beyond callTimeout proves it still applies after a library upgrade.
    const sts = this.stsCredential as unknown as { transporter?: gaxios.Gaxios };
    if (!('transporter' in sts))
      throw new Error('google-auth-library: StsCredentials has no transporter');
    sts.transporter = transporter;
  }

  /** The claims of the attestation token the last exchange presented (never the token). */
  lastClaims(): TokenClaims | undefined {
    return this.#seen.claims;
  }

  /** Drops the cached access token and exchanges again (after a 401 from an API). */
  async forceRefresh(): Promise<string> {
    return (await this.exchange()).token;
  }

  /**
   * Exchanges the current attestation token (and impersonates, if configured) now, whatever
   * the library has cached: teeinit keeps its own cache, bounded by the attestation token's
   * `exp` (the library keeps a token without `expires_in` forever).
   */
  async exchange(): Promise<ExchangedToken> {
    this.#seen.exp = undefined;
    const credentials = await this.refreshAccessTokenAsync();
    const expiry = credentials.expiry_date;
    return {
      token: credentials.access_token ?? '',
      ...(typeof expiry === 'number' ? { expiresAt: expiry } : {}),
      ...(this.#seen.exp === undefined ? {} : { attestationExp: this.#seen.exp }),
    };
  }
}

/** Builds the client for one `workload-identity` collaborator. */
export function createWifClient(
  collaborator: CollaboratorConfig & { readonly provider: string },
  urls: WifUrls,
  tokenSource: TokenSource,
  transporter: gaxios.Gaxios,
): WifClient {
  const seen: SubjectSeen = {};
  const supply = async (): Promise<string> => {
    const token = await tokenSource(callSignal.getStore());
    const exp = decodeTokenTimes(token, 'the attestation token').exp;
    // The earliest exp of this exchange (the library asks once per exchange).
    if (exp !== undefined) seen.exp = Math.min(seen.exp ?? Infinity, exp * 1000);
    seen.claims = readTokenClaims(token);
    return token;
  };
  return new WifClient(
    {
      type: 'external_account',
      universe_domain: 'googleapis.com',
      audience: collaborator.provider,
      subject_token_type: JWT_TOKEN_TYPE,
      token_url: urls.sts,
      ...(urls.impersonation ? { service_account_impersonation_url: urls.impersonation } : {}),
      scopes: [CLOUD_PLATFORM_SCOPE],
      subject_token_supplier: { getSubjectToken: supply },
      transporter,
      // Skips the library's request/response logging interceptors (they can print tokens).
      useAuthRequestParameters: false,
    },
    transporter,
    seen,
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
