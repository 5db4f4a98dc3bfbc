// All cross-field rules in the order they run; each throws the first problem it finds
// and may add warnings.
import type { Config } from '../types.js';
import { checkCollaborators } from './collaborators.js';
import { checkFiles } from './files.js';
import { checkKeys } from './keys.js';
import { checkNames } from './names.js';
import { checkProcesses } from './processes.js';
import { checkProxies } from './proxies.js';
import { checkRuntime } from './runtime.js';
import { checkSecrets } from './secrets.js';
import { checkTemplates } from './templates.js';
import { checkTls } from './tls.js';

export type Rule = (config: Config, warnings: string[]) => void;

/** Order matters only for which error is reported first: declarations before uses. */
export const RULES: readonly Rule[] = [
  checkNames,
  checkCollaborators,
  checkSecrets,
  checkKeys,
  checkTls,
  checkTemplates,
  checkFiles,
  checkProxies,
  checkProcesses,
  checkRuntime,
];

/** Runs every rule; returns the warnings. */
export function checkRules(config: Config): string[] {
  const warnings: string[] = [];
  for (const rule of RULES) rule(config, warnings);
  return warnings;
}
