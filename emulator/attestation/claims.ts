// The claims of a Confidential Space attestation token (gcp-wire.md §1), built from a flat,
// configurable description of the workload, with presets for production, debug and
// tampered images.
import { createHash } from 'node:crypto';
import type { JsonObject } from './jwt.js';

export const ISSUER = 'https://confidentialcomputing.googleapis.com';
export const STS_AUDIENCE = 'https://sts.googleapis.com';
const EAT_PROFILE =
  'https://cloud.google.com/confidential-computing/confidential-space/docs/reference/token-claims';

const digestOf = (name: string): string =>
  `sha256:${createHash('sha256').update(name).digest('hex')}`;

/** The image digest of the emulator's demo workload; the default world grants it access. */
export const DEFAULT_IMAGE_DIGEST = digestOf('teeinit-emulator/demo-workload');
/** The digest the `tampered` preset reports: any other image than the granted one. */
export const TAMPERED_IMAGE_DIGEST = digestOf('teeinit-emulator/tampered-workload');
const REPOSITORY = 'us-docker.pkg.dev/teeinit-demo/workloads/app';

/**
 * What the emulated VM and container look like. Every field is optional in config files.
 * @example
 * { imageDigest: "sha256:…", dbgstat: "enabled", supportAttributes: null }
 */
export interface ClaimSettings {
  readonly imageReference: string;
  readonly imageDigest: string;
  readonly imageId: string;
  readonly restartPolicy: string;
  readonly env: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  readonly envOverride: Readonly<Record<string, string>> | null;
  readonly cmdOverride: readonly string[] | null;
  readonly swname: string;
  readonly swversion: readonly string[];
  /** `disabled-since-boot` (production image) or `enabled` (debug image). */
  readonly dbgstat: string;
  readonly hwmodel: string;
  readonly secboot: boolean;
  readonly oemid: number;
  /** `null`: the claim is absent, as on debug images. */
  readonly supportAttributes: readonly string[] | null;
  readonly monitoringMemory: boolean;
  readonly googleServiceAccounts: readonly string[];
  /** The operator's project (where the VM runs), not a collaborator's. */
  readonly projectId: string;
  readonly projectNumber: string;
  readonly zone: string;
  readonly instanceName: string;
  readonly instanceId: string;
  /** Raw claims merged last (deeply) over the built ones. */
  readonly extra: Readonly<JsonObject>;
}

export const DEFAULT_CLAIMS: ClaimSettings = {
  imageReference: `${REPOSITORY}@${DEFAULT_IMAGE_DIGEST}`,
  imageDigest: DEFAULT_IMAGE_DIGEST,
  imageId: digestOf('teeinit-emulator/demo-workload/config'),
  restartPolicy: 'Never',
  env: { HOSTNAME: 'cs-1', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
  args: ['/usr/local/bin/teeinit', 'run'],
  envOverride: null,
  cmdOverride: null,
  swname: 'CONFIDENTIAL_SPACE',
  swversion: ['250800'],
  dbgstat: 'disabled-since-boot',
  hwmodel: 'GCP_AMD_SEV',
  secboot: true,
  oemid: 11129,
  supportAttributes: ['LATEST', 'STABLE', 'USABLE'],
  monitoringMemory: false,
  googleServiceAccounts: ['workload@operator-proj.iam.gserviceaccount.com'],
  projectId: 'operator-proj',
  projectNumber: '333333333333',
  zone: 'us-central1-a',
  instanceName: 'cs-1',
  instanceId: '1483152313261302464',
  extra: {},
};

export type PresetName = 'production' | 'debug' | 'tampered' | 'not-confidential-space';
export const PRESET_NAMES: readonly PresetName[] = [
  'production',
  'debug',
  'tampered',
  'not-confidential-space',
];

const PRESETS: Readonly<Record<PresetName, Partial<ClaimSettings>>> = {
  production: {},
  debug: { dbgstat: 'enabled', supportAttributes: null },
  tampered: {
    imageDigest: TAMPERED_IMAGE_DIGEST,
    imageReference: `${REPOSITORY}@${TAMPERED_IMAGE_DIGEST}`,
  },
  'not-confidential-space': { swname: 'GCE', hwmodel: 'GCP_SHIELDED_VM', supportAttributes: null },
};

// The settings of a preset: the defaults with the preset's changes.
export function presetSettings(name: PresetName): ClaimSettings {
  return { ...DEFAULT_CLAIMS, ...PRESETS[name] };
}

/** Time and audience of one token. */
export interface TokenWindow {
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly aud: string;
  readonly nonces?: readonly string[];
}

// Builds the JSON claims of a token from settings and its time window.
export function buildClaims(s: ClaimSettings, w: TokenWindow): JsonObject {
  const claims: JsonObject = {
    aud: w.aud,
    iss: ISSUER,
    sub: `https://www.googleapis.com/compute/v1/projects/${s.projectId}/zones/${s.zone}/instances/${s.instanceName}`,
    iat: w.iat,
    nbf: w.nbf,
    exp: w.exp,
    dbgstat: s.dbgstat,
    eat_profile: EAT_PROFILE,
    google_service_accounts: [...s.googleServiceAccounts],
    hwmodel: s.hwmodel,
    oemid: s.oemid,
    secboot: s.secboot,
    submods: {
      confidential_space: {
        ...(s.supportAttributes === null ? {} : { support_attributes: [...s.supportAttributes] }),
        monitoring_enabled: { memory: s.monitoringMemory },
      },
      container: {
        image_reference: s.imageReference,
        image_digest: s.imageDigest,
        restart_policy: s.restartPolicy,
        image_id: s.imageId,
        env_override: s.envOverride,
        cmd_override: s.cmdOverride,
        env: { ...s.env, ...(s.envOverride ?? {}) },
        args: [...(s.cmdOverride ?? s.args)],
      },
      gce: {
        zone: s.zone,
        project_id: s.projectId,
        project_number: s.projectNumber,
        instance_name: s.instanceName,
        instance_id: s.instanceId,
      },
    },
    swname: s.swname,
    swversion: [...s.swversion],
  };
  if (w.nonces !== undefined && w.nonces.length > 0) {
    claims.eat_nonce = w.nonces.length === 1 ? w.nonces[0] : [...w.nonces];
  }
  return deepMerge(claims, s.extra);
}

// Merges `patch` into a copy of `base`: objects recursively, everything else replaced.
export function deepMerge(base: JsonObject, patch: Readonly<JsonObject>): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
