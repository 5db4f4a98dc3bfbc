// Shows a template string the way the plan prints it: file references become their path,
// value references a placeholder, env references the resolved override. Never a secret.
import { filePath } from '../config/complete-files.js';
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
      switch (part.kind) {
        case 'text':
          return part.text;
        case 'file':
          return filePath(config, part.name);
        case 'value':
          return `<value of ${part.name}>`;
        case 'env':
          return overrides[part.name] ?? `<env ${part.name}>`;
      }
    })
    .join('');
}
