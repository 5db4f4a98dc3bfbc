// Turns zod issues into one readable line: the key path (`processes[1].ready.timeout`), what
// was expected and what was given. Values are echoed only when short and harmless.
import type { z } from 'zod';

/** Renders a zod path as `a.b[2].c`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)
        ? (out ? '.' : '') + s
        : `[${JSON.stringify(s)}]`;
    }
  }
  return out || '(root)';
}

// Keys under which a value could be sensitive or long: never echo those.
const QUIET = /(^|\.)(env|content|overrides|default|pattern|salt|info)(\.|\[|$)/;

/** Describes a given value by type; short plain strings and numbers are shown quoted. */
export function describeGiven(input: unknown, path: string): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  const kind = typeof input;
  if (kind === 'object') return 'an object';
  const quiet = QUIET.test(path);
  if (kind === 'string') {
    const s = input as string;
    return !quiet && s.length <= 40 && /^[\x20-\x7e]*$/.test(s) ? `"${s}"` : 'a string';
  }
  if (typeof input === 'number' || typeof input === 'boolean') {
    return quiet ? `a ${kind}` : String(input);
  }
  return `a ${kind}`;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.message.startsWith('Invalid input')
        ? `expected ${issue.expected}`
        : issue.message;
    case 'invalid_value':
      return issue.message.startsWith('Invalid')
        ? `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
        : issue.message;
    case 'too_small':
      if (!issue.message.startsWith('Too ')) return issue.message;
      return issue.origin === 'array'
        ? `expected at least ${String(issue.minimum)} item(s)`
        : issue.origin === 'string'
          ? `expected at least ${String(issue.minimum)} character(s)`
          : `expected a number >= ${String(issue.minimum)}`;
    case 'too_big':
      if (!issue.message.startsWith('Too ')) return issue.message;
      return issue.origin === 'array'
        ? `expected at most ${String(issue.maximum)} item(s)`
        : issue.origin === 'string'
          ? `expected at most ${String(issue.maximum)} character(s)`
          : `expected a number <= ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `expected ${issue.format}` : issue.message;
    default:
      return issue.message;
  }
}

/** One issue as `path: expected X, got Y` (unknown keys: `path.key: unknown key`). */
export function formatIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => formatPath([...issue.path, k]));
    return `${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''} (not in the schema)`;
  }
  if (issue.code === 'invalid_key') {
    const path = formatPath(issue.path);
    return `${path}: invalid key, ${issue.issues.map(expectedOf).join('; ')}`;
  }
  const path = formatPath(issue.path);
  const input: unknown = 'input' in issue ? issue.input : undefined;
  // Cross-field (custom) issues explain themselves; only a plain given value is worth adding.
  if (issue.code === 'custom' && (input === undefined || typeof input === 'object')) {
    return `${path}: ${expectedOf(issue)}`;
  }
  return `${path}: ${expectedOf(issue)}, got ${describeGiven(input, path)}`;
}

/** All issues as one line: the first in full, then how many more. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const [first, ...rest] = issues;
  if (!first) return 'invalid config';
  const more = rest.length
    ? ` (and ${rest.length} more: ${rest.slice(0, 2).map(formatIssue).join('; ')})`
    : '';
  return formatIssue(first) + more;
}
