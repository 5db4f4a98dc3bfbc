// The emulator's one way to report an invalid config file, seed document, fault rule or
// admin request body: the first zod issue in the product's wording (src/config/
// format-issues.ts: `path: expected X, got Y`), but never a value under a key that may hold
// secret bytes (a seed version's `data`, `dataBase64`).
import type { z } from 'zod';
import { formatIssue, formatPath } from '../src/config/format-issues.js';

/** Keys whose values are never echoed, only their kind (`got a string`). */
const SECRET_KEYS: ReadonlySet<PropertyKey> = new Set(['data', 'dataBase64', 'payload']);

/** safeParse params for every emulator schema: issues carry the given value, for `got …`. */
export const REPORT_INPUT = { reportInput: true } as const;

/**
 * The first issue as one line, its path under `prefix` (where the parsed value sits in a
 * larger document), plus how many more there are.
 * @example describeFirstIssue(error, ['faults']) // 'faults[0].route: expected one of …, got "x"'
 */
export function describeFirstIssue(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  const [first, ...rest] = error.issues;
  if (first === undefined) return `${formatPath(prefix)}: invalid`;
  const issue = { ...first, path: [...prefix, ...first.path] } as z.core.$ZodIssue;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  // An issue about the whole value needs no `(root): ` in front.
  return describeIssue(issue).replace(/^\(root\): /, '') + more;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const input: unknown = 'input' in issue ? issue.input : undefined;
  if (input === undefined || !issue.path.some((key) => SECRET_KEYS.has(key))) {
    // Short values are shown: the emulator's own files and requests, not teeinit's config.
    return formatIssue(issue, { showValues: true });
  }
  const withoutInput = { ...issue, input: undefined };
  // Without its input the issue reads `…, got nothing`: name the kind of value instead.
  return formatIssue(withoutInput as z.core.$ZodIssue).replace(
    /, got nothing$/,
    `, got ${kindOf(input)}`,
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
