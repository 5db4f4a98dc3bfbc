// Public surface of the config stage: load, the normalized types, template syntax,
// overrides and the helpers later stages share.
export { loadConfig, loadConfigTree, type LoadedConfig, type LoadOptions } from './load.js';
export { validateConfigTree, configSchema, type ConfigInput } from './schema.js';
export { parseTemplate, type TemplatePart } from './template-syntax.js';
export {
  collectReferences,
  readTemplateText,
  type TemplateReference,
} from './template-references.js';
export { resolveOverrides, rejectExtraArgs, MAX_OVERRIDE_LENGTH } from './overrides.js';
export { completeFileEntries } from './complete-files.js';
export { parseAddress, isLoopback, type Address } from './address.js';
export { canonicalJson, configHash } from './canonical-json.js';
export { parseDuration } from './schema/primitives.js';
export { DEFAULTS } from './defaults.js';
export type * from './types.js';
