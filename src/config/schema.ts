// The one strict schema of the config file: unknown keys are rejected everywhere, defaults
// come from defaults.ts, and the result is the normalized Config of types.ts.
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from './types.js';
import { TeeinitError } from '../errors/index.js';
import { deepFreeze } from './deep-freeze.js';
import { DEFAULTS } from './defaults.js';
import { formatIssues, formatPath } from './format-issues.js';
import { absolutePath, duration, envName, namedRecord, token } from './schema/primitives.js';
import { processSchema } from './schema/processes.js';
import { proxySchema } from './schema/proxies.js';
import { refreshSchema } from './schema/refresh.js';
import {
  collaboratorSchema,
  filesSchema,
  keysSchema,
  secretSchema,
  templateSchema,
  tlsBundleSchema,
} from './schema/secrets.js';

const A = DEFAULTS.attestation;
const E = DEFAULTS.endpoints;
const F = DEFAULTS.fetch;

const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

const overrideSchema = z.strictObject({
  pattern: z.string().min(1),
  default: z.string().optional(),
});

/** The config file as a user writes it (input) and as every stage reads it (output). */
export const configSchema = z.strictObject({
  version: z.literal(1, { error: 'expected `version: 1`' }),
  attestation: z
    .strictObject({
      source: z.enum(['file', 'teeserver']).default(A.source),
      tokenFile: absolutePath.default(A.tokenFile),
      socket: absolutePath.default(A.socket),
    })
    .prefault({}),
  endpoints: z
    .strictObject({
      sts: url.default(E.sts),
      iamCredentials: url.default(E.iamCredentials),
      secretManager: url.default(E.secretManager),
      secretManagerRegional: token
        .includes('{location}', { error: 'expected a URL template containing "{location}"' })
        .default(E.secretManagerRegional),
    })
    .prefault({}),
  collaborators: namedRecord(collaboratorSchema).default({}),
  secrets: namedRecord(secretSchema).default({}),
  keys: keysSchema.default({}),
  tls: namedRecord(tlsBundleSchema).default({}),
  files: filesSchema.prefault({}),
  templates: namedRecord(templateSchema).default({}),
  proxies: z.array(proxySchema).default([]),
  processes: z.array(processSchema).default([]),
  fetch: z
    .strictObject({
      callTimeout: duration().default(F.callTimeout),
      startupDeadline: duration().default(F.startupDeadline),
      attempts: z.number().int().min(1).max(20).default(F.attempts),
      initialBackoff: duration().default(F.initialBackoff),
      maxBackoff: duration().default(F.maxBackoff),
      permissionGrace: duration(0).default(F.permissionGrace),
    })
    .prefault({}),
  overrides: z.strictObject({ env: z.record(envName, overrideSchema).default({}) }).prefault({}),
  environment: z.strictObject({ accept: z.array(envName).default([]) }).prefault({}),
  unsafeAllowPid1: z.boolean().default(DEFAULTS.unsafeAllowPid1),
  shutdown: z
    .strictObject({ stopTimeout: duration().default(DEFAULTS.shutdown.stopTimeout) })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR']).default(DEFAULTS.log.level),
    })
    .prefault({}),
  clockSkew: duration(0).default(DEFAULTS.clockSkew),
  refresh: refreshSchema.optional(),
  status: z.strictObject({ listen: token }).optional(),
});

type ParsedConfig = z.output<typeof configSchema>;
type ParsedPolicy = NonNullable<NonNullable<ParsedConfig['proxies'][number]['attest']>['require']>;

/**
 * The proxies' `attest` blocks: `present.socket` defaults to `attestation.socket`, and a
 * policy's files (`oidc.jwksFile`, `pki.rootFile`) are relative to the config file.
 */
function completeAttest(data: ParsedConfig, baseDir: string): void {
  const policy = (p: ParsedPolicy): void => {
    if (p.oidc.jwksFile !== undefined) p.oidc.jwksFile = resolve(baseDir, p.oidc.jwksFile);
    if (p.pki.rootFile !== undefined) p.pki.rootFile = resolve(baseDir, p.pki.rootFile);
  };
  for (const proxy of data.proxies) {
    if (proxy.attest?.present !== undefined)
      proxy.attest.present.socket ??= data.attestation.socket;
    if (proxy.attest?.require !== undefined) policy(proxy.attest.require);
    for (const entry of Object.values(proxy.sniCa)) {
      if (entry.attest !== undefined) policy(entry.attest.require);
    }
  }
}

/** What a user may write (before defaults and shorthands). */
export type ConfigInput = z.input<typeof configSchema>;

/**
 * Checks a parsed file tree against the schema; returns the normalized, deeply frozen
 * Config. Relative `secrets.*.path` and `templates.*.source` resolve against `baseDir`.
 */
export function validateConfigTree(tree: unknown, baseDir = process.cwd()): Config {
  const result = configSchema.safeParse(tree, { reportInput: true });
  if (!result.success) {
    const first = result.error.issues[0];
    throw new TeeinitError('TEEINIT_CONFIG_INVALID', formatIssues(result.error.issues), {
      fields: { path: first ? formatPath(first.path) : '', issues: result.error.issues.length },
    });
  }
  const data = result.data;
  for (const secret of Object.values(data.secrets)) {
    if (secret.path !== undefined) secret.path = resolve(baseDir, secret.path);
  }
  for (const template of Object.values(data.templates)) {
    if (template.source !== undefined) template.source = resolve(baseDir, template.source);
  }
  completeAttest(data, baseDir);
  // zod marks absent optional keys `?: T | undefined`; absent keys are simply not set.
  return deepFreeze(data as unknown as Config);
}
