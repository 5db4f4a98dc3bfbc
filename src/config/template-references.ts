// Finds every template reference in the config: processes' run and env, and templates'
// content or source file (read from the image at validate time). Collected once per load:
// the rules check this list and `files.entries` is completed from it.
import { readFileSync } from 'node:fs';
import { TeeinitError } from '../errors/index.js';
import { formatPath } from './format-issues.js';
import {
  parseTemplate,
  type RenderTarget,
  type TemplateFilter,
  type TemplatePart,
} from './template-syntax.js';
import type { Config } from './types.js';

export interface TemplateReference {
  readonly kind: 'file' | 'value' | 'env';
  readonly name: string;
  /** Key path of the string holding the reference, e.g. `processes[0].run[3]`. */
  readonly where: string;
  /** Whether `value` is allowed there (the process's or template's `allowValue`). */
  readonly allowValue: boolean;
  /** `process` or `template`, and its name. */
  readonly owner: { readonly kind: 'process' | 'template'; readonly name: string };
  /** Where the text is rendered: a config file, an argv element or an env value. */
  readonly target: RenderTarget;
  /** The encoding after `|`, if any. */
  readonly filter?: TemplateFilter;
}

/** Template text of a `templates` entry: inline `content`, or the `source` file's text. */
export function readTemplateText(config: Config, name: string): string {
  const t = config.templates[name];
  if (!t) throw new TeeinitError('TEEINIT_INTERNAL', `Unknown template ${name}.`);
  if (t.content !== undefined) return t.content;
  const where = formatPath(['templates', name, 'source']);
  try {
    return readFileSync(t.source ?? '', 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new TeeinitError(
      'TEEINIT_TEMPLATE_INVALID',
      `${where}: cannot read the template file (${code}).`,
      { cause, fields: { where }, hint: 'Bake the template file into the image at that path.' },
    );
  }
}

/**
 * Every reference, in config order; throws TEEINIT_TEMPLATE_INVALID on bad syntax. `texts`
 * receives each template's text as read here, the one read of its source file.
 */
export function collectReferences(
  config: Config,
  texts: Map<string, string> = new Map(),
): TemplateReference[] {
  const refs: TemplateReference[] = [];
  const add = (
    parts: TemplatePart[],
    where: string,
    owner: TemplateReference['owner'],
    allowValue: boolean,
    target: RenderTarget,
  ): void => {
    for (const p of parts) {
      if (p.kind === 'text') continue;
      const { kind, name, filter } = p;
      refs.push({
        kind,
        name,
        where,
        allowValue,
        owner,
        target,
        ...(filter === undefined ? {} : { filter }),
      });
    }
  };
  config.processes.forEach((proc, i) => {
    const owner = { kind: 'process', name: proc.name } as const;
    proc.run.forEach((arg, j) => {
      const where = formatPath(['processes', i, 'run', j]);
      add(parseTemplate(arg, where), where, owner, proc.allowValue, 'argv');
    });
    for (const [key, value] of Object.entries(proc.env)) {
      const where = formatPath(['processes', i, 'env', key]);
      add(parseTemplate(value, where), where, owner, proc.allowValue, 'env');
    }
  });
  for (const [name, t] of Object.entries(config.templates)) {
    if ((t.source === undefined) === (t.content === undefined)) continue; // reported by the rule
    const where = formatPath(['templates', name, t.content !== undefined ? 'content' : 'source']);
    const text = readTemplateText(config, name);
    texts.set(name, text);
    add(parseTemplate(text, where), where, { kind: 'template', name }, t.allowValue, 'file');
  }
  return refs;
}
