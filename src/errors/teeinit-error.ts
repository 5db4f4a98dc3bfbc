// The base error of teeinit: a stable code, a message that names the key, secret or
// resource involved (never a secret value), a hint on what to do, and a cause.
import { ERROR_CODES, type ErrorCode } from './codes.js';

export interface TeeinitErrorOptions {
  /** Replaces the registry's default fix for this occurrence. */
  readonly hint?: string;
  readonly cause?: unknown;
  /** Structured, non-secret context for the log line (secret name, collaborator, step). */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
}

/** Every failure teeinit reports to a user is one of these. */
export class TeeinitError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly exitCode: number;
  readonly fields: Readonly<Record<string, string | number | boolean>>;

  constructor(code: ErrorCode, message?: string, options: TeeinitErrorOptions = {}) {
    const spec = ERROR_CODES[code];
    super(message ?? spec.message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'TeeinitError';
    this.code = code;
    this.hint = options.hint ?? spec.fix;
    this.exitCode = spec.exitCode;
    this.fields = options.fields ?? {};
  }
}

/** Narrows unknown throwables; anything that is not a TeeinitError becomes TEEINIT_INTERNAL. */
export function toTeeinitError(error: unknown): TeeinitError {
  if (error instanceof TeeinitError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TeeinitError('TEEINIT_INTERNAL', `Internal error: ${message}`, { cause: error });
}
