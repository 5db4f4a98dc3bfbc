// One Workload Identity Federation client per collaborator: google-auth-library's
// IdentityPoolClient, configured as the external_account JSON of gcp-wire.md §2 would be,
// but with a programmatic subject-token supplier (our token source, re-read on every
// exchange, our errors) and teeinit's transporter on both the STS and the IAM calls.
import { IdentityPoolClient } from 'google-auth-library';
import type { gaxios } from 'google-auth-library';
import type { CollaboratorConfig, EndpointsConfig } from '../config/types.js';
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

/** IdentityPoolClient whose STS exchange uses our transporter and which can be forced to refresh. */
export class WifClient extends IdentityPoolClient {
  constructor(
    options: ConstructorParameters<typeof IdentityPoolClient>[0],
    transporter: gaxios.Gaxios,
  ) {
    super(options);
    // The library builds StsCredentials with a fresh Gaxios of its own; give it ours so the
    // per-call timeout, the cancellation signal and the no-retry policy apply to STS too.
    // `transporter` is protected in the typings, public at run time; a test with STS latency
    // beyond callTimeout proves it still applies after a library upgrade.
    const sts = this.stsCredential as unknown as { transporter?: gaxios.Gaxios };
    if (!('transporter' in sts))
      throw new Error('google-auth-library: StsCredentials has no transporter');
    sts.transporter = transporter;
  }

  /** Drops the cached access token and exchanges again (after a 401 from an API). */
  async forceRefresh(): Promise<string> {
    const credentials = await this.refreshAccessTokenAsync();
    return credentials.access_token ?? '';
  }
}

/** Builds the client for one `workload-identity` collaborator. */
export function createWifClient(
  collaborator: CollaboratorConfig & { readonly provider: string },
  urls: WifUrls,
  tokenSource: TokenSource,
  transporter: gaxios.Gaxios,
): WifClient {
  return new WifClient(
    {
      type: 'external_account',
      universe_domain: 'googleapis.com',
      audience: collaborator.provider,
      subject_token_type: JWT_TOKEN_TYPE,
      token_url: urls.sts,
      ...(urls.impersonation ? { service_account_impersonation_url: urls.impersonation } : {}),
      scopes: [CLOUD_PLATFORM_SCOPE],
      subject_token_supplier: { getSubjectToken: () => tokenSource(callSignal.getStore()) },
      transporter,
      // Skips the library's request/response logging interceptors (they can print tokens).
      useAuthRequestParameters: false,
    },
    transporter,
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
