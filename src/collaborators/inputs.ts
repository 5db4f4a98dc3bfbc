// The command line's inputs to `teeinit collaborators`, checked before anything is built:
// image digests, the workload service account, the operator project, the collaborator.
// Each value ends up inside a CEL string literal or a shell word, so the accepted shapes are
// narrow; an error names the flag and what it expects.
import { TeeinitError } from '../errors/index.js';
import type { Config } from '../config/index.js';

/** An image digest as the launcher's token carries it (`submods.container.image_digest`). */
export const IMAGE_DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** A service account a VM runs as: a user-managed one or a default (compute) one. */
export const WORKLOAD_SA_RE =
  /^[a-z0-9][a-z0-9-]{0,62}@[a-z0-9][a-z0-9.-]{0,126}\.gserviceaccount\.com$/;
/** A Google Cloud project id (6 to 30 characters). */
export const PROJECT_ID_RE = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** More digests than this in one condition is a rollout gone wrong, not a setup. */
export const MAX_DIGESTS = 10;

const shown = (text: string): string => JSON.stringify(text.slice(0, 80));

/** `--image-digest sha256:A[,sha256:B…]`: one or more digests, each once. */
export function parseImageDigests(text: string): string[] {
  const digests = text.split(',');
  const seen = new Set<string>();
  for (const d of digests) {
    if (!IMAGE_DIGEST_RE.test(d)) {
      throw new TeeinitError(
        'TEEINIT_IMAGE_DIGEST_INVALID',
        `--image-digest: ${shown(d)} is not "sha256:" followed by 64 lowercase hex digits.`,
        { fields: { flag: '--image-digest' } },
      );
    }
    if (seen.has(d)) {
      throw new TeeinitError(
        'TEEINIT_IMAGE_DIGEST_INVALID',
        `--image-digest: ${d} is listed twice.`,
        {
          fields: { flag: '--image-digest' },
        },
      );
    }
    seen.add(d);
  }
  if (digests.length > MAX_DIGESTS) {
    throw new TeeinitError(
      'TEEINIT_IMAGE_DIGEST_INVALID',
      `--image-digest: ${digests.length} digests; at most ${MAX_DIGESTS} in one condition.`,
      { fields: { flag: '--image-digest' } },
    );
  }
  return digests;
}

/** `--workload-service-account EMAIL`: the service account the operator's VM runs as. */
export function checkWorkloadServiceAccount(email: string): string {
  if (!WORKLOAD_SA_RE.test(email)) {
    throw new TeeinitError(
      'TEEINIT_USAGE',
      `--workload-service-account: ${shown(email)} is not a service account email (NAME@PROJECT.iam.gserviceaccount.com).`,
    );
  }
  return email;
}

/** `--operator-project ID`: the project the operator's VMs run in. */
export function checkOperatorProject(project: string): string {
  if (!PROJECT_ID_RE.test(project)) {
    throw new TeeinitError(
      'TEEINIT_USAGE',
      `--operator-project: ${shown(project)} is not a project id (6 to 30 of a-z, 0-9, "-", starting with a letter).`,
    );
  }
  return project;
}

/** `--collaborator NAME`: one the config declares. */
export function checkCollaborator(config: Config, name: string): string {
  if (config.collaborators[name] === undefined) {
    const declared = Object.keys(config.collaborators);
    throw new TeeinitError(
      'TEEINIT_COLLABORATOR_UNKNOWN',
      `--collaborator: the config declares no collaborator ${shown(name)}; it declares ${
        declared.length === 0 ? 'none' : declared.join(', ')
      }.`,
      { fields: { flag: '--collaborator' } },
    );
  }
  return name;
}
