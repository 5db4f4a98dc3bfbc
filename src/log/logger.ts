// One structured logger: one JSON object per line with `severity` and `message`
// (Cloud Logging's names), info on stdout and warnings/errors on stderr, human lines on a TTY.
import { Redactor } from './redactor.js';
import { terminalSafe } from '../errors/printable.js';

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';
export type LogFields = Readonly<Record<string, unknown>>;

const RANK: Record<Severity, number> = {
  DEBUG: 0,
  INFO: 1,
  NOTICE: 2,
  WARNING: 3,
  ERROR: 4,
  CRITICAL: 5,
};

export interface LoggerOptions {
  readonly level?: Severity;
  /** `json` (default when not a TTY) or `text` (default on a TTY). */
  readonly format?: 'json' | 'text';
  readonly stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr?: NodeJS.WritableStream;
  /** Default: a new, empty one. Children share their parent's. */
  readonly redactor?: Redactor;
  /** Fields added to every line (e.g. `component`). */
  readonly base?: LogFields;
}

/** The logger every stage receives; `child` adds fixed fields. */
export class Logger {
  readonly #level: Severity;
  readonly #format: 'json' | 'text';
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream;
  readonly #redactor: Redactor;
  readonly #base: LogFields;

  constructor(options: LoggerOptions = {}) {
    const stdout = options.stdout ?? process.stdout;
    this.#stdout = stdout;
    this.#stderr = options.stderr ?? process.stderr;
    this.#level = options.level ?? 'INFO';
    this.#format = options.format ?? (stdout.isTTY === true ? 'text' : 'json');
    this.#redactor = options.redactor ?? new Redactor();
    this.#base = options.base ?? {};
  }

  /** What masks secret values in this logger's lines; also used for output teeinit relays. */
  get redactor(): Redactor {
    return this.#redactor;
  }

  child(fields: LogFields): Logger {
    return new Logger({
      level: this.#level,
      format: this.#format,
      stdout: this.#stdout,
      stderr: this.#stderr,
      redactor: this.#redactor,
      base: { ...this.#base, ...fields },
    });
  }

  debug(message: string, fields?: LogFields): void {
    this.log('DEBUG', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('INFO', message, fields);
  }
  notice(message: string, fields?: LogFields): void {
    this.log('NOTICE', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('WARNING', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('ERROR', message, fields);
  }

  #mask(record: Record<string, unknown>): Record<string, unknown> {
    return maskStrings(record, (text) => this.#redactor.redact(text)) as Record<string, unknown>;
  }

  log(severity: Severity, message: string, fields: LogFields = {}): void {
    if (RANK[severity] < RANK[this.#level]) return;
    // String fields are masked before serializing too: JSON escapes a value holding a quote,
    // a backslash or a newline, and the escaped form would no longer match its needle.
    const record = this.#mask({
      severity,
      message,
      time: new Date().toISOString(),
      ...this.#base,
      ...fields,
    });
    const line = this.#format === 'json' ? JSON.stringify(record) : formatText(record);
    const stream = RANK[severity] >= RANK.WARNING ? this.#stderr : this.#stdout;
    stream.write(terminalSafe(this.#redactor.redact(line)) + '\n');
  }
}

function maskStrings(value: unknown, redact: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, redact, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, maskStrings(v, redact, depth + 1)]),
  );
}

function formatText(record: Record<string, unknown>): string {
  const { severity, message, time, ...rest } = record;
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(time)} ${String(severity).padEnd(7)} ${String(message)}${extra ? '  ' + extra : ''}`;
}

/** A logger that discards everything (tests of pure stages). */
export function silentLogger(): Logger {
  return new Logger({ level: 'CRITICAL', stdout: devNull(), stderr: devNull() });
}

function devNull(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
