// Bench helper: under `node --expose-gc`, SIGUSR2 runs a full GC and then prints "GC" on
// stdout, so proxy-rss.ts reads memory that is retained rather than garbage not yet collected.

/** Why: the same request works for teeinit's proxy process and for the anchor. */
export function onGcRequest(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return;
  process.on('SIGUSR2', () => {
    gc();
    // Freed V8 pages are unmapped by a background task: give it a moment, then once more.
    setTimeout(() => {
      gc();
      setTimeout(() => process.stdout.write('GC\n'), 500);
    }, 200);
  });
}
