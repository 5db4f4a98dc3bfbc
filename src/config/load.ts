// Loading the config: read, parse (YAML/JSON), schema, cross-field rules, complete the
// file list, resolve operator overrides, hash. Everything before any network call.
import { dirname, resolve } from 'node:path';
import { configHash } from './canonical-json.js';
import { completeFileEntries } from './complete-files.js';
import { resolveOverrides } from './overrides.js';
import { checkOverrideSubstitutions } from './template-filters.js';
import { parseConfigText, readConfigText } from './parse-file.js';
import { checkRules } from './rules/index.js';
import { validateConfigTree } from './schema.js';
import type { TemplateReference } from './template-references.js';
import type { Config } from './types.js';

export interface LoadedConfig {
  /** Normalized and deeply frozen; `files.entries` complete. */
  readonly config: Config;
  /** Non-fatal findings (unpinned `latest`, `{{ value }}` in argv...). */
  readonly warnings: readonly string[];
  /** Resolved operator overrides (name → value), already validated. */
  readonly overrides: Readonly<Record<string, string>>;
  /** SHA-256 hex of the canonical JSON of config + overrides. */
  readonly hash: string;
  /** Every `{{ … }}` reference in argv, env and templates, collected once while loading. */
  readonly references: readonly TemplateReference[];
  /** Template name → text, read once while loading; `run` renders exactly this text. */
  readonly templateTexts: ReadonlyMap<string, string>;
}

export interface LoadOptions {
  /** Where relative paths resolve (default: the config file's directory, or cwd). */
  readonly baseDir?: string;
  /** Source of operator overrides (default: none, so defaults apply). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Loads and validates the config file at `path`; throws TeeinitError on any problem. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  const text = readConfigText(path);
  const tree = parseConfigText(text, path);
  return loadConfigTree(tree, { baseDir: dirname(resolve(path)), env });
}

/** The same from an already parsed tree (tests, programmatic use). */
export function loadConfigTree(tree: unknown, options: LoadOptions = {}): LoadedConfig {
  const parsed = validateConfigTree(tree, options.baseDir ?? process.cwd());
  const { warnings, references, templateTexts } = checkRules(parsed);
  const config = completeFileEntries(parsed, references);
  const overrides = resolveOverrides(config, options.env ?? {});
  checkOverrideSubstitutions(references, overrides);
  return Object.freeze({
    config,
    warnings: Object.freeze(warnings),
    overrides,
    hash: configHash(config, overrides),
    references,
    templateTexts,
  });
}
