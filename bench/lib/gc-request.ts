// Bench helper: under `node --expose-gc`, SIGUSR2 runs a full GC and then prints "GC" on
// stdout, so proxy-rss.ts reads memory that is retained rather than garbage not yet collected.

/** Why: the same request works for teeinit's proxy process and for the anchor. */
export function onGcRequest(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return;
  process.on('SIGUSR2', () => {
    gc();
    // Freed V8 pages are unmapped by background tasks, a while after the GC: wait, collect
    // again, wait again. With 200 ms instead of 1.5 s, RSS after GC swung by 20 MB.
    setTimeout(() => {
      gc();
      setTimeout(() => process.stdout.write('GC\n'), 1000);
    }, 1500);
  });
}
