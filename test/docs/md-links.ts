// Relative links of a Markdown document: inline `[text](path#anchor)` (text may span
// lines, images included) and reference definitions `[id]: path`. Links inside fenced code
// and code spans are not links; URLs with a scheme (https:, mailto:) are not relative.
import { mdLines } from './markdown.js';

/** One relative link: where it is written, its target path ('' = same file), its anchor. */
export interface RelLink {
  readonly line: number;
  readonly raw: string;
  readonly path: string;
  readonly anchor: string | undefined;
}

const INLINE_RE =
  /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const REF_DEF_RE = /^ {0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)/gm;
const SCHEME_RE = /^[a-z][a-z0-9+.-]*:|^\/\//i;

// The text with fenced code and code spans blanked (same length, newlines kept).
function blankCode(text: string): string {
  const lines = mdLines(text).map((l) => (l.inFence ? ' '.repeat(l.text.length) : l.text));
  return lines
    .join('\n')
    .replace(/(`+)(?:[^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (m) => m.replace(/[^\n]/g, ' '));
}

// 1-based line of a character offset.
function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

// Splits `path#anchor`, percent-decoded; undefined for absolute URLs.
function toRelLink(raw: string, line: number): RelLink | undefined {
  const target = raw.startsWith('<') ? raw.slice(1, -1) : raw;
  if (SCHEME_RE.test(target)) return undefined;
  const hash = target.indexOf('#');
  const path = hash < 0 ? target : target.slice(0, hash);
  const anchor = hash < 0 ? undefined : target.slice(hash + 1);
  return {
    line,
    raw: target,
    path: decodeURIComponent(path),
    anchor: anchor === undefined ? undefined : decodeURIComponent(anchor),
  };
}

// Every relative link of the document, in order.
export function relativeLinks(text: string): RelLink[] {
  const plain = blankCode(text);
  const out: RelLink[] = [];
  for (const re of [INLINE_RE, REF_DEF_RE]) {
    for (const m of plain.matchAll(re)) {
      const link = toRelLink(m[1]!, lineAt(plain, m.index + m[0].indexOf(m[1]!)));
      if (link) out.push(link);
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
