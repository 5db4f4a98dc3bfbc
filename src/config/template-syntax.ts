// The one template syntax of teeinit, used in argv, env values and config templates:
//   {{ file NAME }}   path of the file written for secret/key/template NAME
//   {{ value NAME }}  the bytes of secret/key NAME (only where `allowValue: true`)
//   {{ env NAME }}    an operator override allow-listed in `overrides.env`
//   {{ value NAME | base64 }}, `| hex`, `| json`, `| pem`: the same, encoded (template-filters.ts)
//   {{{{              a literal "{{" (the only escape; "}}" alone is plain text)
// Anything else between "{{" and "}}" is an error, never an empty string.
import { TeeinitError } from '../errors/index.js';

/** Encodings a substitution may name after `|`: printable ASCII, or PEM lines (`pem`). */
export const TEMPLATE_FILTERS = ['base64', 'hex', 'json', 'pem'] as const;
export type TemplateFilter = (typeof TEMPLATE_FILTERS)[number];

/** Where a template is rendered: a config file, one argv element, one env value. */
export type RenderTarget = 'file' | 'argv' | 'env';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'file' | 'value' | 'env';
      readonly name: string;
      readonly filter?: TemplateFilter;
    };

const DIRECTIVE =
  /^\s*(file|value|env)\s+([A-Za-z0-9_][A-Za-z0-9._-]*)\s*(?:\|\s*([A-Za-z0-9_-]+)\s*)?$/;
const MAX_DIRECTIVE = 200;

/** Splits a template into text and references; `where` names the config key in errors. */
export function parseTemplate(text: string, where: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, open);
    if (text.startsWith('{{{{', open)) {
      literal += '{{';
      i = open + 4;
      continue;
    }
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      throw invalid(where, 'an unclosed "{{" (write "{{{{" for a literal "{{")');
    }
    const inner = text.slice(open + 2, close);
    const m = inner.length <= MAX_DIRECTIVE ? DIRECTIVE.exec(inner) : null;
    if (!m) {
      throw invalid(
        where,
        'an unknown directive; expected {{ file NAME }}, {{ value NAME }} or {{ env NAME }}',
      );
    }
    const filter = m[3];
    if (filter !== undefined && !isFilter(filter)) {
      throw invalid(
        where,
        `an unknown filter; expected ${TEMPLATE_FILTERS.map((f) => `| ${f}`).join(', ')}`,
      );
    }
    if (literal) parts.push({ kind: 'text', text: literal });
    literal = '';
    const kind = m[1] as 'file' | 'value' | 'env';
    parts.push(filter === undefined ? { kind, name: m[2]! } : { kind, name: m[2]!, filter });
    i = close + 2;
  }
  if (literal) parts.push({ kind: 'text', text: literal });
  return parts;
}

function isFilter(word: string): word is TemplateFilter {
  return (TEMPLATE_FILTERS as readonly string[]).includes(word);
}

function invalid(where: string, what: string): TeeinitError {
  // The template text may sit next to operator input: name the key, not the text.
  return new TeeinitError('TEEINIT_TEMPLATE_INVALID', `${where}: template has ${what}.`, {
    fields: { where },
  });
}
