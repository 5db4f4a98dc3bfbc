// Searches captured output and files for secret values (DESIGN invariant 2). Multi-line
// values (PEM) are searched line by line, so a partial leak is found too; byte values
// (derived keys) and whole text values are also searched as hex and base64, the forms a
// log or config would hold.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A secret as a test knows it: text (PEM, share, token) or raw bytes (a derived key). */
export type SecretValue = string | Uint8Array;

// Shorter needles could match unrelated output by chance; every test value is longer.
const MIN_NEEDLE = 16;

/** The needles of a set of secret values: each value, each substantial line, bytes as hex/base64. */
export function needles(values: readonly SecretValue[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    const found = typeof value === 'string' ? textNeedles(value) : bytesNeedles(value);
    // A value too short to search for would make the scan pass vacuously.
    if (found.length === 0) throw new Error('leak scan: a secret value is too short to search for');
    for (const needle of found) out.add(needle);
  }
  return [...out];
}

function textNeedles(value: string): string[] {
  const whole = value.trim();
  // The text itself, and its bytes as hex and base64 (as the product's Redactor masks them).
  const out = whole.length >= MIN_NEEDLE ? [whole, ...bytesNeedles(Buffer.from(whole))] : [];
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    // PEM armour lines are public; the body lines are the secret.
    if (line.length >= MIN_NEEDLE && !line.startsWith('-----')) out.push(line);
  }
  return out;
}

function bytesNeedles(value: Uint8Array): string[] {
  const bytes = Buffer.from(value);
  return [bytes.toString('hex'), bytes.toString('base64')].filter((s) => s.length >= MIN_NEEDLE);
}

/** Fails naming where (never what) a secret value was found in `texts`. */
export function assertNoSecrets(
  texts: string | readonly string[],
  values: readonly SecretValue[],
  where: string,
): void {
  const all = typeof texts === 'string' ? [texts] : texts;
  for (const needle of needles(values)) {
    for (const text of all) {
      if (text.includes(needle)) assert.fail(`a secret value appears in ${where}`);
    }
  }
}

/**
 * Every regular file under `roots` modified since `sinceMs` (skipping `skip` directories),
 * bounded in count so a scan of a temp dir stays fast.
 */
export function filesModifiedSince(
  roots: readonly string[],
  sinceMs: number,
  skip: readonly string[] = [],
): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6 || found.length > 5000 || skip.includes(dir)) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      try {
        const st = statSync(path);
        if (st.isDirectory()) walk(path, depth + 1);
        else if (st.isFile() && st.mtimeMs >= sinceMs && st.size < 4 * 1024 * 1024)
          found.push(path);
      } catch {
        // gone meanwhile
      }
    }
  };
  for (const root of roots) walk(root, 0);
  return found;
}

/** Reads each file and asserts none holds a secret value. */
export function assertNoSecretsInFiles(
  paths: readonly string[],
  values: readonly SecretValue[],
): void {
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch {
      continue;
    }
    assertNoSecrets(text, values, path);
  }
}
