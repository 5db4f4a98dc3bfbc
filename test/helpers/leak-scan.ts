// Searches captured output and files for secret values (DESIGN invariant 2). Multi-line
// values (PEM) are searched line by line, so a partial leak is found too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The needles of a set of secret values: each value and each substantial line of it. */
export function needles(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (value.trim().length >= 16) out.add(value.trim());
    for (const line of value.split('\n')) if (line.trim().length >= 20) out.add(line.trim());
  }
  return [...out];
}

/** Throws naming where (never what) a secret value was found in `text`. */
export function assertNoSecrets(text: string, values: readonly string[], where: string): void {
  for (const needle of needles(values)) {
    if (text.includes(needle)) throw new Error(`a secret value appears in ${where}`);
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
export function assertNoSecretsInFiles(paths: readonly string[], values: readonly string[]): void {
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
