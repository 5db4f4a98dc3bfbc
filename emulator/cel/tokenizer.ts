// Tokenizer for the emulator's CEL subset (attribute mappings and conditions of Workload
// Identity providers): identifiers, string/number/bool/null literals and operators
// (including `?`/`:` of the conditional and `(`/`,` of calls).

export type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, operator text, or the decoded literal (as text for numbers). */
  readonly text: string;
  /** Offset in the source, for error messages. */
  readonly pos: number;
}

const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '+',
  '-',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '?',
  ':',
];
const ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '?': '?',
  '`': '`',
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Thrown for any syntax or evaluation problem; the message names the offset or the field. */
export class CelError extends Error {
  override readonly name = 'CelError';
}

// Splits an expression into tokens; raises CelError on an unknown character or open string.
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const raw = (c === 'r' || c === 'R') && /['"]/.test(source.charAt(i + 1));
    if (raw) {
      // r'...' / r"...": no escapes, as CEL's raw strings (handy for matches() patterns).
      const quote = source.charAt(i + 1);
      const end = source.indexOf(quote, i + 2);
      if (end === -1) throw new CelError(`unterminated string starting at offset ${i}`);
      tokens.push({ kind: 'string', text: source.slice(i + 2, end), pos: i });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
      const text = m?.[0] ?? c;
      tokens.push({ kind: 'ident', text, pos: i });
      i += text.length;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?u?/.exec(source.slice(i));
      const text = m?.[0] ?? c;
      tokens.push({ kind: 'number', text: text.replace(/u$/, ''), pos: i });
      i += text.length;
      continue;
    }
    if (c === "'" || c === '"') {
      const [value, end] = readString(source, i, c);
      tokens.push({ kind: 'string', text: value, pos: i });
      i = end;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) throw new CelError(`unexpected character '${c}' at offset ${i}`);
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: source.length });
  return tokens;
}

function readString(source: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source.charAt(i);
    if (c === quote) return [out, i + 1];
    if (c === '\\') {
      const next = source.charAt(i + 1);
      const mapped = ESCAPES[next];
      if (mapped === undefined) throw new CelError(`unsupported escape '\\${next}' at offset ${i}`);
      out += mapped;
      i += 2;
      continue;
    }
    out += c;
    i += 1;
  }
  throw new CelError(`unterminated string starting at offset ${start}`);
}
