// What a substitution becomes in each place, and the rule that keeps one collaborator's
// bytes from changing the shape of a config file another collaborator's key sits in:
// raw `{{ value }}`/`{{ env }}` text in a config template must hold no line break or other
// control character; a filter encodes any bytes into printable ASCII instead.
import { TeeinitError } from '../errors/index.js';
import type { TemplateReference } from './template-references.js';
import type { RenderTarget, TemplateFilter } from './template-syntax.js';

/**
 * C0 controls (tab and newline included), DEL, C1 controls (NEL among them) and the
 * Unicode line and paragraph separators: what any config format may read as a line break,
 * a terminator or a field separator.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Characters JSON.stringify leaves as they are but YAML or a log reader may not. */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * Why: `| base64` and `| hex` carry any bytes (binary secrets too), `| json` carries text
 * as a quoted JSON string (valid as a YAML double-quoted scalar too), `| pem` carries PEM
 * blocks only (a certificate and key concatenated into one file), re-encoded in 64-column
 * lines. `text` is the UTF-8 reading of `bytes`. Undefined when the value does not fit the
 * filter (`| pem` on anything but PEM blocks).
 * @example applyFilter('json', Buffer.from('a\nb'), 'a\nb') // → '"a\\nb"'
 */
export function applyFilter(
  filter: TemplateFilter,
  bytes: Buffer,
  text: string,
): string | undefined {
  switch (filter) {
    case 'base64':
      return bytes.toString('base64');
    case 'hex':
      return bytes.toString('hex');
    case 'json':
      return JSON.stringify(text).replace(
        JSON_UNSAFE,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    case 'pem':
      return normalizePem(text);
  }
}

const PEM_BEGIN = /^-----BEGIN ([A-Z0-9]+(?: [A-Z0-9]+)*)-----$/;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One or more PEM blocks, blank lines around them allowed, nothing else: no text before or
 * between blocks, no headers. Each body is decoded and written again, so the output holds
 * exactly the armour lines and canonical base64, whatever the input's line lengths.
 */
function normalizePem(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const label = PEM_BEGIN.exec(lines[i]!)?.[1];
    if (label === undefined) return undefined;
    const end = `-----END ${label}-----`;
    let body = '';
    for (i++; i < lines.length && lines[i] !== end; i++) {
      if (!BASE64_LINE.test(lines[i]!) || body.includes('=')) return undefined;
      body += lines[i];
    }
    if (i >= lines.length || body.length === 0 || body.length % 4 !== 0) return undefined;
    const der = Buffer.from(body, 'base64');
    if (der.toString('base64') !== body) return undefined;
    const wrapped = der.toString('base64').match(/.{1,64}/g) ?? [];
    out += `-----BEGIN ${label}-----\n${wrapped.join('\n')}\n${end}\n`;
  }
  return out === '' ? undefined : out;
}

/** Why: a substitution that would change the shape of what it lands in; never shows it. */
export function unsafeSubstitution(
  kind: 'value' | 'env',
  name: string,
  where: string,
  target: RenderTarget,
): TeeinitError {
  const what = kind === 'value' ? `secret "${name}"` : `override ${name}`;
  const message =
    target === 'file'
      ? `${where}: {{ ${kind} ${name} }}: ${what} holds a line break or another control character, which would change the config file around it (another collaborator's material may share it); refused.`
      : `${where}: {{ ${kind} ${name} }}: ${what} holds a NUL byte, which ${target === 'argv' ? 'an argument' : 'an environment value'} cannot carry; refused.`;
  return new TeeinitError('TEEINIT_TEMPLATE_VALUE_UNSAFE', message, {
    fields: { where, name },
  });
}

/**
 * Why: operator overrides are known when the config loads, so the rule for raw text in
 * config templates (and NUL in argv/env) is applied to them then, before any network call.
 * Secret values can only be checked when rendered, after the fetch.
 */
export function checkOverrideSubstitutions(
  references: readonly TemplateReference[],
  overrides: Readonly<Record<string, string>>,
): void {
  for (const ref of references) {
    if (ref.kind !== 'env' || ref.filter !== undefined) continue;
    const value = overrides[ref.name];
    if (value === undefined) continue;
    const target = ref.target;
    const bad = target === 'file' ? CONTROL_CHARACTER.test(value) : value.includes('\0');
    if (bad) throw unsafeSubstitution('env', ref.name, ref.where, target);
  }
}

/** Why: `| pem` takes PEM blocks only; anything else is refused by name, never shown. */
export function notPem(kind: 'value' | 'env' | 'file', name: string, where: string): TeeinitError {
  return new TeeinitError(
    'TEEINIT_TEMPLATE_VALUE_UNSAFE',
    `${where}: {{ ${kind} ${name} | pem }}: ${kind === 'value' ? `secret "${name}"` : name} is not PEM (only -----BEGIN …----- / -----END …----- blocks of base64, blank lines between them); refused.`,
    {
      fields: { where, name },
      hint: 'Have its owner store clean PEM (no text around the blocks, no headers), or render it with `| base64` or as `{{ file NAME }}`.',
    },
  );
}
