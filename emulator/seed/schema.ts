// The declarative seed document: projects and secrets (versions, aliases, IAM bindings)
// to create in the emulator. Strict: unknown keys are rejected.
import { z } from 'zod';
import { ROLE_RE, SECRET_ID_RE, VERSION_ALIAS_RE } from '../secret-manager/names.js';

const roleSchema = z
  .string()
  .regex(ROLE_RE, 'expected a role such as roles/secretmanager.secretAccessor');

const versionSchema = z
  .strictObject({
    /** UTF-8 text. */
    data: z.string().optional(),
    /** Path to a file, relative to the seed file's directory. */
    dataFile: z.string().min(1).optional(),
    /** Raw bytes in standard base64. */
    dataBase64: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected standard base64')
      .optional(),
    state: z.enum(['ENABLED', 'DISABLED', 'DESTROYED']).default('ENABLED'),
  })
  .refine(
    (v) => [v.data, v.dataFile, v.dataBase64].filter((x) => x !== undefined).length === 1,
    'each version needs exactly one of data, dataFile, dataBase64',
  );

const secretSchema = z.strictObject({
  /** Project id or number (declared under `projects` or known to the emulator). */
  project: z.string().min(1),
  id: z.string().regex(SECRET_ID_RE, 'letters, digits, _ and - only (1..255)'),
  /** Regional secret (`projects/P/locations/L/secrets/S`); absent = global. */
  location: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,62}$/, 'expected a location such as us-central1')
    .optional(),
  versions: z.array(versionSchema).max(1000).default([]),
  /** alias → version number. */
  aliases: z
    .record(
      z
        .string()
        .regex(VERSION_ALIAS_RE)
        .refine((a) => a !== 'latest', '`latest` is reserved and cannot be an alias'),
      z.number().int().min(1),
    )
    .default({}),
  bindings: z
    .array(z.strictObject({ role: roleSchema, members: z.array(z.string().min(1)).min(1) }))
    .default([]),
});

/** Who may impersonate a service account (created when the emulator does not know it). */
const serviceAccountSchema = z.strictObject({
  email: z.email(),
  bindings: z
    .array(z.strictObject({ role: roleSchema, members: z.array(z.string().min(1)).min(1) }))
    .default([]),
});

/** The raw seed document schema. */
export const seedSchema = z.strictObject({
  projects: z
    .array(z.strictObject({ id: z.string().min(1), number: z.string().regex(/^\d{1,19}$/) }))
    .default([]),
  secrets: z.array(secretSchema).max(10_000).default([]),
  serviceAccounts: z.array(serviceAccountSchema).max(1000).default([]),
});

export type RawSeed = z.infer<typeof seedSchema>;
