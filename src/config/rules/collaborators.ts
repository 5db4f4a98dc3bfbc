// Collaborators: a workload-identity collaborator needs a well-formed provider name, and
// the provider/serviceAccount keys only make sense with the credentials that use them.
import type { Config } from '../types.js';
import { invalidAt, keyPath } from './errors.js';

// Pool and provider ids as Google accepts them: 4 to 32 of [a-z0-9-], not starting with `gcp-`.
export const PROVIDER_RE =
  /^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/(?!gcp-)[a-z0-9-]{4,32}\/providers\/(?!gcp-)[a-z0-9-]{4,32}$/;
const SERVICE_ACCOUNT_RE =
  /^[a-z0-9-]+@[a-z0-9.-]+\.iam\.gserviceaccount\.com$|^[^@\s]+@[a-z0-9.-]+$/;

// Checks each collaborator's credentials against its provider / serviceAccount.
export function checkCollaborators(config: Config, _warnings: string[]): void {
  for (const [name, c] of Object.entries(config.collaborators)) {
    if (c.credentials === 'workload-identity') {
      if (c.provider === undefined) {
        throw invalidAt(
          keyPath('collaborators', name, 'provider'),
          'required with credentials workload-identity',
        );
      }
      if (!PROVIDER_RE.test(c.provider)) {
        throw invalidAt(
          keyPath('collaborators', name, 'provider'),
          'expected //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (POOL and PROVIDER: 4 to 32 of a-z, 0-9, -)',
        );
      }
    } else if (c.provider !== undefined) {
      throw invalidAt(
        keyPath('collaborators', name, 'provider'),
        'only used with credentials workload-identity',
      );
    }
    if (c.serviceAccount !== undefined) {
      if (c.credentials === 'none') {
        throw invalidAt(
          keyPath('collaborators', name, 'serviceAccount'),
          'not used with credentials none',
        );
      }
      if (!SERVICE_ACCOUNT_RE.test(c.serviceAccount)) {
        throw invalidAt(
          keyPath('collaborators', name, 'serviceAccount'),
          'expected a service account email (NAME@PROJECT.iam.gserviceaccount.com)',
        );
      }
    }
  }
}
