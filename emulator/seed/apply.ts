// Seeding: validate a parsed seed document (YAML/JSON already parsed by the caller), then
// apply it to the emulator's store. Re-applying the same document changes nothing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatPath } from '../../src/config/format-issues.js';
import { TeeinitError } from '../../src/errors/index.js';
import type { IamBinding, ProjectModel, SecretModel, VersionState } from '../model.js';
import { appendVersion, MAX_PAYLOAD_BYTES, setVersionState } from '../secret-manager/versions.js';
import { secretKey, type EmulatorStore } from '../store.js';
import { describeFirstIssue, REPORT_INPUT } from '../zod-issue.js';
import { seedSchema } from './schema.js';

/** One version to create, bytes already resolved. */
export interface SeedVersion {
  readonly data: Buffer;
  readonly state: VersionState;
}

/** A secret as the seed declares it. */
export interface SeedSecret {
  readonly project: string;
  readonly id: string;
  readonly location?: string;
  readonly versions: readonly SeedVersion[];
  readonly aliases: Readonly<Record<string, number>>;
  readonly bindings: readonly IamBinding[];
}

/** A service account and who may impersonate it. */
export interface SeedServiceAccount {
  readonly email: string;
  readonly bindings: readonly IamBinding[];
}

/**
 * A validated seed document.
 * @example { projects: [{ id: 'alice-proj', number: '111111111111' }], secrets: [{ project: 'alice-proj', id: 'ca', versions: [{ dataFile: 'ca.pem' }], bindings: [{ role: 'roles/secretmanager.secretAccessor', members: ['allUsers'] }] }] }
 */
export interface SeedDocument {
  readonly projects: readonly ProjectModel[];
  readonly secrets: readonly SeedSecret[];
  /** Absent in documents built before service accounts could be seeded: none. */
  readonly serviceAccounts?: readonly SeedServiceAccount[];
}

/** How a seed is applied. */
export interface ApplySeedOptions {
  /**
   * True for a seed sent to a running emulator (`POST /admin/seed`, `teeinit-emulator seed`):
   * its binding changes take effect after the IAM propagation delay (store.iam). False (the
   * default) for the config's seed and worlds built before use: bindings apply at once.
   */
  readonly propagate?: boolean;
}

export interface ParseSeedOptions {
  /** Directory `dataFile` paths are relative to (default: the working directory). */
  readonly baseDir?: string;
  /** False on the admin endpoint: the server does not read files named by a request. */
  readonly allowDataFile?: boolean;
}

/** Validates a parsed YAML/JSON seed document and resolves every payload to bytes. */
export function parseSeedDocument(input: unknown, options: ParseSeedOptions = {}): SeedDocument {
  const parsed = seedSchema.safeParse(input ?? {}, REPORT_INPUT);
  if (!parsed.success) {
    throw seedError(`Invalid seed document: ${describeFirstIssue(parsed.error)}`);
  }
  const secrets = parsed.data.secrets.map((s, i): SeedSecret => ({
    project: s.project,
    id: s.id,
    ...(s.location === undefined ? {} : { location: s.location }),
    versions: s.versions.map((v, j) => ({
      data: versionBytes(v, ['secrets', i, 'versions', j], options),
      state: v.state,
    })),
    aliases: s.aliases,
    bindings: s.bindings,
  }));
  return {
    projects: parsed.data.projects,
    secrets,
    serviceAccounts: parsed.data.serviceAccounts,
  };
}

function versionBytes(
  v: { data?: string | undefined; dataFile?: string | undefined; dataBase64?: string | undefined },
  where: readonly (string | number)[],
  options: ParseSeedOptions,
): Buffer {
  const bytes = readVersionBytes(v, where, options);
  // Secret Manager refuses a payload over 64 KiB (`secrets create` and addVersion do too).
  if (bytes.length > MAX_PAYLOAD_BYTES) {
    const key =
      v.data !== undefined ? 'data' : v.dataBase64 !== undefined ? 'dataBase64' : 'dataFile';
    throw seedError(
      `Invalid seed document: ${formatPath([...where, key])}: a payload of ${bytes.length} bytes is over Secret Manager's 64 KiB (${MAX_PAYLOAD_BYTES} bytes) limit`,
    );
  }
  return bytes;
}

function readVersionBytes(
  v: { data?: string | undefined; dataFile?: string | undefined; dataBase64?: string | undefined },
  where: readonly (string | number)[],
  options: ParseSeedOptions,
): Buffer {
  if (v.data !== undefined) return Buffer.from(v.data, 'utf8');
  if (v.dataBase64 !== undefined) return Buffer.from(v.dataBase64, 'base64');
  const at = formatPath([...where, 'dataFile']);
  if (options.allowDataFile === false) {
    throw seedError(`Invalid seed document: ${at}: not accepted here, inline the data`);
  }
  const path = resolve(options.baseDir ?? process.cwd(), v.dataFile ?? '');
  try {
    return readFileSync(path);
  } catch (cause) {
    throw seedError(`Seed ${at} cannot be read: ${path}`, cause);
  }
}

/** Applies the seed: adds projects, creates secrets, appends missing versions, merges IAM. */
export function applySeed(
  store: EmulatorStore,
  seed: SeedDocument,
  now: () => number,
  options: ApplySeedOptions = {},
): void {
  for (const p of seed.projects) {
    const known = store.projects.get(p.id);
    if (known !== undefined && known.number !== p.number) {
      throw seedError(
        `Seed project ${p.id} has number ${p.number}, the emulator knows ${known.number}`,
      );
    }
  }
  for (const p of seed.projects) store.addProject(p);
  const plans = seed.secrets.map((s) => planSecret(store, s));
  for (const { seed: s, number, existing } of plans) {
    const secret: SecretModel = existing ?? {
      projectNumber: number,
      secretId: s.id,
      ...(s.location === undefined ? {} : { location: s.location }),
      createTime: new Date(now()).toISOString(),
      versions: [],
      versionAliases: {},
      bindings: [],
    };
    s.versions.forEach((v, i) => {
      const current = secret.versions.find((x) => x.number === i + 1);
      if (current === undefined) appendVersion(secret, v.data, now(), v.state);
      else if (current.state !== 'DESTROYED' && v.state !== current.state) {
        setVersionState(current, v.state, now());
      }
    });
    secret.versionAliases = { ...secret.versionAliases, ...s.aliases };
    const bindings = mergeBindings(secret.bindings, s.bindings);
    if (options.propagate === true) store.setSecretBindings(secret, bindings, now());
    else secret.bindings = bindings;
    store.secrets.set(secretKey(number, s.id, s.location), secret);
  }
  for (const sa of seed.serviceAccounts ?? []) {
    const known = store.serviceAccounts.get(sa.email);
    if (known === undefined) store.serviceAccounts.set(sa.email, { email: sa.email, bindings: [] });
    const bindings = mergeBindings(known?.bindings ?? [], sa.bindings);
    if (options.propagate === true) store.setServiceAccountBindings(sa.email, bindings, now());
    else store.serviceAccounts.set(sa.email, { email: sa.email, bindings });
  }
}

/** Checks one secret against the store before anything is changed. */
function planSecret(store: EmulatorStore, s: SeedSecret) {
  const label = `${s.project}/${s.location === undefined ? '' : `${s.location}/`}${s.id}`;
  const number = store.projectNumber(s.project);
  if (number === undefined) {
    throw seedError(
      `Seed secret ${label}: unknown project ${s.project} (declare it under projects)`,
    );
  }
  const existing = store.secrets.get(secretKey(number, s.id, s.location));
  s.versions.forEach((v, i) => {
    const current = existing?.versions.find((x) => x.number === i + 1);
    if (current?.data !== undefined && !current.data.equals(v.data)) {
      throw seedError(`Seed secret ${label}: version ${i + 1} already exists with other data`);
    }
    if (current?.state === 'DESTROYED' && v.state !== 'DESTROYED') {
      throw seedError(`Seed secret ${label}: version ${i + 1} is destroyed in the emulator`);
    }
  });
  const count = Math.max(s.versions.length, existing?.versions.length ?? 0);
  for (const [alias, n] of Object.entries(s.aliases)) {
    const state = s.versions[n - 1]?.state ?? existing?.versions.find((x) => x.number === n)?.state;
    if (n > count || state === undefined || state === 'DESTROYED') {
      throw seedError(
        `Seed secret ${label}: alias ${alias} points to version ${n}, which is missing or destroyed`,
      );
    }
  }
  return { seed: s, number, existing };
}

function mergeBindings(current: readonly IamBinding[], added: readonly IamBinding[]): IamBinding[] {
  const byRole = new Map<string, Set<string>>();
  for (const b of [...current, ...added]) {
    const members = byRole.get(b.role) ?? new Set<string>();
    for (const m of b.members) members.add(m);
    byRole.set(b.role, members);
  }
  return [...byRole].map(([role, members]) => ({ role, members: [...members] }));
}

function seedError(message: string, cause?: unknown): TeeinitError {
  return new TeeinitError('TEEINIT_CONFIG_INVALID', message, {
    hint: 'See docs/emulator-secrets.md#seeding for the seed format.',
    ...(cause === undefined ? {} : { cause }),
  });
}
