// After load, `files.entries` lists every file teeinit writes: the declared entries, plus
// one with defaults for each `{{ file NAME }}` target and each template. The plan
// (src/plan/file-plan.ts) lists exactly these, and materialize writes them.
import { deepFreeze } from './deep-freeze.js';
import { fileNameTaken } from './rules/files.js';
import { collectReferences, type TemplateReference } from './template-references.js';
import type { Config, FileEntryConfig } from './types.js';

/**
 * Returns a new frozen config whose `files.entries` is complete. `references` are the
 * ones the rules collected (default: collected here, reading template sources). An added
 * entry whose file name another entry already uses is a TEEINIT_CONFIG_INVALID.
 */
export function completeFileEntries(
  config: Config,
  references: readonly TemplateReference[] = collectReferences(config),
): Config {
  const entries: Record<string, FileEntryConfig> = { ...config.files.entries };
  const wanted = [
    ...references.filter((r) => r.kind === 'file').map((r) => r.name),
    ...Object.keys(config.templates),
  ];
  let added = false;
  for (const name of wanted) {
    if (entries[name] !== undefined) continue;
    entries[name] = { name, mode: config.files.defaultMode, encoding: 'raw' };
    added = true;
  }
  if (added) assertUniqueFileNames(entries);
  return deepFreeze({ ...config, files: { ...config.files, entries } });
}

// checkFiles passed the declared entries, so only an added one can clash; walked in the
// entries' own order so the entry named in the error does not depend on how it was found.
function assertUniqueFileNames(entries: Readonly<Record<string, FileEntryConfig>>): void {
  const byFileName = new Map<string, string>();
  for (const [from, e] of Object.entries(entries)) {
    const other = byFileName.get(e.name);
    if (other !== undefined) throw fileNameTaken(from, other);
    byFileName.set(e.name, from);
  }
}
