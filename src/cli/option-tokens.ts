// What every command line of teeinit shares: node's parseArgs errors cut to their first
// sentence and echoed only escaped, and each option accepted once (a second value would
// otherwise silently win, as a second `-c` once picked another config file).
import { printable, TeeinitError } from '../errors/index.js';

/** Why: one TEEINIT_USAGE error for every parser. */
export function usage(message: string, cause?: unknown): TeeinitError {
  return new TeeinitError('TEEINIT_USAGE', message, cause === undefined ? {} : { cause });
}

/** Why: parseArgs' message ends with advice about `--` that teeinit refuses anyway. */
export function parseArgsFailure(cause: unknown): TeeinitError {
  // Keep node's first sentence ("Unknown option '--x'."), drop its advice about `--`.
  const msg = cause instanceof Error ? (cause.message.split(/\.\s/)[0] ?? '') : '';
  return usage(printable(msg.replace(/\.$/, ''), 200) || 'invalid arguments', cause);
}

/** Throws on the first option given twice before any `--`; returns the names seen. */
export function rejectRepeatedOptions(
  tokens: readonly { readonly kind: string; readonly name?: string }[],
): Set<string> {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'option-terminator') break;
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (seen.has(token.name)) {
      throw usage(`option --${token.name} is given more than once; each option is accepted once`);
    }
    seen.add(token.name);
  }
  return seen;
}
