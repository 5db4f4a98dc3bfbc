// Which files go into the secrets directory, under which name, mode and owner, and in
// which order: TLS private keys, then certificates, then other secrets and keys, then
// rendered templates (a reader of a new certificate always finds its key already there).
import type { Config } from '../config/types.js';
import { TeeinitError } from '../errors/index.js';

export type SourceKind = 'secret' | 'key' | 'template';

/** One file to write. `ref` is the config name used in `{{ file NAME }}`. */
export interface PlannedFile {
  readonly ref: string;
  readonly kind: SourceKind;
  readonly fileName: string;
  readonly mode: number;
  readonly owner?: string;
  readonly group?: string;
  readonly encoding: 'raw' | 'hex';
  /** 0 TLS private keys, 1 certificates, 2 other secrets and keys, 3 templates. */
  readonly rank: number;
}

/** Why: the three namespaces a template name can point into must not overlap. */
export function kindOf(config: Config, name: string): SourceKind | undefined {
  const kinds: SourceKind[] = [];
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
 * `files.entries` with every `{{ file NAME }}` target and template, so that is the list;
 * an undeclared name fails here.
 */
export function planFiles(config: Config): PlannedFile[] {
  const tlsKeys = new Set(Object.values(config.tls).map((b) => b.key));
  const tlsCerts = new Set(Object.values(config.tls).map((b) => b.cert));
  const planned: PlannedFile[] = [];
  const byFileName = new Map<string, string>();
  for (const [ref, entry] of Object.entries(config.files.entries)) {
    const kind = kindOf(config, ref);
    if (kind === undefined) {
      throw new TeeinitError(
        'TEEINIT_TEMPLATE_INVALID',
        `"${ref}" is used as a file but is not a declared secret, key or template.`,
        { fields: { name: ref } },
      );
    }
    const fileName = entry.name;
    const clash = byFileName.get(fileName);
    if (clash !== undefined) {
      throw new TeeinitError(
        'TEEINIT_CONFIG_INVALID',
        `files.entries: "${clash}" and "${ref}" would both be written as ${fileName}.`,
      );
    }
    byFileName.set(fileName, ref);
    const rank = kind === 'template' ? 3 : tlsKeys.has(ref) ? 0 : tlsCerts.has(ref) ? 1 : 2;
    planned.push({
      ref,
      kind,
      fileName,
      mode: entry.mode,
      ...(entry.owner === undefined ? {} : { owner: entry.owner }),
      ...(entry.group === undefined ? {} : { group: entry.group }),
      encoding: kind === 'key' ? entry.encoding : 'raw',
      rank,
    });
  }
  return planned.sort((a, b) => a.rank - b.rank || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}
