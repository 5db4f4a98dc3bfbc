// The convention docs/configuration.md follows, as code. A heading that is one code span
// (### `proxies[]`) opens the section of that key path; any other heading opens a section
// of the top level. A key is documented by its own heading, or by a table row whose first
// cell holds the key, spelled relative to the section: under ### `proxies[]` the row
// | `limits` | documents `proxies[].limits`, | `limits.handshakeTimeout` | documents
// `proxies[].limits.handshakeTimeout` (and so `proxies[].limits` too). A map or array may
// drop its `.NAME` / `[]`.
import type { KeyPath } from './schema-paths.js';
import { codeSpans, headings, mdLines, tableCells } from './markdown.js';

/** A section: its key path ('' for the top level), heading, and keys in its tables. */
export interface DocSection {
  readonly scope: string;
  readonly heading: string;
  readonly line: number;
  /** First-cell code span → line of the row. */
  readonly rows: Map<string, number>;
}

// Cuts the document at every heading and indexes the first cells of table rows.
export function docSections(text: string): DocSection[] {
  const bounds = headings(text);
  const sections: DocSection[] = [{ scope: '', heading: '(top)', line: 1, rows: new Map() }];
  const starts = new Map(bounds.map((h) => [h.line, h]));
  for (const l of mdLines(text)) {
    const h = starts.get(l.n);
    if (h) {
      const only = /^`([^`]+)`$/.exec(h.text.trim());
      sections.push({
        scope: only ? only[1]! : '',
        heading: h.text,
        line: h.line,
        rows: new Map(),
      });
      continue;
    }
    if (l.inFence) continue;
    const first = tableCells(l.text)?.[0];
    if (first === undefined) continue;
    const current = sections[sections.length - 1]!;
    for (const span of codeSpans(first)) {
      if (!current.rows.has(span)) current.rows.set(span, l.n);
    }
  }
  return sections;
}

// The part of `path` below `scope`, or undefined when `scope` is not an ancestor.
function below(scope: string, path: string): string | undefined {
  if (scope === '') return path;
  return path.startsWith(`${scope}.`) ? path.slice(scope.length + 1) : undefined;
}

// `entries.NAME` may be written `entries`, `proxies[]` may be written `proxies`.
function spellings(rel: string): string[] {
  const bare = rel.replace(/(\.NAME|\[\])$/, '');
  return bare === rel ? [rel] : [rel, bare];
}

/** The line that documents `key`, or undefined. */
export function documentedAt(sections: readonly DocSection[], key: KeyPath): number | undefined {
  const own = sections.find((s) => s.scope === key.path);
  if (own) return own.line;
  for (const s of sections) {
    const rel = below(s.scope, key.path);
    if (rel === undefined) continue;
    for (const spelling of spellings(rel)) {
      const line = s.rows.get(spelling);
      if (line !== undefined) return line;
      if (!key.container) continue;
      // A row for one of its keys (`fetch.attempts`) names the container (`fetch`) too.
      for (const [span, l] of s.rows) if (span.startsWith(`${spelling}.`)) return l;
    }
  }
  return undefined;
}

/** The deepest section that could document `key` (an ancestor's, or the top level). */
export function nearestSection(sections: readonly DocSection[], key: KeyPath): DocSection {
  let best = sections[0]!;
  for (const s of sections) {
    const ancestor = s.scope !== '' && below(s.scope, key.path) !== undefined;
    if (ancestor && s.scope.length > best.scope.length) best = s;
  }
  return best;
}

/** How a failure message names a section. */
export function describeSection(s: DocSection): string {
  return s.scope === '' ? 'a top-level section' : `the heading "${s.heading}" (line ${s.line})`;
}

/** What to add, and where, so that `key` counts as documented. */
export function whereToAdd(sections: readonly DocSection[], key: KeyPath): string {
  const s = nearestSection(sections, key);
  const rel = below(s.scope, key.path)!;
  const at = describeSection(s);
  const row = `add a table row whose first cell is \`${rel}\` under ${at}`;
  if (s.scope === key.parent || key.parent === '') return row;
  return `${row}, or a heading \`${key.parent}\` (in backticks) with a row for \`${key.rel}\``;
}
