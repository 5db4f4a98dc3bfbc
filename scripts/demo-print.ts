// How the demo writes to the terminal: numbered steps in bold, indented sentences, dimmed
// details, durations in the same format everywhere. Plain text when stdout is not a TTY.
const tty = process.stdout.isTTY;
let stepNo = 0;

/** Bold on a terminal, unchanged otherwise. */
export const bold = (s: string): string => (tty ? `\x1b[1m${s}\x1b[0m` : s);

/** Dimmed on a terminal (details a reader may skip), unchanged otherwise. */
export const dim = (s: string): string => (tty ? `\x1b[2m${s}\x1b[0m` : s);

// Why: the steps are what a newcomer reads first; numbering shows the order of the flow.
/** Starts the next numbered step. */
export function step(title: string): void {
  stepNo += 1;
  console.log(`\n${bold(`${stepNo}. ${title}`)}`);
}

/** One sentence under the current step; `indent` adds two spaces per level. */
export function say(text: string, indent = 0): void {
  console.log(`   ${'  '.repeat(indent)}${text}`);
}

/** A sentence followed by how long it took. */
export function sayMs(text: string, ms: number | string): void {
  say(`${text} ${dim(`(${formatMs(Number(ms))})`)}`);
}

/** 314 ms, 1.5 s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
