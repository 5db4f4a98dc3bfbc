// The config as `teeinit collaborators` reads it: every schema check and cross-field rule of
// `teeinit validate`, on a collaborator's machine rather than in the image. A template
// `source` is a path inside the image; where that file is not here, the template is checked
// as empty instead of failing (the image's own `teeinit validate` reads it).
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfigTree, type Config } from '../config/index.js';
import { parseConfigText, readConfigText } from '../config/parse-file.js';

/** What was loaded, and the template sources that were not read. */
export interface SetupConfig {
  readonly config: Config;
  readonly unreadTemplates: readonly string[];
}

/** Loads `path`; throws the config's TeeinitError (exit 78) when it is not valid. */
export function loadConfigForSetup(path: string): SetupConfig {
  const baseDir = dirname(resolve(path));
  const tree = parseConfigText(readConfigText(path), path);
  const unreadTemplates = blankMissingTemplates(tree, baseDir);
  return { config: loadConfigTree(tree, { baseDir }).config, unreadTemplates };
}

function blankMissingTemplates(tree: unknown, baseDir: string): string[] {
  const templates = isRecord(tree) ? tree.templates : undefined;
  if (!isRecord(templates)) return [];
  const unread: string[] = [];
  for (const [name, t] of Object.entries(templates)) {
    if (!isRecord(t) || typeof t.source !== 'string' || t.content !== undefined) continue;
    if (existsSync(resolve(baseDir, t.source))) continue;
    const rest: Record<string, unknown> = { ...t, content: '' };
    delete rest.source;
    templates[name] = rest;
    unread.push(name);
  }
  return unread;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
