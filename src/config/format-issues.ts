// Turns zod issues into one readable line: the key path (`processes[1].ready.timeout`), what
// was expected and the type of what was given. A config error never shows a value of the
// file, only key paths, and keys are shown escaped and cut (printable()): whoever reads
// the error (a log, a console an operator sees) learns where the problem is, not the content.
import type { z } from 'zod';
import { MAX_SHOWN, printable } from '../errors/index.js';

/** At most this many unknown keys are named in one message; the rest are counted. */
const MAX_KEYS_NAMED = 3;

/**
 * Renders a zod path as `a.b[2].c`; keys that are not short identifiers are shown as
 * `["…"]` with everything outside printable ASCII escaped and cut after 64 characters.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out +=
        s.length <= MAX_SHOWN && /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)
          ? (out ? '.' : '') + s
          : `["${printable(s)}"]`;
    }
  }
  return out || '(root)';
}

/** Describes a given value by its type only: never its content. */
export function describeGiven(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  const kind = typeof input;
  if (kind === 'object') return 'an object';
  if (kind === 'string') return (input as string).length === 0 ? 'an empty string' : 'a string';
  return `a ${kind}`;
}

/**
 * For dev tooling only (the emulator's own files and admin API, never teeinit's config):
 * a short printable string quoted, a number or boolean as itself, anything else by type.
 */
function describeGivenValue(input: unknown): string {
  if (typeof input === 'string' && input.length <= 40 && /^[\x20-\x7e]*$/.test(input)) {
    return `"${input}"`;
  }
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  return describeGiven(input);
}

export interface FormatOptions {
  /** Show short given values (dev tooling only; teeinit's config errors never do). */
  readonly showValues?: boolean;
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
export function formatIssue(issue: z.core.$ZodIssue, options: FormatOptions = {}): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.slice(0, MAX_KEYS_NAMED).map((k) => formatPath([...issue.path, k]));
    const more = issue.keys.length - keys.length;
    const also = more > 0 ? ` and ${more} more` : '';
    return `${keys.join(', ')}${also}: unknown key${issue.keys.length > 1 ? 's' : ''} (not in the schema)`;
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
  const given = options.showValues === true ? describeGivenValue(input) : describeGiven(input);
  return `${path}: ${expectedOf(issue)}, got ${given}`;
}

/** All issues as one line: the first in full, then how many more. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const [first, ...rest] = issues;
  if (!first) return 'invalid config';
  const more = rest.length
    ? ` (and ${rest.length} more: ${rest
        .slice(0, 2)
        .map((i) => formatIssue(i))
        .join('; ')})`
    : '';
  return formatIssue(first) + more;
}
