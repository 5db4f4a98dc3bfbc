// After load, `files.entries` lists every file teeinit writes: the declared entries, plus
// one with defaults for each `{{ file NAME }}` target and each template. Materialize
// writes exactly these; `filePath` is where `{{ file NAME }}` points.
import { join } from 'node:path';
import { deepFreeze } from './deep-freeze.js';
import { collectReferences } from './template-references.js';
import type { Config, FileEntryConfig } from './types.js';

/** Returns a new frozen config whose `files.entries` is complete. */
export function completeFileEntries(config: Config): Config {
  const entries: Record<string, FileEntryConfig> = { ...config.files.entries };
  const wanted = [
    ...collectReferences(config)
      .filter((r) => r.kind === 'file')
      .map((r) => r.name),
    ...Object.keys(config.templates),
  ];
  for (const name of wanted) {
    entries[name] ??= { name, mode: config.files.defaultMode, encoding: 'raw' };
  }
  return deepFreeze({ ...config, files: { ...config.files, entries } });
}

/** Absolute path of the file written for a secret, key or template. */
export function filePath(config: Config, name: string): string {
  return join(config.files.dir, config.files.entries[name]?.name ?? name);
}
