// The Workload Identity provider a collaborator creates for Confidential Space, from its
// `provider` resource name in the config: Google's issuer, the audience the launcher's
// token carries, the documented attribute mapping, and a condition that admits only
// production Confidential Space images with the given digests (gcp-wire.md §2).
import { TeeinitError } from '../errors/index.js';
import type { ProviderSetup, SetupOptions } from './types.js';

/** Confidential Space's token issuer, as `--issuer-uri` takes it. */
export const CONFIDENTIAL_SPACE_ISSUER = 'https://confidentialcomputing.googleapis.com/';
/** The `aud` of the token the launcher writes for the workload (the file teeinit reads). */
export const STS_AUDIENCE = 'https://sts.googleapis.com';

/**
 * Google's mapping for Confidential Space: a subject per image, project and instance (at
 * most 127 bytes), and the image digest as `attribute.image_digest` for principal sets.
 */
export const CONFIDENTIAL_SPACE_MAPPING: Readonly<Record<string, string>> = {
  'google.subject':
    '"gcpcs::"+assertion.submods.container.image_digest+"::"+assertion.submods.gce.project_number+"::"+assertion.submods.gce.instance_id',
  'attribute.image_digest': 'assertion.submods.container.image_digest',
};

const PROVIDER_RE =
  /^\/\/iam\.googleapis\.com\/projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]+)\/providers\/([a-z0-9-]+)$/;

/** Project number, pool and provider of a provider resource name (checked by the config rules). */
export function parseProvider(resource: string): {
  projectNumber: string;
  poolId: string;
  providerId: string;
} {
  const m = PROVIDER_RE.exec(resource);
  if (m === null) {
    throw new TeeinitError('TEEINIT_INTERNAL', 'A provider name passed the config rules unparsed.');
  }
  return { projectNumber: m[1]!, poolId: m[2]!, providerId: m[3]! };
}

const literal = (text: string): string => `'${text}'`;

/**
 * The attribute condition: Confidential Space (not a plain VM), an image still in Google's
 * STABLE support, a production image (no debugging since boot), one of the digests, and —
 * when given — the operator's workload service account and project.
 */
export function attributeCondition(options: SetupOptions): string {
  const digests = options.imageDigests;
  const parts = [
    "assertion.swname == 'CONFIDENTIAL_SPACE'",
    "'STABLE' in assertion.submods.confidential_space.support_attributes",
    "assertion.dbgstat == 'disabled-since-boot'",
    digests.length === 1
      ? `assertion.submods.container.image_digest == ${literal(digests[0]!)}`
      : `assertion.submods.container.image_digest in [${digests.map(literal).join(', ')}]`,
  ];
  if (options.workloadServiceAccount !== undefined) {
    parts.push(`${literal(options.workloadServiceAccount)} in assertion.google_service_accounts`);
  }
  if (options.operatorProject !== undefined) {
    parts.push(`assertion.submods.gce.project_id == ${literal(options.operatorProject)}`);
  }
  return parts.join(' && ');
}

/** The provider a collaborator creates for its `provider` resource name. */
export function providerSetup(resource: string, options: SetupOptions): ProviderSetup {
  return {
    resource,
    ...parseProvider(resource),
    issuerUri: CONFIDENTIAL_SPACE_ISSUER,
    allowedAudiences: [STS_AUDIENCE],
    attributeMapping: CONFIDENTIAL_SPACE_MAPPING,
    attributeCondition: attributeCondition(options),
  };
}

/** Every workload of the image `digest` in the provider's pool (an IAM member). */
export function imagePrincipalSet(provider: ProviderSetup, digest: string): string {
  return `principalSet://iam.googleapis.com/projects/${provider.projectNumber}/locations/global/workloadIdentityPools/${provider.poolId}/attribute.image_digest/${digest}`;
}
