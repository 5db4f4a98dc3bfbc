// `teeinit collaborators`: each collaborator's gcloud commands (APIs, Workload Identity pool
// and provider, secrets and versions, grants), derived from the config alone.
export { buildSetupPlan } from './build-setup.js';
export { loadConfigForSetup } from './load-config.js';
export {
  collaboratorSteps,
  argText,
  type Arg,
  type SetupCommand,
  type SetupStep,
} from './commands.js';
export { formatCollaborator, formatSetupJson, formatSetupScript, shellQuote } from './format.js';
export {
  checkOperatorProject,
  checkWorkloadServiceAccount,
  IMAGE_DIGEST_RE,
  parseImageDigests,
} from './inputs.js';
export {
  attributeCondition,
  CONFIDENTIAL_SPACE_ISSUER,
  CONFIDENTIAL_SPACE_MAPPING,
  STS_AUDIENCE,
} from './provider.js';
export type * from './types.js';
