// Shows a template string the way the plan prints it: file references become their path,
// value references a placeholder, env references the resolved override. Never a secret.
import { filePath } from '../config/complete-files.js';
import { applyFilter } from '../config/template-filters.js';
import { parseTemplate } from '../config/template-syntax.js';
import type { Config } from '../config/types.js';

/** The preview of one argv element or env value (`where` names it in syntax errors). */
export function previewTemplate(
  config: Config,
  overrides: Readonly<Record<string, string>>,
  text: string,
  where: string,
): string {
  return parseTemplate(text, where)
    .map((part) => {
      if (part.kind === 'text') return part.text;
      const encode = (shown: string): string =>
        part.filter === undefined
          ? shown
          : (applyFilter(part.filter, Buffer.from(shown, 'utf8'), shown) ??
            `<${part.kind} ${part.name} | ${part.filter}>`);
      switch (part.kind) {
        case 'file':
          return encode(filePath(config, part.name));
        case 'value':
          return `<value of ${part.name}${part.filter === undefined ? '' : ` | ${part.filter}`}>`;
        case 'env': {
          const value = overrides[part.name];
          return value === undefined ? `<env ${part.name}>` : encode(value);
        }
      }
    })
    .join('');
}
