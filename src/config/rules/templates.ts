// Template references must resolve: `file` to a secret/key/template, `value` to a
// secret/key where `allowValue` is set, `env` to an allow-listed override. Key shares are
// never exposed; a template cannot render its own path or another template's value.
import { TeeinitError } from '../../errors/index.js';
import type { TemplateReference } from '../template-references.js';
import type { Config } from '../types.js';
import { invalidAt, keyPath, unknownAt } from './errors.js';
import type { ReferencesOf } from './index.js';
import { shareNames } from './keys.js';

// Checks each template's shape and every reference in processes and templates.
export function checkTemplates(config: Config, warnings: string[], references: ReferencesOf): void {
  for (const [name, t] of Object.entries(config.templates)) {
    if ((t.source === undefined) === (t.content === undefined)) {
      throw invalidAt(keyPath('templates', name), 'expected exactly one of `source` or `content`');
    }
  }
  const shares = shareNames(config);
  const warnedValue = new Set<string>();
  for (const ref of references()) {
    checkReference(config, ref, shares);
    if (ref.kind === 'value' && ref.owner.kind === 'process' && !warnedValue.has(ref.owner.name)) {
      warnedValue.add(ref.owner.name);
      warnings.push(
        `process "${ref.owner.name}" receives secret values in argv/env ({{ value }}); other local processes may read them via /proc`,
      );
    }
  }
}

function checkReference(config: Config, ref: TemplateReference, shares: Set<string>): void {
  const { kind, name, where } = ref;
  if (kind === 'env') {
    if (!config.overrides.env[name]) {
      throw new TeeinitError(
        'TEEINIT_TEMPLATE_INVALID',
        `${where}: an {{ env }} reference names a variable that is not listed in overrides.env`,
        {
          fields: { where },
          hint: 'List the variable in `overrides.env` with a `pattern` (operator inputs are untrusted).',
        },
      );
    }
    return;
  }
  const isSecret = config.secrets[name] !== undefined;
  const isKey = config.keys[name] !== undefined;
  const isTemplate = config.templates[name] !== undefined;
  if (kind === 'file' && !isSecret && !isKey && !isTemplate) {
    const declared = [
      ...Object.keys(config.secrets),
      ...Object.keys(config.keys),
      ...Object.keys(config.templates),
    ];
    throw unknownAt(where, 'secret, key or template', declared);
  }
  if (kind === 'value') {
    if (!isSecret && !isKey) {
      throw unknownAt(where, 'secret or key', [
        ...Object.keys(config.secrets),
        ...Object.keys(config.keys),
      ]);
    }
    if (!ref.allowValue) {
      throw new TeeinitError(
        'TEEINIT_TEMPLATE_INVALID',
        `${where}: {{ value }} of ${declaredPath(config, name)} needs \`allowValue: true\` on ${ownerPath(config, ref)}`,
        {
          fields: { where },
          hint: 'Prefer {{ file NAME }}; set allowValue: true only if the program cannot read a file.',
        },
      );
    }
  }
  if (shares.has(name)) {
    throw invalidAt(
      where,
      `${keyPath('secrets', name)} is a key share; shares are only used to derive their key`,
    );
  }
  if (ref.owner.kind === 'template' && kind === 'file' && name === ref.owner.name) {
    throw invalidAt(where, 'a template cannot refer to its own file');
  }
}

// The key path of a declared secret, key or template.
function declaredPath(config: Config, name: string): string {
  if (config.secrets[name] !== undefined) return keyPath('secrets', name);
  if (config.keys[name] !== undefined) return keyPath('keys', name);
  return keyPath('templates', name);
}

// The key path of the process or template a reference sits in.
function ownerPath(config: Config, ref: TemplateReference): string {
  if (ref.owner.kind === 'template') return keyPath('templates', ref.owner.name);
  const i = config.processes.findIndex((p) => p.name === ref.owner.name);
  return keyPath('processes', i);
}
