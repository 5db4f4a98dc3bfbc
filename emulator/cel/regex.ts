// RE2 patterns of CEL's `matches()` on top of JS RegExp. The common subset is translated
// (`(?P<name>`, leading `(?i)`/`(?s)`/`(?m)`, `\A`, `\z`, `\Q…\E`); constructs JS has but RE2
// lacks (lookaround, backreferences) and RE2-only ones (POSIX classes, `\C`, inline flags
// after the start, ungreedy mode) are refused with a CelError rather than silently differing.
import { CelError } from './tokenizer.js';

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 128;

// Compiles an RE2 pattern into an equivalent unanchored JS RegExp (matches() is a search).
export function compileRe2(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  const { source, flags } = translate(pattern);
  const re = construct(pattern, source, flags);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}

function refuse(pattern: string, what: string): never {
  throw new CelError(`invalid RE2 regular expression '${pattern}': ${what}`);
}

function construct(pattern: string, source: string, flags: string): RegExp {
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    // Without the `u` flag JS accepts RE2's escapes of any punctuation (e.g. `\-`, `\#`).
    try {
      return new RegExp(source, flags);
    } catch (error) {
      return refuse(pattern, error instanceof Error ? error.message : String(error));
    }
  }
}

function translate(pattern: string): { source: string; flags: string } {
  let flags = '';
  let i = 0;
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (lead?.[1] !== undefined) {
    for (const f of lead[1]) {
      if (!'ism'.includes(f)) refuse(pattern, `flag '${f}' is not supported by the emulator`);
      if (!flags.includes(f)) flags += f;
    }
    i = lead[0].length;
  }
  let out = '';
  let inClass = false;
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const n = pattern.charAt(i + 1);
      if (/[1-9]/.test(n)) refuse(pattern, 'backreferences are not part of RE2');
      if (n === 'k') refuse(pattern, 'named backreferences are not part of RE2');
      if (n === 'C') refuse(pattern, '\\C is not supported by the emulator');
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const literal = pattern.slice(i + 2, end === -1 ? pattern.length : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end === -1 ? pattern.length : end + 2;
        continue;
      }
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && n === 'z') out += '(?![\\s\\S])';
      else out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      i += 1;
      continue;
    }
    if (c === '[') {
      if (pattern.startsWith('[[:', i) || pattern.startsWith('[^[:', i))
        refuse(pattern, 'POSIX classes like [[:alpha:]] are not supported by the emulator');
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in RE2.
      const start = pattern.charAt(i + 1) === '^' ? 2 : 1;
      out += pattern.slice(i + 1, i + start);
      i += start;
      if (pattern.charAt(i) === ']') {
        out += '\\]';
        i += 1;
      }
      continue;
    }
    if (c === '(' && pattern.charAt(i + 1) === '?') {
      const rest = pattern.slice(i + 2);
      if (/^(=|!|<=|<!)/.test(rest)) refuse(pattern, 'lookaround assertions are not part of RE2');
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (!rest.startsWith(':') && !rest.startsWith('<'))
        refuse(pattern, 'inline flags are only supported at the start of the pattern');
    }
    out += c;
    i += 1;
  }
  return { source: out, flags };
}
