// Reads the config file and parses it as YAML or JSON into a plain tree; syntax errors
// carry the line and column and the kind of error, never text of the file (the parsers'
// own messages quote it: an alias name, a tag, the text around the error). Nothing here
// knows the schema.
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { TeeinitError } from '../errors/index.js';
import { readFileBoundedSync } from './read-bounded.js';

/** Config files are small; anything larger is a mistake (or an attack on the parser). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Reads the file; a missing or unreadable file is TEEINIT_CONFIG_NOT_FOUND. */
export function readConfigText(path: string): string {
  let buf: Buffer;
  try {
    buf = readFileBoundedSync(path, MAX_CONFIG_BYTES);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
    if (code === 'EFBIG') {
      throw new TeeinitError(
        'TEEINIT_CONFIG_PARSE',
        `Config file ${path} is larger than ${MAX_CONFIG_BYTES} bytes, the limit.`,
        { fields: { path } },
      );
    }
    throw new TeeinitError(
      'TEEINIT_CONFIG_NOT_FOUND',
      `Cannot read config file ${path} (${code}).`,
      {
        cause,
        fields: { path },
      },
    );
  }
  return buf.toString('utf8');
}

/** Parses by extension (.json / .yaml / .yml), else by content (`{` first means JSON). */
export function parseConfigText(text: string, path: string): unknown {
  const ext = extname(path).toLowerCase();
  const json = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*\{/.test(text));
  return json ? parseJson(text, path) : parseYaml(text, path);
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    // V8's message quotes the surrounding text; locate the error without echoing content.
    const msg = cause instanceof Error ? cause.message : '';
    const pos = /position (\d+)/.exec(msg)?.[1] ?? parseDocument(text).errors[0]?.pos[0];
    const where = pos === undefined ? '' : lineColumn(text, Number(pos));
    throw new TeeinitError('TEEINIT_CONFIG_PARSE', `${path}${where}: invalid JSON syntax`, {
      cause,
      fields: { path },
    });
  }
}

function parseYaml(text: string, path: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  const err = doc.errors[0];
  if (err) {
    const where = lineColumn(text, err.pos[0]);
    throw new TeeinitError(
      'TEEINIT_CONFIG_PARSE',
      `${path}${where}: invalid YAML: ${kind(err.code)}`,
      {
        fields: { path },
      },
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (cause) {
    // Alias limits and unresolved aliases; the library's message names the alias.
    const reason = /alias/i.test(cause instanceof Error ? cause.message : '')
      ? 'an alias'
      : 'a value';
    throw new TeeinitError(
      'TEEINIT_CONFIG_PARSE',
      `${path}: invalid YAML: ${reason} cannot be resolved (an undefined alias, or more than 100 aliases)`,
      { cause, fields: { path } },
    );
  }
}

// The yaml library's error code in words: DUPLICATE_KEY → "duplicate key".
function kind(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}
