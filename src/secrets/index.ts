// Fetch stage: secret sources (Secret Manager, local files) and the parallel fetch plan.
export { fetchAll, type FetchAllOptions } from './fetch-all.js';
export { fetchGcpSecret, type FetchedSecret, type GcpFetchOptions } from './gcp-secret.js';
export { readFileSecret } from './file-secret.js';
export { accessUrl, parseSecretRef, isFloatingVersion, type SecretRef } from './secret-ref.js';
export { crc32c } from './crc32c.js';
