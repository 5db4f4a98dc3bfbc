// Canonical JSON (sorted keys, no whitespace) and the config hash: two configs that mean
// the same thing hash the same, whatever the file's key order, comments or shorthands.
import { createHash } from 'node:crypto';
import type { Config } from './types.js';

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 hex of the effective config: the normalized config plus resolved overrides. */
export function configHash(config: Config, overrides: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(canonicalJson({ config, overrides })).digest('hex');
}
