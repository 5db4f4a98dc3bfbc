// Error builders for cross-field rules: every message starts with the key path and holds
// key paths only, never a value of the file: a name that is not declared is not shown (it
// is a value, not a key path); names that are declared are shown as their key path.
import { TeeinitError } from '../../errors/index.js';
import { formatPath } from '../format-issues.js';

/** A value that is well-typed but not acceptable (TEEINIT_CONFIG_INVALID). */
export function invalidAt(path: string, message: string): TeeinitError {
  return new TeeinitError('TEEINIT_CONFIG_INVALID', `${path}: ${message}`, { fields: { path } });
}

/** A name that is not declared (TEEINIT_CONFIG_REFERENCE); lists what is (key names). */
export function unknownAt(path: string, kind: string, declared: string[]): TeeinitError {
  const shown = declared.slice(0, 10).map((d) => keyPath(d));
  const more = declared.length > shown.length ? ', ...' : '';
  const list = declared.length ? `declared: ${shown.join(', ')}${more}` : `none declared`;
  return new TeeinitError(
    'TEEINIT_CONFIG_REFERENCE',
    `${path}: names a ${kind} that is not declared (${list})`,
    { fields: { path } },
  );
}

/** Renders `section.name.key` with the same quoting as schema errors. */
export function keyPath(...segments: (string | number)[]): string {
  return formatPath(segments);
}
