// The setup of every collaborator (or the one asked for), from the config alone: no
// network, no file besides the config. Collaborators without Workload Identity are listed
// as skipped.
import type { Config } from '../config/index.js';
import { checkCollaborator } from './inputs.js';
import { imagePrincipalSet, providerSetup } from './provider.js';
import { collaboratorSecrets, fileSecrets } from './secrets.js';
import type {
  ApiSetup,
  CollaboratorSetup,
  SecretSetup,
  SetupOptions,
  SetupPlan,
  SkippedCollaborator,
} from './types.js';

const SA_PROJECT_RE = /^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;

/** Builds the plan; throws TEEINIT_COLLABORATOR_UNKNOWN for an undeclared `collaborator`. */
export function buildSetupPlan(config: Config, options: SetupOptions): SetupPlan {
  const names =
    options.collaborator === undefined
      ? Object.keys(config.collaborators)
      : [checkCollaborator(config, options.collaborator)];
  const collaborators: CollaboratorSetup[] = [];
  const skipped: SkippedCollaborator[] = [];
  for (const name of names) {
    const c = config.collaborators[name]!;
    if (c.credentials !== 'workload-identity' || c.provider === undefined) {
      skipped.push({ name, credentials: c.credentials === 'none' ? 'none' : 'adc' });
      continue;
    }
    const provider = providerSetup(c.provider, options);
    const secrets = collaboratorSecrets(config, name);
    const saProject =
      c.serviceAccount === undefined ? undefined : SA_PROJECT_RE.exec(c.serviceAccount)?.[1];
    collaborators.push({
      name,
      provider,
      ...(c.serviceAccount === undefined ? {} : { serviceAccount: c.serviceAccount }),
      ...(saProject === undefined ? {} : { serviceAccountProject: saProject }),
      principalSets: options.imageDigests.map((d) => imagePrincipalSet(provider, d)),
      apis: apisOf(provider.projectNumber, c.serviceAccount !== undefined, saProject, secrets),
      secrets,
      fileSecrets: fileSecrets(config, name),
    });
  }
  return {
    imageDigests: options.imageDigests,
    ...(options.workloadServiceAccount === undefined
      ? {}
      : { workloadServiceAccount: options.workloadServiceAccount }),
    ...(options.operatorProject === undefined ? {} : { operatorProject: options.operatorProject }),
    permissionGraceMs: config.fetch.permissionGrace,
    collaborators,
    skipped,
  };
}

/**
 * APIs per project: IAM and STS where the pool lives, IAM and IAM Credentials where the
 * impersonated service account lives, Secret Manager where the secrets live.
 */
function apisOf(
  poolProject: string,
  impersonates: boolean,
  saProject: string | undefined,
  secrets: readonly SecretSetup[],
): ApiSetup[] {
  const byProject = new Map<string, Set<string>>();
  const add = (project: string, ...services: string[]): void => {
    const set = byProject.get(project) ?? new Set<string>();
    for (const s of services) set.add(s);
    byProject.set(project, set);
  };
  add(poolProject, 'iam.googleapis.com', 'sts.googleapis.com');
  if (impersonates && saProject !== undefined) {
    add(saProject, 'iam.googleapis.com', 'iamcredentials.googleapis.com');
  }
  for (const s of secrets) add(s.project, 'secretmanager.googleapis.com');
  return [...byProject].map(([project, services]) => ({ project, services: [...services] }));
}
