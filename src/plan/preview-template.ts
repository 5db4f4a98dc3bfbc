// A template string as far as it is known before anything is fetched: `{{ file X }}` is its
// path, `{{ env X }}` the resolved override, each through its filter; `{{ value X }}` is
// not known. The plan shows the rest as placeholders; preflight checks what is known.
import { applyFilter } from '../config/template-filters.js';
import { parseTemplate, type TemplatePart } from '../config/template-syntax.js';

type Reference = Extract<TemplatePart, { name: string }>;

/** The plan's preview of one argv element (`where` names it in syntax errors). Never a secret. */
export function previewTemplate(
  text: string,
  where: string,
  paths: ReadonlyMap<string, string>,
  overrides: Readonly<Record<string, string>>,
): string {
  return (
    renderKnown(text, where, paths, overrides, (part, known) => {
      if (part.kind === 'value') {
        return `<value of ${part.name}${part.filter === undefined ? '' : ` | ${part.filter}`}>`;
      }
      // Known but not of its filter's kind (`| pem` of a path), or an override without a value.
      return known === undefined
        ? `<${part.kind} ${part.name}>`
        : `<${part.kind} ${part.name} | ${part.filter ?? ''}>`;
    }) ?? ''
  );
}

/**
 * Why: preflight checks argv[0] and PATH before the fetch; undefined when the text
 * depends on a secret's value (checked when the process is spawned).
 */
export function renderBeforeFetch(
  text: string,
  where: string,
  paths: ReadonlyMap<string, string>,
  overrides: Readonly<Record<string, string>>,
): string | undefined {
  return renderKnown(text, where, paths, overrides, () => undefined);
}

function renderKnown(
  text: string,
  where: string,
  paths: ReadonlyMap<string, string>,
  overrides: Readonly<Record<string, string>>,
  unknown: (part: Reference, known: string | undefined) => string | undefined,
): string | undefined {
  let out = '';
  for (const part of parseTemplate(text, where)) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const known =
      part.kind === 'file'
        ? paths.get(part.name)
        : part.kind === 'env' && Object.hasOwn(overrides, part.name)
          ? overrides[part.name]
          : undefined;
    const shown =
      known === undefined || part.filter === undefined
        ? known
        : applyFilter(part.filter, Buffer.from(known, 'utf8'), known);
    const piece = shown ?? unknown(part, known);
    if (piece === undefined) return undefined;
    out += piece;
  }
  return out;
}
