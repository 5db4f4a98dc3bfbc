// How a failure reaches the user: one readable line on stderr, then one JSON log line
// (for Cloud Logging) with the code and the error's non-secret fields.
import { toTeeinitError, type TeeinitError } from '../errors/index.js';
import { Logger } from '../log/index.js';

/** Writes the error to `stderr` and returns it as a TeeinitError (for its exit code). */
export function reportError(error: unknown, stderr: NodeJS.WritableStream): TeeinitError {
  const err = toTeeinitError(error);
  const message = oneLine(err.message);
  stderr.write(`teeinit: ${err.code}: ${message} (fix: ${oneLine(err.hint)})\n`);
  new Logger({ format: 'json', stderr, stdout: stderr }).error(message, {
    code: err.code,
    exitCode: err.exitCode,
    ...err.fields,
  });
  return err;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
