// File entries: each names a secret, key or template (never a key share); file names are
// unique inside `files.dir`; `encoding: hex` is for keys only.
import type { TeeinitError } from '../../errors/index.js';
import type { Config } from '../types.js';
import { invalidAt, keyPath, unknownAt } from './errors.js';
import { shareNames } from './keys.js';

// Checks `files.dir` and every declared entry (before completion adds the implicit ones).
export function checkFiles(config: Config, _warnings: string[]): void {
  const { dir, entries } = config.files;
  if (dir === '/' || dir.split('/').includes('..')) {
    throw invalidAt('files.dir', 'expected a dedicated absolute directory such as /run/secrets');
  }
  const shares = shareNames(config);
  const declared = [
    ...Object.keys(config.secrets),
    ...Object.keys(config.keys),
    ...Object.keys(config.templates),
  ];
  const fileNames = new Map<string, string>();
  for (const [from, e] of Object.entries(entries)) {
    const at = keyPath('files', 'entries', from);
    if (!declared.includes(from)) throw unknownAt(at, 'secret, key or template', declared);
    if (shares.has(from)) {
      throw invalidAt(at, 'names a key share; shares are never written to files');
    }
    if (e.encoding === 'hex' && !config.keys[from]) {
      throw invalidAt(
        keyPath('files', 'entries', from, 'encoding'),
        'hex is only for derived keys',
      );
    }
    const other = fileNames.get(e.name);
    if (other !== undefined) throw fileNameTaken(from, other);
    fileNames.set(e.name, from);
  }
}

/** Why: two entries written as one file; also raised when completion adds such an entry. */
export function fileNameTaken(from: string, other: string): TeeinitError {
  return invalidAt(
    keyPath('files', 'entries', from, 'name'),
    `the same file name as ${keyPath('files', 'entries', other)}; each entry needs its own file`,
  );
}
