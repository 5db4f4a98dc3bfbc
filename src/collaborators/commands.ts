// One collaborator's setup as gcloud commands in steps, each step and command with the
// comment that says what it is for. Quoting is decided here only where it matters to a
// reader (the condition and principal sets in double quotes, the mapping in single quotes);
// format.ts quotes every other word as the shell needs.
import type { CollaboratorSetup, SecretSetup, SetupPlan, VersionSetup } from './types.js';

/** A `--flag=value` whose value is quoted in one given way. */
export interface QuotedFlag {
  readonly flag: string;
  readonly value: string;
  readonly quote: 'single' | 'double';
}

/** A word of a command: plain (quoted only if the shell needs it) or a quoted flag. */
export type Arg = string | QuotedFlag;

export interface SetupCommand {
  /** Comment lines above the command (without `# `). */
  readonly comment: readonly string[];
  readonly args: readonly Arg[];
}

export interface SetupStep {
  /** The step's comment (one paragraph, wrapped by the formatter). */
  readonly title: string;
  /** Comment lines after the title, for what has no command (without `# `). */
  readonly notes: readonly string[];
  readonly commands: readonly SetupCommand[];
}

const ACCESSOR = 'roles/secretmanager.secretAccessor';
const WI_USER = 'roles/iam.workloadIdentityUser';

const cmd = (args: readonly Arg[], comment: readonly string[] = []): SetupCommand => ({
  comment,
  args,
});

/** The word as a plain argv element (JSON output, the emulator's interpreter). */
export function argText(arg: Arg): string {
  return typeof arg === 'string' ? arg : `--${arg.flag}=${arg.value}`;
}

/** The steps one collaborator runs, in order. */
export function collaboratorSteps(plan: SetupPlan, c: CollaboratorSetup): SetupStep[] {
  const steps = [apisStep(c), providerStep(plan, c)];
  if (c.serviceAccount !== undefined) steps.push(serviceAccountStep(c, c.serviceAccount));
  steps.push(secretsStep(c), grantsStep(plan, c));
  return steps;
}

function apisStep(c: CollaboratorSetup): SetupStep {
  const sa =
    c.serviceAccount === undefined
      ? ''
      : ", IAM Credentials in the service account's (the image impersonates it)";
  const notes =
    c.serviceAccount !== undefined && c.serviceAccountProject === undefined
      ? [
          `Also enable iam.googleapis.com and iamcredentials.googleapis.com in the project of ${c.serviceAccount}.`,
        ]
      : [];
  return {
    title: `APIs: IAM and STS in the pool's project, Secret Manager in the secrets' projects${sa}.`,
    notes,
    commands: c.apis.map((a) =>
      cmd(['gcloud', 'services', 'enable', ...a.services, `--project=${a.project}`]),
    ),
  };
}

function providerStep(plan: SetupPlan, c: CollaboratorSetup): SetupStep {
  const p = c.provider;
  const digests = plan.imageDigests.length === 1 ? 'this image digest' : 'these image digests';
  const as =
    plan.workloadServiceAccount === undefined ? '' : `, running as ${plan.workloadServiceAccount}`;
  const where = plan.operatorProject === undefined ? '' : ` in ${plan.operatorProject}`;
  const mapping = Object.entries(p.attributeMapping)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    title:
      `The Workload Identity pool and provider that collaborators.${c.name}.provider names ` +
      `(gcloud takes its project number for --project). The provider trusts Confidential ` +
      `Space's tokens and admits only production images (STABLE support, no debugging since ` +
      `boot) with ${digests}${as}${where}. --allowed-audiences is required: the launcher's ` +
      `token has aud ${p.allowedAudiences.join(',')}, and a provider without the flag accepts ` +
      `only its own resource name, refusing every exchange (invalid_grant). If the pool ` +
      `exists, skip its create; if the provider exists, run providers update-oidc with the ` +
      `same flags.`,
    notes: [],
    commands: [
      cmd([
        'gcloud',
        'iam',
        'workload-identity-pools',
        'create',
        p.poolId,
        `--project=${p.projectNumber}`,
        '--location=global',
      ]),
      cmd([
        'gcloud',
        'iam',
        'workload-identity-pools',
        'providers',
        'create-oidc',
        p.providerId,
        `--project=${p.projectNumber}`,
        '--location=global',
        `--workload-identity-pool=${p.poolId}`,
        `--issuer-uri=${p.issuerUri}`,
        `--allowed-audiences=${p.allowedAudiences.join(',')}`,
        { flag: 'attribute-mapping', value: mapping, quote: 'single' },
        { flag: 'attribute-condition', value: p.attributeCondition, quote: 'double' },
      ]),
    ],
  };
}

function serviceAccountStep(c: CollaboratorSetup, sa: string): SetupStep {
  const project = c.serviceAccountProject;
  if (project === undefined) {
    return {
      title: `The service account the image impersonates (collaborators.${c.name}.serviceAccount).`,
      notes: [`${sa} must exist already: its email names no project to create it in.`],
      commands: [],
    };
  }
  return {
    title: `The service account the image impersonates (collaborators.${c.name}.serviceAccount); skip this if it exists.`,
    notes: [],
    commands: [
      cmd([
        'gcloud',
        'iam',
        'service-accounts',
        'create',
        sa.slice(0, sa.indexOf('@')),
        `--project=${project}`,
      ]),
    ],
  };
}

function secretsStep(c: CollaboratorSetup): SetupStep {
  const notes = [
    ...(c.secrets.length === 0 ? [`The config names no Secret Manager secret of ${c.name}.`] : []),
    ...c.fileSecrets.map(
      (n) => `secrets.${n} is a file in the image (source: file): nothing to store.`,
    ),
  ];
  return {
    title:
      'The secrets, with the versions the config pins. Each --data-file names a file you ' +
      'fill with the payload first (a placeholder: nothing here holds a value); delete the ' +
      'files afterwards.',
    notes,
    commands: c.secrets.flatMap(secretCommands),
  };
}

const where = (s: SecretSetup): string[] => [
  `--project=${s.project}`,
  ...(s.location === undefined ? [] : [`--location=${s.location}`]),
];

function secretCommands(s: SecretSetup): SetupCommand[] {
  const out: SetupCommand[] = [];
  let previous = s.existingVersions;
  for (const v of s.versions) {
    const comment = [
      `${v.secretNames.map((n) => `secrets.${n}`).join(', ')} → ${v.ref}:`,
      `  ${v.holds}, in ${v.payloadFile}.`,
      ...versionNotes(s, v, previous),
    ];
    const data = `--data-file=${v.payloadFile}`;
    out.push(
      v.creates
        ? cmd(['gcloud', 'secrets', 'create', s.secretId, ...where(s), data], comment)
        : cmd(['gcloud', 'secrets', 'versions', 'add', s.secretId, ...where(s), data], comment),
    );
    if (v.kind === 'alias') {
      out.push(
        cmd([
          'gcloud',
          'secrets',
          'update',
          s.secretId,
          ...where(s),
          `--update-version-aliases=${v.version}=${v.number}`,
        ]),
      );
    }
    previous = v.number;
  }
  return out;
}

function versionNotes(s: SecretSetup, v: VersionSetup, previous: number): string[] {
  const listing = `gcloud secrets versions list ${s.secretId} ${where(s).join(' ')}`;
  if (v.kind === 'alias') {
    return [
      `  The alias ${v.version} is pointed at version ${v.number}; moving it later changes`,
      '  what the image receives without a new image.',
    ];
  }
  if (v.kind === 'latest') {
    return [
      '  latest is the newest version whatever its state: not pinned, so each version added',
      '  later changes what the image receives (teeinit validate warns about it).',
    ];
  }
  if (v.number === previous + 1 && (v.number === 1 || previous > s.existingVersions)) return [];
  if (v.number === previous + 1) {
    return [
      `  Version ${v.number} is pinned: the secret must already have ${previous} version(s)`,
      `  (${listing}), so that this one becomes version ${v.number}.`,
    ];
  }
  return [
    `  Version ${v.number} is pinned but the config names no version from ${previous + 1} to`,
    `  ${v.number - 1}: add those first, or pin the number this version gets (${listing}).`,
  ];
}

function grantsStep(plan: SetupPlan, c: CollaboratorSetup): SetupStep {
  const sa = c.serviceAccount;
  const grace = formatGrace(plan.permissionGraceMs);
  const what =
    sa === undefined
      ? 'each secret to every workload of the image in the pool'
      : `the image may impersonate ${sa}, and ${sa} may read each secret`;
  const title =
    `The grants, last: ${what}. IAM applies a grant once it has propagated, typically ` +
    'within 2 minutes, 7 or more at worst, so grant before the operator boots the VM; at ' +
    `start-up teeinit waits up to fetch.permissionGrace (${grace} in this config) for a ` +
    'grant still on its way (docs/deployment.md#the-first-boot-grants-propagate).';
  const member = (value: string): QuotedFlag => ({ flag: 'member', value, quote: 'double' });
  const commands: SetupCommand[] = [];
  if (sa !== undefined) {
    for (const set of c.principalSets) {
      commands.push(
        cmd([
          'gcloud',
          'iam',
          'service-accounts',
          'add-iam-policy-binding',
          sa,
          ...(c.serviceAccountProject === undefined
            ? []
            : [`--project=${c.serviceAccountProject}`]),
          `--role=${WI_USER}`,
          member(set),
        ]),
      );
    }
  }
  for (const s of c.secrets) {
    const members =
      sa === undefined ? c.principalSets.map(member) : [`--member=serviceAccount:${sa}`];
    for (const m of members) {
      commands.push(
        cmd([
          'gcloud',
          'secrets',
          'add-iam-policy-binding',
          s.secretId,
          ...where(s),
          `--role=${ACCESSOR}`,
          m,
        ]),
      );
    }
  }
  return { title, notes: [], commands };
}

/** `fetch.permissionGrace` as a reader says it. */
export function formatGrace(ms: number): string {
  if (ms === 0) return '0 s: no wait';
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
