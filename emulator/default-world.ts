// The ready-made world the emulator starts with when no config is given: two
// collaborators, alice and bob, each with a Workload Identity pool `cs-pool`, a provider
// `attestation-verifier` that admits only the demo image on Confidential Space, and one
// impersonable reader SA.
import { DEFAULT_IMAGE_DIGEST } from './attestation/claims.js';
import type { EmulatorConfigInput } from './config.js';

/** The default world's pool and provider ids (also the defaults of credentialConfig). */
export const DEFAULT_POOL = 'cs-pool';
export const DEFAULT_PROVIDER = 'attestation-verifier';

/** The `aud` of the default Confidential Space token, which a provider must allow. */
export const STS_AUDIENCE = 'https://sts.googleapis.com';

/** The Confidential Space mapping from Google's docs (gcp-wire.md §2). */
export const CONFIDENTIAL_SPACE_MAPPING: Readonly<Record<string, string>> = {
  'google.subject':
    '"gcpcs::"+assertion.submods.container.image_digest+"::"+assertion.submods.gce.project_number+"::"+assertion.submods.gce.instance_id',
  'attribute.image_digest': 'assertion.submods.container.image_digest',
};

// The documented condition, pinned to one image digest.
export function confidentialSpaceCondition(imageDigest: string): string {
  return `assertion.swname == 'CONFIDENTIAL_SPACE' && 'STABLE' in assertion.submods.confidential_space.support_attributes && assertion.submods.container.image_digest == '${imageDigest}'`;
}

// The member that grants access to every workload of one image in one pool.
export function imagePrincipalSet(
  projectNumber: string,
  pool: string,
  imageDigest: string,
): string {
  return `principalSet://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}/attribute.image_digest/${imageDigest}`;
}

const COLLABORATORS = [
  { name: 'alice', project: 'alice-proj', number: '111111111111' },
  { name: 'bob', project: 'bob-proj', number: '222222222222' },
] as const;

// The default world as a config document (what `teeinit-emulator default-config` prints).
export function defaultWorld(imageDigest: string = DEFAULT_IMAGE_DIGEST): EmulatorConfigInput {
  return {
    attestation: { preset: 'production', claims: {} },
    projects: [
      ...COLLABORATORS.map((c) => ({ id: c.project, number: c.number })),
      { id: 'operator-proj', number: '333333333333' },
    ],
    providers: COLLABORATORS.map((c) => ({
      project: c.project,
      pool: DEFAULT_POOL,
      provider: DEFAULT_PROVIDER,
      attributeMapping: { ...CONFIDENTIAL_SPACE_MAPPING },
      attributeCondition: confidentialSpaceCondition(imageDigest),
      // As a real deployment must (`--allowed-audiences`): the default token's `aud`.
      allowedAudiences: [STS_AUDIENCE],
    })),
    serviceAccounts: COLLABORATORS.map((c) => ({
      email: `reader@${c.project}.iam.gserviceaccount.com`,
      bindings: [
        {
          role: 'roles/iam.workloadIdentityUser',
          members: [imagePrincipalSet(c.number, DEFAULT_POOL, imageDigest)],
        },
      ],
    })),
    secrets: [],
    faults: [],
  };
}
