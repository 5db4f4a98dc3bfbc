// Template rendering for argv, env and config files: `file` → absolute path, `value` →
// content (only where allowed), `env` → operator override. A missing name is an error.
import type { Config } from '../config/types.js';
import { parseTemplate } from '../config/template-syntax.js';
import { TeeinitError } from '../errors/index.js';
import type { Material } from '../keys/index.js';
import { kindOf } from './file-plan.js';

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

/**
 * Why: `{{ value NAME }}` needs text. A secret is its payload as UTF-8 (rejected if it is
 * not valid UTF-8); a derived key is lowercase hex (keys are raw bytes, rarely text).
 */
export function valueOf(ctx: RenderContext, name: string, where: string): string {
  const kind = kindOf(ctx.config, name);
  if (kind === 'secret') {
    const bytes = ctx.material.secrets.get(name);
    if (bytes === undefined) throw invalid(where, `secret "${name}" was not fetched.`, name);
    try {
      return utf8.decode(bytes);
    } catch {
      throw invalid(
        where,
        `secret "${name}" is not UTF-8 text; use {{ file ${name} }} instead.`,
        name,
      );
    }
  }
  if (kind === 'key') {
    const key = ctx.material.keys.get(name);
    if (key === undefined) throw invalid(where, `key "${name}" was not derived.`, name);
    return key.toString('hex');
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

/** Why: one renderer for argv elements, env values and template files. */
export function renderTemplate(
  text: string,
  where: string,
  ctx: RenderContext,
  allowValue: boolean,
): { text: string; usedValue: boolean } {
  let out = '';
  let usedValue = false;
  for (const part of parseTemplate(text, where)) {
    switch (part.kind) {
      case 'text':
        out += part.text;
        break;
      case 'file': {
        const path = ctx.paths.get(part.name);
        if (path === undefined) {
          throw invalid(
            where,
            `{{ file ${part.name} }} names no file written to files.dir.`,
            part.name,
          );
        }
        out += path;
        break;
      }
      case 'value':
        if (!allowValue) {
          throw invalid(
            where,
            `{{ value ${part.name} }} is not allowed here; set allowValue: true, or use {{ file ${part.name} }}.`,
            part.name,
          );
        }
        out += valueOf(ctx, part.name, where);
        usedValue = true;
        break;
      case 'env': {
        const value = Object.hasOwn(ctx.overrides, part.name)
          ? ctx.overrides[part.name]
          : undefined;
        if (value === undefined) {
          throw invalid(
            where,
            `{{ env ${part.name} }} has no value: it is not an allowed override with a value or default.`,
            part.name,
          );
        }
        out += value;
        break;
      }
    }
  }
  return { text: out, usedValue };
}
