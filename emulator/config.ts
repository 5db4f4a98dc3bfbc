// The emulator's config file (YAML or JSON): the emulated workload's attestation claims,
// projects, Workload Identity providers, service accounts, secrets (seed), fault rules and
// the PRNG seed. Strict: unknown keys are rejected with the key path named.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../src/config/format-issues.js';
import { TeeinitError } from '../src/errors/index.js';
import { MAX_ACCESS_TOKEN_SECONDS, type AccessTokenPolicy } from './access-token-policy.js';
import { PRESET_NAMES, type ClaimSettings, type PresetName } from './attestation/claims.js';
import { CelError } from './cel/index.js';
import { DEFAULT_PROPAGATION_SECONDS, MAX_PROPAGATION_SECONDS } from './iam/propagation.js';
import type { FaultRule } from './faults/controller.js';
import { parseFaultRules } from './faults/controller.js';
import type { ProjectModel, ProviderModel, ServiceAccountModel } from './model.js';
import { parseSeedDocument, type SeedDocument } from './seed/apply.js';
import { validateProviderExpressions } from './sts/attribute-mapping.js';
import { describeFirstIssue, REPORT_INPUT } from './zod-issue.js';

const str = z.string().min(1);
const DIGITS = 'expected up to 19 digits (a string or a number)';
const digits = z
  .union([z.string().regex(/^\d{1,19}$/, DIGITS), z.number().int().nonnegative()], {
    error: DIGITS,
  })
  .transform(String);

/** Attestation claim settings as a config file may give them (all optional). */
export const claimSettingsSchema = z.strictObject({
  imageReference: str.optional(),
  imageDigest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>')
    .optional(),
  imageId: str.optional(),
  restartPolicy: z.enum(['Never', 'Always', 'OnFailure']).optional(),
  env: z.record(z.string(), z.string()).optional(),
  args: z.array(z.string()).optional(),
  envOverride: z.record(z.string(), z.string()).nullable().optional(),
  cmdOverride: z.array(z.string()).nullable().optional(),
  swname: str.optional(),
  swversion: z.array(z.string()).optional(),
  dbgstat: z.enum(['disabled-since-boot', 'enabled']).optional(),
  hwmodel: z.enum(['GCP_AMD_SEV', 'GCP_AMD_SEV_ES', 'GCP_INTEL_TDX', 'GCP_SHIELDED_VM']).optional(),
  secboot: z.boolean().optional(),
  oemid: z.number().int().optional(),
  supportAttributes: z.array(z.string()).nullable().optional(),
  monitoringMemory: z.boolean().optional(),
  googleServiceAccounts: z.array(z.string()).optional(),
  projectId: str.optional(),
  projectNumber: digits.optional(),
  zone: str.optional(),
  instanceName: str.optional(),
  instanceId: digits.optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

export const presetSchema = z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]);

const accessTokenSeconds = z.number().int().min(1).max(MAX_ACCESS_TOKEN_SECONDS);

/** One more emulated Confidential Space VM: its own preset and claims, socket and token file. */
const vmSchema = z.strictObject({
  preset: presetSchema.default('production'),
  claims: claimSettingsSchema.default({}),
});
/** VM names become directory names under `<stateDir>/vms/`. */
export const VM_NAME_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;

const bindingSchema = z.strictObject({ role: str, members: z.array(str) });

/** The config file schema. */
export const emulatorConfigSchema = z.strictObject({
  attestation: z
    .strictObject({
      preset: presetSchema.default('production'),
      claims: claimSettingsSchema.default({}),
      lifetimeSeconds: z.number().int().min(1).max(172800).optional(),
      vms: z
        .record(
          z.string().regex(VM_NAME_RE, 'expected a VM name of a-z, 0-9 and "-" (max 40)'),
          vmSchema,
        )
        .default({}),
    })
    .default({ preset: 'production', claims: {}, vms: {} }),
  projects: z.array(z.strictObject({ id: str, number: digits })).default([]),
  providers: z
    .array(
      z.strictObject({
        /** Project id or number (must be declared under `projects`). */
        project: str,
        pool: str,
        provider: str,
        attributeMapping: z.record(z.string(), z.string()),
        attributeCondition: z.string().optional(),
        allowedAudiences: z.array(str).optional(),
        issuerUri: str.optional(),
        disabled: z.boolean().optional(),
      }),
    )
    .default([]),
  serviceAccounts: z
    .array(z.strictObject({ email: z.email(), bindings: z.array(bindingSchema).default([]) }))
    .default([]),
  /** Passed to the seed parser (emulator/seed): secrets with versions and bindings. */
  secrets: z.array(z.unknown()).default([]),
  /** Passed to the fault rule parser (emulator/faults). */
  faults: z.array(z.unknown()).default([]),
  /** Access tokens from the STS, IAM credentials and metadata services. */
  accessTokens: z
    .strictObject({
      lifetimeSeconds: accessTokenSeconds.optional(),
      maxLifetimeSeconds: accessTokenSeconds.optional(),
      /** `subject` (Google): the STS token ends with its subject token, `expires_in` says so. */
      stsExpiresIn: z.enum(['subject', 'fixed']).default('subject'),
    })
    .default({ stsExpiresIn: 'subject' }),
  /** IAM propagation of binding changes made while the emulator runs. */
  iam: z
    .strictObject({
      propagationSeconds: z
        .number()
        .min(0)
        .max(MAX_PROPAGATION_SECONDS)
        .default(DEFAULT_PROPAGATION_SECONDS),
    })
    .default({ propagationSeconds: DEFAULT_PROPAGATION_SECONDS }),
  /** The launcher's token endpoint: the first `failFirst` calls answer HTTP 500. */
  teeserver: z
    .strictObject({ failFirst: z.number().int().min(0).max(1_000_000).default(0) })
    .default({ failFirst: 0 }),
  seed: z.number().int().optional(),
});

/** What a config file may contain (before defaults). */
export type EmulatorConfigInput = z.input<typeof emulatorConfigSchema>;

/** A validated config, resolved into the store's models. */
/** An additional emulated VM of the config (`attestation.vms.NAME`). */
export interface VmConfig {
  readonly preset: PresetName;
  readonly claims: Partial<ClaimSettings>;
}

export interface EmulatorConfig {
  readonly preset: PresetName;
  readonly claims: Partial<ClaimSettings>;
  /** Further VMs by name, each attested with its own claims (same issuer key). */
  readonly vms: Readonly<Record<string, VmConfig>>;
  readonly lifetimeSeconds?: number;
  readonly projects: readonly ProjectModel[];
  readonly providers: readonly ProviderModel[];
  readonly serviceAccounts: readonly ServiceAccountModel[];
  readonly secrets: SeedDocument;
  readonly faults: readonly FaultRule[];
  readonly seed?: number;
  /** As given; `accessTokenPolicy` fills in the defaults and checks lifetime ≤ max once the
   * start option (`--access-token-lifetime`) is known, so the flag can satisfy the ceiling. */
  readonly accessTokens: Partial<AccessTokenPolicy>;
  /** `subject`: STS `expires_in` bound to the subject token (Google); `fixed`: the lifetime. */
  readonly stsExpiresIn: 'subject' | 'fixed';
  /** Delay before a binding change made while running takes effect (default 120). */
  readonly iamPropagationSeconds: number;
  /** Launcher token calls that fail with HTTP 500 first (default 0). */
  readonly teeserverFailFirst: number;
}

const invalid = (message: string, cause?: unknown): TeeinitError =>
  new TeeinitError('TEEINIT_CONFIG_INVALID', `Emulator config: ${message}`, {
    hint: 'See docs/emulator.md#config-file for the accepted keys.',
    ...(cause === undefined ? {} : { cause }),
  });

// Validates a parsed document; `baseDir` resolves secret `dataFile` paths.
export function parseEmulatorConfig(input: unknown, baseDir = process.cwd()): EmulatorConfig {
  const parsed = emulatorConfigSchema.safeParse(input ?? {}, REPORT_INPUT);
  if (!parsed.success) throw invalid(describeFirstIssue(parsed.error));
  const c = parsed.data;
  const numbers = new Map(c.projects.map((p) => [p.id, p.number]));
  const projectNumber = (ref: string, where: string): string => {
    const n = numbers.get(ref) ?? (c.projects.some((p) => p.number === ref) ? ref : undefined);
    if (n === undefined)
      throw invalid(`${where}: unknown project "${ref}" (declare it under projects)`);
    return n;
  };
  const providers = c.providers.map((p, i): ProviderModel => {
    const model: ProviderModel = {
      projectNumber: projectNumber(p.project, formatPath(['providers', i, 'project'])),
      poolId: p.pool,
      providerId: p.provider,
      attributeMapping: p.attributeMapping,
      ...(p.attributeCondition === undefined ? {} : { attributeCondition: p.attributeCondition }),
      ...(p.allowedAudiences === undefined ? {} : { allowedAudiences: p.allowedAudiences }),
      ...(p.issuerUri === undefined ? {} : { issuerUri: p.issuerUri }),
      ...(p.disabled === undefined ? {} : { disabled: p.disabled }),
    };
    try {
      validateProviderExpressions(model);
    } catch (error) {
      if (error instanceof CelError) {
        throw invalid(`${formatPath(['providers', i])}: ${error.message}`, error);
      }
      throw error;
    }
    return model;
  });
  const { stsExpiresIn, ...lifetimes } = c.accessTokens;
  const accessTokens = Object.fromEntries(
    Object.entries(lifetimes).filter(([, v]) => v !== undefined),
  ) as Partial<AccessTokenPolicy>;
  const defined = (o: object): Partial<ClaimSettings> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const vms = Object.fromEntries(
    Object.entries(c.attestation.vms).map(([name, vm]) => [
      name,
      { preset: vm.preset, claims: defined(vm.claims) },
    ]),
  );
  return {
    preset: c.attestation.preset,
    claims: defined(c.attestation.claims),
    vms,
    ...(c.attestation.lifetimeSeconds === undefined
      ? {}
      : { lifetimeSeconds: c.attestation.lifetimeSeconds }),
    projects: c.projects,
    providers,
    serviceAccounts: c.serviceAccounts,
    secrets: parseSeedDocument({ secrets: c.secrets }, { baseDir }),
    faults: parseFaultRules(c.faults, ['faults']),
    ...(c.seed === undefined ? {} : { seed: c.seed }),
    accessTokens,
    stsExpiresIn,
    iamPropagationSeconds: c.iam.propagationSeconds,
    teeserverFailFirst: c.teeserver.failFirst,
  };
}

// Reads and validates a YAML or JSON config file.
export async function loadEmulatorConfig(path: string): Promise<EmulatorConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_NOT_FOUND',
      `Emulator config file cannot be read: ${path}`,
      { cause },
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (cause) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_PARSE',
      `Emulator config file is not valid YAML/JSON: ${path}`,
      { cause },
    );
  }
  return parseEmulatorConfig(doc, dirname(path));
}
