// How a failure reaches the user: one readable line on stderr, then one JSON log line
// (for Cloud Logging) with the code and the error's non-secret fields. Both pass through
// the redactor: a message may quote a server's answer, and a server may echo a secret.
import { terminalSafe, toTeeinitError, type TeeinitError } from '../errors/index.js';
import { Logger, Redactor } from '../log/index.js';

/**
 * Writes the error to `stderr` and returns it as a TeeinitError (for its exit code).
 * `redactor`: the one of the run's logger, which holds the secrets the run has seen.
 */
export function reportError(
  error: unknown,
  stderr: NodeJS.WritableStream,
  redactor: Redactor = new Redactor(),
): TeeinitError {
  const err = toTeeinitError(error);
  // Before joining lines (a multi-line value is matched as a whole) and after (per line).
  const message = oneLine(redactor.redact(err.message));
  const hint = oneLine(redactor.redact(err.hint));
  stderr.write(redactor.redact(`teeinit: ${err.code}: ${message} (fix: ${hint})`) + '\n');
  new Logger({ format: 'json', stderr, stdout: stderr, redactor }).error(message, {
    code: err.code,
    exitCode: err.exitCode,
    ...err.fields,
  });
  return err;
}

/** One line, without the characters a terminal acts on (errors/printable.ts). */
function oneLine(text: string): string {
  return terminalSafe(text.replace(/\s*\n\s*/g, ' ').trim());
}
