// Parsing of the STS `audience` parameter: the full resource name of a Workload Identity
// pool provider, `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X`.

export interface ProviderName {
  /** As written (a project number for a real provider). */
  readonly project: string;
  readonly poolId: string;
  readonly providerId: string;
}

const PATTERN =
  /^\/\/iam\.googleapis\.com\/projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;

// Undefined when the audience is not a provider resource name (→ invalid_request).
export function parseProviderName(audience: string): ProviderName | undefined {
  const m = PATTERN.exec(audience);
  if (m === null) return undefined;
  return { project: m[1] ?? '', poolId: m[2] ?? '', providerId: m[3] ?? '' };
}

// The provider's full name as the STS expects it in `audience`.
export function providerResourceName(
  projectNumber: string,
  poolId: string,
  providerId: string,
): string {
  return `//iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}/providers/${providerId}`;
}

// The pool name a workload principal carries (`projects/N/locations/global/workloadIdentityPools/P`).
export function poolName(projectNumber: string, poolId: string): string {
  return `projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
}
