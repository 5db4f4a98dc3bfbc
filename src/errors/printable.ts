// How text that came from outside teeinit (a key of the config file, an argument of the
// command line) is shown in a message: printable ASCII only, anything else escaped, and
// cut to a bound, so a hostile input can neither flood a log line nor carry a newline or
// a terminal escape sequence into it.

/** The most characters of one outside string a message shows (before escaping). */
export const MAX_SHOWN = 64;

/**
 * `text` with `\`, `"` and every character outside printable ASCII escaped (`\n`, `\t`,
 * `\u001b`, `\u202e`…), cut after `max` characters with `...(N chars)` saying how long it was.
 * @example printable('a\nb') // 'a\\nb'
 */
export function printable(text: string, max = MAX_SHOWN): string {
  const chars = [...text];
  const shown = chars.slice(0, max).map(escapeChar).join('');
  return chars.length > max ? `${shown}...(${chars.length} chars)` : shown;
}

function escapeChar(c: string): string {
  if (c === '\\' || c === '"') return `\\${c}`;
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const code = c.codePointAt(0) ?? 0;
  if (code >= 0x20 && code <= 0x7e) return c;
  return unicodeEscape(c);
}

/** `\uXXXX`, or `\u{XXXXX}` beyond the BMP. */
function unicodeEscape(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

// What a log or error line may carry to a terminal: values from outside (a file name, a
// server's answer) can hold characters a terminal acts on (ESC starts a sequence that can
// retitle the window or rewrite the screen; the bidirectional overrides reorder what a
// reader sees). terminalSafe shows them as `\uXXXX` and leaves the rest as it is, so a JSON
// line stays valid JSON (such characters can only stand inside its strings).

/** C0 and C1 controls, DEL, the line/paragraph separators and the bidirectional overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every character of TERMINAL_CONTROLS escaped as `\uXXXX`. */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROLS, unicodeEscape);
}
