// The emulator's world: projects, Workload Identity pools/providers, service accounts and
// secrets. Declared in the emulator's config/seed file, mutated by its REST APIs.

export interface ProjectModel {
  /** Project id, e.g. `alice-proj`. */
  readonly id: string;
  /** Project number as a decimal string, e.g. `111111111111`. */
  readonly number: string;
}

/** A Workload Identity pool (created through iam.googleapis.com; providers imply theirs). */
export interface PoolModel {
  readonly projectNumber: string;
  readonly poolId: string;
}

/** A Workload Identity pool provider (OIDC) as the STS sees it. */
export interface ProviderModel {
  readonly projectNumber: string;
  readonly poolId: string;
  readonly providerId: string;
  /** Default: the emulator's own issuer. */
  readonly issuerUri?: string;
  /**
   * Default (as Google): only the provider's own full name, with or without `https:`. A
   * Confidential Space token's `aud` is `https://sts.googleapis.com`: list it explicitly.
   */
  readonly allowedAudiences?: readonly string[];
  /** CEL (subset) expressions, e.g. `google.subject`: `"gcpcs::"+assertion.submods.container.image_digest`. */
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
  readonly disabled?: boolean;
}

export interface IamBinding {
  readonly role: string;
  /** `principal://…/subject/S`, `principalSet://…/attribute.NAME/VALUE`, `principalSet://…/*`, `serviceAccount:EMAIL`, `allUsers`. */
  readonly members: readonly string[];
}

export interface ServiceAccountModel {
  readonly email: string;
  /** Who may impersonate it (role `roles/iam.workloadIdentityUser` or `roles/iam.serviceAccountTokenCreator`). */
  readonly bindings: readonly IamBinding[];
}

export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

export interface SecretVersionModel {
  /** 1-based version number. */
  readonly number: number;
  state: VersionState;
  /** Undefined once destroyed. */
  data: Buffer | undefined;
  readonly createTime: string;
  destroyTime?: string;
}

export interface SecretModel {
  readonly projectNumber: string;
  readonly secretId: string;
  /** Regional secrets only. */
  readonly location?: string;
  readonly createTime: string;
  readonly versions: SecretVersionModel[];
  versionAliases: Record<string, number>;
  bindings: IamBinding[];
}

/** Who a request is from, as resolved from its bearer access token. */
export interface Principal {
  /** `workload`: a federated identity from the STS; `serviceAccount`: after impersonation. */
  readonly type: 'workload' | 'serviceAccount';
  /** google.subject for workloads, the e-mail for service accounts. */
  readonly subject: string;
  /** `projects/N/locations/global/workloadIdentityPools/P` for workloads. */
  readonly pool?: string;
  /** Mapped attributes (`attribute.X` without the prefix) for workloads. */
  readonly attributes: Readonly<Record<string, string>>;
}
