// Shared fixture of the materialize integration tests: fresh secret values, a config
// builder, a capturing logger, a tmpfs base directory and passwd/group files.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { completeFileEntries } from '../../src/config/complete-files.js';
import { collectReferences, type TemplateReference } from '../../src/config/template-references.js';
import type {
  Config,
  FileEntryConfig,
  ProcessConfig,
  TemplateConfig,
} from '../../src/config/types.js';
import { TeeinitError, type ErrorCode } from '../../src/errors/index.js';
import type { Material } from '../../src/keys/index.js';
import type { Logger } from '../../src/log/index.js';
import {
  materialize,
  type SecretFiles,
  type MaterializeOptions,
} from '../../src/materialize/index.js';
import { planFiles } from '../../src/plan/file-plan.js';
import { captureLogger, type CapturedLog } from '../helpers/capture-logger.js';
import { assertNoSecrets } from '../helpers/leak-scan.js';
import { tmpfsDir } from '../helpers/temp.js';

export const isRoot = process.getuid?.() === 0;
let accounts = '';
let tmpfs = false;
/** The per-file base directory (on tmpfs when one exists); set in the before hook. */
export const where = { base: '' };

// Fresh secret values per run; every captured output is grepped for each of them.
export const SECRETS = {
  ca: `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`,
  'server-cert': `-----BEGIN CERTIFICATE-----\n${randomBytes(48).toString('base64')}\n-----END CERTIFICATE-----\n`,
  'server-key': `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----\n`,
  password: `pw-${randomBytes(12).toString('hex')}`,
  unused: `unused-${randomBytes(12).toString('hex')}`,
};
export const PSK = randomBytes(32);
export const material: Material = {
  secrets: new Map(Object.entries(SECRETS).map(([k, v]) => [k, Buffer.from(v)])),
  keys: new Map([['psk', PSK]]),
  keyOrigins: new Map(),
  tls: new Map(),
};
// Every value a test may hand materialize; outputs are grepped for each (the PSK as hex/base64).
const VALUES = [...Object.values(SECRETS), PSK];

export function proc(name: string, extra: Partial<ProcessConfig> = {}): ProcessConfig {
  return {
    name,
    run: ['/bin/true'],
    env: {},
    inheritEnv: false,
    allowValue: false,
    restart: { policy: 'never', backoff: 1000, maxBackoff: 1000, maxRestarts: 0, window: 1000 },
    stopSignal: 'SIGTERM',
    stopTimeout: 1000,
    prefixOutput: false,
    onRefresh: 'none',
    ...extra,
  };
}

export function entry(e: Partial<FileEntryConfig> & { name: string }): FileEntryConfig {
  return { mode: 0o400, encoding: 'raw', ...e };
}

export interface Shape {
  dir: string;
  unsafe?: boolean;
  entries?: Record<string, FileEntryConfig>;
  templates?: Record<string, TemplateConfig>;
  processes?: ProcessConfig[];
  /** Names of further secrets (their bytes come with the material a test passes). */
  extraSecrets?: readonly string[];
}

// Completed like the loader does (`files.entries` lists every file used), so materialize
// sees the same shape as in `run`; reading a template source happens here, once, as at load.
export function config(s: Shape): Config {
  const secret = { from: 'alice', source: 'file' as const, path: '/dev/null' };
  const parsed = {
    secrets: Object.fromEntries(
      [...Object.keys(SECRETS), ...(s.extraSecrets ?? [])].map((k) => [k, secret]),
    ),
    keys: { psk: { shares: ['a', 'b'], kdf: 'hkdf-sha256', salt: 's', info: 'psk', length: 32 } },
    tls: { server: { cert: 'server-cert', key: 'server-key', ca: 'ca', usage: 'server' } },
    files: {
      dir: s.dir,
      unsafeAllowNonTmpfs: s.unsafe ?? !tmpfs,
      defaultMode: 0o400,
      entries: s.entries ?? {},
    },
    templates: s.templates ?? {},
    processes: s.processes ?? [],
  } as unknown as Config;
  const texts = new Map<string, string>();
  const references = collectReferences(parsed, texts);
  const completed = completeFileEntries(parsed, references);
  loaded.set(completed, { texts, references });
  return completed;
}

// What the loader keeps of each config built: template texts and template references.
const loaded = new WeakMap<
  Config,
  { texts: ReadonlyMap<string, string>; references: readonly TemplateReference[] }
>();

/**
 * materialize as `run` calls it: the files planned from `cfg`, with the template texts read
 * when `cfg` was built.
 */
export async function materializeAsRun(
  cfg: Config,
  material: Material,
  overrides: Readonly<Record<string, string>>,
  logger: Logger,
  extra: Pick<MaterializeOptions, 'accountFiles'> = {},
): Promise<SecretFiles> {
  const read = loaded.get(cfg);
  if (read === undefined) throw new Error('materializeAsRun: build cfg with config()');
  const files = planFiles(cfg, read.references);
  return materialize(
    { ...extra, config: cfg, files, overrides, templateTexts: read.texts },
    material,
    logger,
  );
}

// Masking nothing: the test proves nothing is logged, not that it is masked.
export const capture = (): CapturedLog => captureLogger({ unmasked: true });

/** Fails if the log holds a secret value (a PEM body line, the password, the PSK's hex/base64). */
export function assertNoSecret(text: string): void {
  assertNoSecrets(text, VALUES, 'the log');
}

export async function rejectsWith(
  p: Promise<unknown>,
  code: ErrorCode,
  mention: string,
): Promise<TeeinitError> {
  let caught: unknown;
  await p.catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof TeeinitError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.message.includes(mention), `${caught.message} lacks ${mention}`);
  return caught;
}

before(async () => {
  const base = tmpfsDir('teeinit-mat-');
  tmpfs = base.onTmpfs;
  where.base = base.path;
  accounts = await mkdtemp(join(tmpdir(), 'teeinit-accounts-'));
  await writeFile(
    join(accounts, 'passwd'),
    'root:x:0:0::/root:/bin/sh\nsvc:x:4321:4322::/home/svc:/bin/false\n',
  );
  await writeFile(join(accounts, 'group'), 'root:x:0:\nsvcgrp:x:4322:\nshared:x:4400:\n');
});
after(async () => {
  await rm(where.base, { recursive: true, force: true });
  await rm(accounts, { recursive: true, force: true });
});

export const accountFiles = (): { passwd: string; group: string } => ({
  passwd: join(accounts, 'passwd'),
  group: join(accounts, 'group'),
});
