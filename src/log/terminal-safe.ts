// What a log or error line may carry to a terminal: values from outside (a file name, a
// server's answer, a child's output) can hold characters a terminal acts on (ESC starts a
// sequence that can retitle the window or rewrite the screen, the bidirectional overrides
// reorder what a reader sees). They are shown as `\uXXXX`; the line stays valid JSON when
// it was JSON, since such characters can only stand inside its strings.

/** C0 and C1 controls, DEL, the line/paragraph separators and the bidirectional overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every character of TERMINAL_CONTROLS escaped as `\uXXXX`. */
export function terminalSafe(text: string): string {
  return text.replace(
    TERMINAL_CONTROLS,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
