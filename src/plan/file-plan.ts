// Which files go into the secrets directory, under which name, mode and owner, and in
// which order: TLS private keys, then certificates, then other secrets and keys, then
// rendered templates (a reader of a new certificate always finds its key already there).
import { join } from 'node:path';
import { secretsBehind } from '../config/refresh-dependencies.js';
import type { TemplateReference } from '../config/template-references.js';
import type { Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';
import type { FileSource, PlannedFile } from './types.js';

/** Why: the three namespaces a template name can point into must not overlap. */
export function kindOf(config: Config, name: string): FileSource | undefined {
  const kinds: FileSource[] = [];
  if (Object.hasOwn(config.secrets, name)) kinds.push('secret');
  if (Object.hasOwn(config.keys, name)) kinds.push('key');
  if (Object.hasOwn(config.templates, name)) kinds.push('template');
  if (kinds.length > 1) {
    throw new TeeinitError(
      'TEEINIT_CONFIG_REFERENCE',
      `"${name}" is declared as more than one of ${kinds.join(', ')}; templates cannot tell which is meant. Rename one.`,
    );
  }
  return kinds[0];
}

/**
 * Why: only what is used (or explicitly listed) is written. The loader completed
 * `files.entries` with every `{{ file NAME }}` target and template, so that is the list,
 * returned in write order; an undeclared name fails here. `references` (the loader's)
 * tell which secrets each file is made from.
 */
export function planFiles(
  config: Config,
  references: readonly TemplateReference[] = [],
): PlannedFile[] {
  const tlsKeys = new Set(Object.values(config.tls).map((b) => b.key));
  const tlsCerts = new Set(Object.values(config.tls).map((b) => b.cert));
  const planned: { file: PlannedFile; rank: number }[] = [];
  const byFileName = new Map<string, string>();
  for (const [from, entry] of Object.entries(config.files.entries)) {
    const kind = kindOf(config, from);
    if (kind === undefined) {
      throw new TeeinitError(
        'TEEINIT_TEMPLATE_INVALID',
        `"${from}" is used as a file but is not a declared secret, key or template.`,
        { fields: { name: from } },
      );
    }
    const fileName = entry.name;
    const clash = byFileName.get(fileName);
    if (clash !== undefined) {
      throw new TeeinitError(
        'TEEINIT_CONFIG_INVALID',
        `files.entries: "${clash}" and "${from}" would both be written as ${fileName}.`,
      );
    }
    byFileName.set(fileName, from);
    const file: PlannedFile = {
      from,
      kind,
      fileName,
      path: join(config.files.dir, fileName),
      mode: entry.mode,
      ...(entry.owner === undefined ? {} : { owner: entry.owner }),
      ...(entry.group === undefined ? {} : { group: entry.group }),
      encoding: kind === 'key' ? entry.encoding : 'raw',
      secrets: secretsBehind(config, references, from),
    };
    // 0 TLS private keys, 1 certificates, 2 other secrets and keys, 3 templates.
    const rank = kind === 'template' ? 3 : tlsKeys.has(from) ? 0 : tlsCerts.has(from) ? 1 : 2;
    planned.push({ file, rank });
  }
  return planned
    .sort((a, b) => a.rank - b.rank || compare(a.file.from, b.file.from))
    .map((p) => p.file);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
