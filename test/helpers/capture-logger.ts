// A real Logger whose JSON lines are kept in memory, so tests can assert on what was logged
// and grep it for secret values.
import { Logger, Redactor } from '../../src/log/index.js';

/** A capturing logger and what it wrote so far. */
export interface CapturedLog {
  readonly logger: Logger;
  /** Everything written, raw. */
  readonly text: () => string;
  /** Each written JSON line, parsed. */
  readonly records: () => Record<string, unknown>[];
}

/**
 * A DEBUG-level JSON Logger writing stdout and stderr into one buffer. With `unmasked`, its
 * redactor keeps nothing the stages register: a test then proves nothing secret is logged
 * rather than that it is masked. `onLine` runs synchronously on every line as it is written.
 */
export function captureLogger(
  options: { redactor?: Redactor; unmasked?: boolean; onLine?: (line: string) => void } = {},
): CapturedLog {
  let text = '';
  const sink = {
    write: (chunk: string): boolean => {
      text += chunk;
      options.onLine?.(String(chunk));
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const logger = new Logger({
    level: 'DEBUG',
    format: 'json',
    stdout: sink,
    stderr: sink,
    ...(options.unmasked === true ? { redactor: new Unmasked() } : {}),
    ...(options.redactor === undefined ? {} : { redactor: options.redactor }),
  });
  return {
    logger,
    text: () => text,
    records: () =>
      text
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A redactor that registers nothing, so a leak shows up in the captured text. */
class Unmasked extends Redactor {
  override add(): void {
    // kept empty on purpose
  }
}
