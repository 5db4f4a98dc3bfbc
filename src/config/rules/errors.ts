// Error builders for cross-field rules: every message starts with the key path.
import { TeeinitError } from '../../errors/index.js';
import { formatPath } from '../format-issues.js';

/** A value that is well-typed but not acceptable (TEEINIT_CONFIG_INVALID). */
export function invalidAt(path: string, message: string): TeeinitError {
  return new TeeinitError('TEEINIT_CONFIG_INVALID', `${path}: ${message}`, { fields: { path } });
}

/** A name that is not declared (TEEINIT_CONFIG_REFERENCE). */
export function unknownAt(
  path: string,
  kind: string,
  name: string,
  declared: string[],
): TeeinitError {
  const list = declared.length ? `declared: ${declared.slice(0, 10).join(', ')}` : `none declared`;
  return new TeeinitError(
    'TEEINIT_CONFIG_REFERENCE',
    `${path}: ${kind} "${name}" is not declared (${list})`,
    { fields: { path, name } },
  );
}

/** Renders `section.name.key` with the same quoting as schema errors. */
export function keyPath(...segments: (string | number)[]): string {
  return formatPath(segments);
}
