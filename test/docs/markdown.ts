// Just enough Markdown for the docs tests: fenced code blocks, ATX headings, GitHub's
// heading anchors, sections, table rows and inline links. Line numbers are 1-based so a
// failure can point at `file:line`.

/** One line of a document, with whether it sits inside a fenced code block. */
export interface MdLine {
  readonly n: number;
  readonly text: string;
  readonly inFence: boolean;
}

/** A fenced code block: its info string ("yaml") and body. */
export interface Fence {
  readonly info: string;
  readonly line: number;
  readonly body: string;
}

/** An ATX heading (`## Text`), outside code. */
export interface Heading {
  readonly level: number;
  readonly text: string;
  readonly line: number;
}

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING_RE = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;

// Splits into lines, marking fence delimiters and their bodies as code.
export function mdLines(text: string): MdLine[] {
  const out: MdLine[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const m = FENCE_RE.exec(raw);
    if (fence === undefined && m) {
      fence = m[1]!;
      out.push({ n: i + 1, text: raw, inFence: true });
      return;
    }
    const inFence = fence !== undefined;
    if (inFence && m && m[1]!.startsWith(fence![0]!) && m[1]!.length >= fence!.length) {
      fence = undefined;
    }
    out.push({ n: i + 1, text: raw, inFence });
  });
  return out;
}

// Fenced code blocks with their info strings, so examples can be parsed.
export function fences(text: string): Fence[] {
  const out: Fence[] = [];
  let open: { marker: string; info: string; line: number; body: string[] } | undefined;
  text.split('\n').forEach((raw, i) => {
    const m = FENCE_RE.exec(raw);
    if (open === undefined) {
      if (m) open = { marker: m[1]!, info: m[2] ?? '', line: i + 1, body: [] };
      return;
    }
    if (m && m[1]!.startsWith(open.marker[0]!) && m[1]!.length >= open.marker.length) {
      out.push({ info: open.info, line: open.line, body: open.body.join('\n') });
      open = undefined;
      return;
    }
    open.body.push(raw);
  });
  return out;
}

// ATX headings outside fenced code.
export function headings(text: string): Heading[] {
  const out: Heading[] = [];
  for (const l of mdLines(text)) {
    if (l.inFence) continue;
    const m = HEADING_RE.exec(l.text);
    if (m) out.push({ level: m[1]!.length, text: m[2]!, line: l.n });
  }
  return out;
}

// GitHub's anchor for one heading: rendered text, lowercased, punctuation dropped (letters,
// digits, `_`, `-` and spaces stay), each space becomes `-`.
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images → their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '');
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

// Every anchor a document offers; repeated headings get `-1`, `-2`... as on GitHub, and an
// HTML `<a name="x">` / `id="x"` outside code counts too.
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const l of mdLines(text)) {
    if (l.inFence) continue;
    for (const m of l.text.matchAll(/<[a-z][^>]*\s(?:name|id)="([^"]+)"/gi)) out.add(m[1]!);
  }
  for (const h of headings(text)) {
    const base = githubSlug(h.text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

// Contents of inline code spans, in order (`a`, `b` → ['a', 'b']).
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)].map((m) => m[2]!.trim());
}

// Cells of a table row (`| a | b |`), splitting on `|` outside code spans; undefined if
// the line is not a row or is the `| --- |` separator.
export function tableCells(line: string): string[] | undefined {
  const t = line.trim();
  if (!t.startsWith('|')) return undefined;
  const cells: string[] = [];
  let cur = '';
  let inCode = false;
  for (let i = 1; i < t.length; i++) {
    const c = t[i]!;
    if (c === '`') inCode = !inCode;
    if (c === '\\' && t[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (c === '|' && !inCode) {
      cells.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') cells.push(cur.trim());
  if (cells.every((c) => /^:?-+:?$/.test(c))) return undefined;
  return cells;
}
