// Template rendering for argv, env and config files: `file` → absolute path, `value` →
// content (only where allowed), `env` → operator override, each optionally encoded by a
// filter. A missing name is an error. In a config file, raw value or env text must hold no
// control character (template-filters.ts); argv and env refuse NUL, which the kernel
// cannot pass. Errors name the key and the secret, never the value.
import type { Config } from '../config/types.js';
import {
  applyFilter,
  CONTROL_CHARACTER,
  notPem,
  unsafeSubstitution as unsafe,
} from '../config/template-filters.js';
import { parseTemplate, type RenderTarget, type TemplatePart } from '../config/template-syntax.js';
import { TeeinitError } from '../errors/index.js';
import type { Material } from '../keys/index.js';
import { kindOf } from '../plan/file-plan.js';

/** What a template can refer to. */
export interface RenderContext {
  readonly config: Config;
  readonly material: Material;
  /** Config name → absolute path of the written file. */
  readonly paths: ReadonlyMap<string, string>;
  readonly overrides: Readonly<Record<string, string>>;
}

function invalid(where: string, message: string, name: string): TeeinitError {
  return new TeeinitError('TEEINIT_TEMPLATE_INVALID', `${where}: ${message}`, {
    fields: { where, name },
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes behind `{{ value NAME }}`: a secret's payload or a derived key's raw bytes. */
function bytesOf(ctx: RenderContext, name: string, where: string): Buffer {
  const kind = kindOf(ctx.config, name);
  if (kind === 'secret') {
    const bytes = ctx.material.secrets.get(name);
    if (bytes === undefined) throw invalid(where, `secret "${name}" was not fetched.`, name);
    return bytes;
  }
  if (kind === 'key') {
    const key = ctx.material.keys.get(name);
    if (key === undefined) throw invalid(where, `key "${name}" was not derived.`, name);
    return key;
  }
  if (kind === 'template') {
    throw invalid(
      where,
      `{{ value ${name} }}: a template has no value; use {{ file ${name} }}.`,
      name,
    );
  }
  throw invalid(where, `{{ value ${name} }} names no declared secret or key.`, name);
}

/**
 * Why: `{{ value NAME }}` needs text. A secret is its payload as UTF-8 (rejected if it is
 * not valid UTF-8); a derived key is lowercase hex (keys are raw bytes, rarely text).
 */
export function valueOf(ctx: RenderContext, name: string, where: string): string {
  const bytes = bytesOf(ctx, name, where);
  if (kindOf(ctx.config, name) === 'key') return bytes.toString('hex');
  try {
    return utf8.decode(bytes);
  } catch {
    throw invalid(
      where,
      `secret "${name}" is not UTF-8 text; use {{ file ${name} }}, or {{ value ${name} | base64 }} or | hex.`,
      name,
    );
  }
}

/** Why: one renderer for argv elements, env values and template files. */
export function renderTemplate(
  text: string,
  where: string,
  ctx: RenderContext,
  allowValue: boolean,
  target: RenderTarget = 'file',
): { text: string; usedValue: boolean } {
  let out = '';
  let usedValue = false;
  for (const part of parseTemplate(text, where)) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    if (part.kind === 'value') {
      if (!allowValue) {
        throw invalid(
          where,
          `{{ value ${part.name} }} is not allowed here; set allowValue: true, or use {{ file ${part.name} }}.`,
          part.name,
        );
      }
      usedValue = true;
    }
    out += substitute(part, where, ctx, target);
  }
  return { text: out, usedValue };
}

function substitute(
  part: Extract<TemplatePart, { name: string }>,
  where: string,
  ctx: RenderContext,
  target: RenderTarget,
): string {
  const { kind, name, filter } = part;
  let text: string;
  let bytes: Buffer | undefined;
  if (kind === 'file') {
    const path = ctx.paths.get(name);
    if (path === undefined) {
      throw invalid(where, `{{ file ${name} }} names no file written to files.dir.`, name);
    }
    text = path;
  } else if (kind === 'env') {
    const value = Object.hasOwn(ctx.overrides, name) ? ctx.overrides[name] : undefined;
    if (value === undefined) {
      throw invalid(
        where,
        `{{ env ${name} }} has no value: it is not an allowed override with a value or default.`,
        name,
      );
    }
    text = value;
  } else if (filter === 'base64' || filter === 'hex') {
    // Any bytes: a binary secret needs no UTF-8 reading to be encoded.
    bytes = bytesOf(ctx, name, where);
    text = '';
  } else {
    text = valueOf(ctx, name, where);
  }
  if (filter !== undefined) {
    const encoded = applyFilter(filter, bytes ?? Buffer.from(text, 'utf8'), text);
    if (encoded === undefined) throw notPem(kind, name, where);
    return encoded;
  }
  if (kind === 'file') return text; // a path from the image's own config
  if (target === 'file' && CONTROL_CHARACTER.test(text)) throw unsafe(kind, name, where, 'file');
  if (target !== 'file' && text.includes('\0')) throw unsafe(kind, name, where, target);
  return text;
}
