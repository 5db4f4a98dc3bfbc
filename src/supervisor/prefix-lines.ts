// Copies a child's output to teeinit's stdout/stderr with `[name] ` before every line,
// masking secret values line by line (a value cut by the MAX_LINE split is not masked).
// Bounded: a line longer than MAX_LINE is cut and written in pieces, each prefixed, and the
// child is paused while the target is not draining (backpressure instead of buffering).
import type { Readable } from 'node:stream';

/** Longest line kept in memory before it is written in pieces. */
export const MAX_LINE = 64 * 1024;

const NEWLINE = 0x0a;

/**
 * Pipes `source` to `target` with a prefix per line; resolves when the source has ended.
 * `redact` sees each line (or piece of a long one) before it is written.
 */
export function prefixLines(
  source: Readable,
  target: NodeJS.WritableStream,
  prefix: string,
  redact: (line: Buffer) => Buffer = (line) => line,
): Promise<void> {
  const head = Buffer.from(prefix, 'utf8');
  const tail = Buffer.from([NEWLINE]);
  let pending: Buffer[] = [];
  let pendingLength = 0;

  const write = (parts: Buffer[]): void => {
    if (!target.write(Buffer.concat([head, redact(Buffer.concat(parts)), tail]))) {
      source.pause();
      target.once('drain', () => source.resume());
    }
  };

  // Adds to the pending line, writing it out in MAX_LINE pieces when it grows too long.
  const append = (part: Buffer): void => {
    let rest = part;
    while (pendingLength + rest.length > MAX_LINE) {
      const take = MAX_LINE - pendingLength;
      write([...pending, rest.subarray(0, take)]);
      pending = [];
      pendingLength = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingLength += rest.length;
    }
  };

  const onData = (chunk: Buffer): void => {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      append(chunk.subarray(start, nl));
      write(pending);
      pending = [];
      pendingLength = 0;
      start = nl + 1;
    }
    append(chunk.subarray(start));
  };

  return new Promise<void>((resolve) => {
    const finish = (): void => {
      source.off('data', onData);
      if (pendingLength > 0) write(pending);
      pending = [];
      pendingLength = 0;
      resolve();
    };
    source.on('data', onData);
    source.once('end', finish);
    source.once('close', finish);
    // A read error ends the copy; the child's exit is what the supervisor acts on.
    source.once('error', finish);
  });
}
