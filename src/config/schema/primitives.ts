// Small zod building blocks shared by the config schema: durations, octal modes, names,
// signals. Each carries the "expected ..." text that config errors show.
import { constants } from 'node:os';
import { z } from 'zod';
import { MAX_DURATION_MS } from '../defaults.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(\d+)(ms|s|m|h)$/;

/** Parses "500ms" / "10s" / "2m" / "1h" into milliseconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[m[2]!] ?? 1);
}

const DURATION_EXPECTED = 'expected a duration like "500ms", "10s", "2m", "1h" or milliseconds';

// A duration in the file; `min` lets timeouts forbid 0 while `maxLifetime` allows it.
export function duration(min = 1): z.ZodType<number, string | number> {
  return z
    .union([z.string().regex(DURATION_RE, { error: DURATION_EXPECTED }), z.number().int()], {
      error: DURATION_EXPECTED,
    })
    .transform((v, ctx) => {
      const ms = typeof v === 'number' ? v : (parseDuration(v) ?? NaN);
      if (!(ms >= min && ms <= MAX_DURATION_MS)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration between ${min}ms and 24h`,
          input: v,
        });
        return z.NEVER;
      }
      return ms;
    });
}

// An octal file mode as a string ("0400"); numbers are refused because YAML reads 0400 as 400.
export const fileMode = z
  .string({ error: 'expected an octal mode string like "0400"' })
  .regex(/^0?[0-7]{3}$/, { error: 'expected an octal mode string like "0400"' })
  .transform((s, ctx) => {
    const mode = parseInt(s, 8);
    if ((mode & 0o022) !== 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a mode that is not group- or world-writable (e.g. "0400", "0600")',
        input: s,
      });
      return z.NEVER;
    }
    return mode;
  });

/** Names of collaborators, secrets, keys, templates, tls bundles, processes and proxies. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const name = z
  .string({ error: 'expected a name' })
  .regex(NAME_RE, { error: 'expected a name of letters, digits, ".", "_" or "-" (max 128)' });

/** Environment variable names (process env keys, operator overrides). */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const envName = z
  .string()
  .regex(ENV_NAME_RE, { error: 'expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });

/** A record whose keys are config names (z.record checks them with the key schema). */
export function namedRecord<T extends z.ZodType>(value: T): z.ZodRecord<typeof name, T> {
  return z.record(name, value);
}

export const absolutePath = z
  .string({ error: 'expected an absolute path' })
  .regex(/^\//, { error: 'expected an absolute path' });

const SIGNALS = Object.keys(constants.signals) as [NodeJS.Signals, ...NodeJS.Signals[]];
export const signal = z.enum(SIGNALS, { error: 'expected a signal name like "SIGTERM"' });

/** A non-empty string without NUL or newlines (user names, file names, addresses). */
export const token = z
  .string()
  .min(1, { error: 'expected a non-empty string' })
  .regex(/^[^\0\n\r]*$/, { error: 'expected a single-line string' });
