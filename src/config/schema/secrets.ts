// Schema of what is fetched and derived: collaborators, secrets, keys, tls bundles, and of
// where it lands: files and templates. Shorthands are normalized here.
import { z } from 'zod';
import { DEFAULTS } from '../defaults.js';
import { absolutePath, fileMode, name, namedRecord, token } from './primitives.js';

export const collaboratorSchema = z.strictObject({
  credentials: z.enum(['workload-identity', 'adc', 'none']).default('workload-identity'),
  provider: token.optional(),
  serviceAccount: token.optional(),
  /** With `refresh`: what a revocation by this collaborator stops (default `keep`). */
  onRevoke: z.enum(['stop', 'keep']).optional(),
});

// `source` defaults to gcp-secret-manager, or to file when `path` is given.
export const secretSchema = z
  .strictObject({
    from: name,
    source: z.enum(['gcp-secret-manager', 'file']).optional(),
    ref: token.optional(),
    path: token.optional(),
  })
  .transform(({ source, ...rest }) => ({
    ...rest,
    source: source ?? (rest.path === undefined ? 'gcp-secret-manager' : 'file'),
  }));

export const keySchema = z.strictObject({
  shares: z.array(name),
  /** Any `threshold` of the shares make the key (Shamir); absent: every share is needed. */
  threshold: z.number().int().optional(),
  kdf: z.enum(['hkdf-sha256', 'sha256-concat']).default(DEFAULTS.key.kdf),
  salt: z.string().default(DEFAULTS.key.salt),
  /** Default: the key's name (filled in by `keysSchema`). */
  info: z.string().optional(),
  length: z.number().int().min(16).max(64).default(DEFAULTS.key.length),
  /** With `refresh`: whether the key stops when too few of its collaborators consent (default `stop`). */
  onRevoke: z.enum(['stop', 'keep']).optional(),
});

export const keysSchema = namedRecord(keySchema).transform((keys) =>
  Object.fromEntries(
    Object.entries(keys).map(([keyName, k]) => [keyName, { ...k, info: k.info ?? keyName }]),
  ),
);

export const tlsBundleSchema = z.strictObject({
  cert: name,
  key: name,
  ca: name.optional(),
  usage: z.enum(['server', 'client', 'any']).default(DEFAULTS.tls.usage),
});

export const fileEntrySchema = z.strictObject({
  name: token
    .regex(/^[^/]+$/, { error: 'expected a file name without "/"' })
    .refine((n) => n !== '.' && n !== '..', { error: 'expected a file name, not "." or ".."' })
    .optional(),
  mode: fileMode.optional(),
  owner: token.optional(),
  group: token.optional(),
  encoding: z.enum(['raw', 'hex']).default('raw'),
});

// Entry names and modes default to the entry's key and `files.defaultMode`.
export const filesSchema = z
  .strictObject({
    dir: absolutePath.default(DEFAULTS.files.dir),
    unsafeAllowNonTmpfs: z.boolean().default(DEFAULTS.files.unsafeAllowNonTmpfs),
    defaultMode: fileMode.prefault(DEFAULTS.files.defaultMode),
    entries: namedRecord(fileEntrySchema).default({}),
  })
  .transform((files) => ({
    ...files,
    entries: Object.fromEntries(
      Object.entries(files.entries).map(([from, e]) => [
        from,
        { ...e, name: e.name ?? from, mode: e.mode ?? files.defaultMode },
      ]),
    ),
  }));

export const templateSchema = z.strictObject({
  source: token.optional(),
  content: z.string().optional(),
  allowValue: z.boolean().default(false),
});
