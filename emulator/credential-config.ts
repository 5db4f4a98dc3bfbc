// The `external_account` credential configuration a workload uses with Workload Identity
// Federation, pointed at the emulator's STS, IAM credentials and token file.
import { DEFAULT_POOL, DEFAULT_PROVIDER } from './default-world.js';
import { providerResourceName } from './sts/provider-name.js';

export interface CredentialConfigOptions {
  /** Project id or number of the collaborator's pool. */
  readonly project: string;
  /** Default `cs-pool`. */
  readonly pool?: string;
  /** Default `attestation-verifier`. */
  readonly provider?: string;
  /** Impersonate this service account (optional). */
  readonly serviceAccount?: string;
  /** Token file to read (default: the emulator's). */
  readonly tokenFile?: string;
  /** Lifetime the client requests for the impersonated token (client default 3600). */
  readonly tokenLifetimeSeconds?: number;
}

interface Urls {
  readonly sts: string;
  readonly iamCredentials: string;
  readonly tokenFile: string;
}

// Builds the JSON google-auth-library's ExternalAccountClient.fromJSON accepts.
export function credentialConfig(
  urls: Urls,
  o: CredentialConfigOptions,
  projectNumber: (project: string) => string,
): Record<string, unknown> {
  const audience = providerResourceName(
    projectNumber(o.project),
    o.pool ?? DEFAULT_POOL,
    o.provider ?? DEFAULT_PROVIDER,
  );
  return {
    type: 'external_account',
    universe_domain: 'googleapis.com',
    audience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${urls.sts}/v1/token`,
    credential_source: { file: o.tokenFile ?? urls.tokenFile },
    ...(o.serviceAccount === undefined
      ? {}
      : {
          service_account_impersonation_url: `${urls.iamCredentials}/v1/projects/-/serviceAccounts/${o.serviceAccount}:generateAccessToken`,
          ...(o.tokenLifetimeSeconds === undefined
            ? {}
            : {
                service_account_impersonation: { token_lifetime_seconds: o.tokenLifetimeSeconds },
              }),
        }),
  };
}
