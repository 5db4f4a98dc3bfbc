// All cross-field rules in the order they run; each throws the first problem it finds
// and may add warnings. Template references are collected once, by the first rule that
// asks for them, and handed back for completing `files.entries`.
import { collectReferences, type TemplateReference } from '../template-references.js';
import type { Config } from '../types.js';
import { checkCollaborators } from './collaborators.js';
import { checkFiles } from './files.js';
import { checkKeys } from './keys.js';
import { checkListeners, checkStatus } from './listeners.js';
import { checkNames } from './names.js';
import { checkProcesses } from './processes.js';
import { checkProxies } from './proxies.js';
import { checkRefresh } from './refresh.js';
import { checkEnvironment, checkRuntime } from './runtime.js';
import { checkSecrets, checkTls } from './secrets.js';
import { checkTemplates } from './templates.js';

/** Every template reference of the config; collected (and template sources read) once. */
export type ReferencesOf = () => readonly TemplateReference[];

export type Rule = (config: Config, warnings: string[], references: ReferencesOf) => void;

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
  checkEnvironment,
  checkRefresh,
  checkStatus,
  checkListeners,
];

/** What the rules found: warnings, and the references later steps reuse. */
export interface RuleResults {
  readonly warnings: string[];
  readonly references: readonly TemplateReference[];
  /** Each template's text (a `source` file read once, here), for materialize to render. */
  readonly templateTexts: ReadonlyMap<string, string>;
}

/** Runs every rule; returns the warnings and the template references. */
export function checkRules(config: Config): RuleResults {
  const warnings: string[] = [];
  // Lazy, so a template syntax or read error still comes after the rules before it.
  let collected: readonly TemplateReference[] | undefined;
  const templateTexts = new Map<string, string>();
  const references: ReferencesOf = () => (collected ??= collectReferences(config, templateTexts));
  for (const rule of RULES) rule(config, warnings, references);
  return { warnings, references: references(), templateTexts };
}
