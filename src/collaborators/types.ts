// The data `teeinit collaborators` derives from a config: per collaborator, the provider it
// creates, the APIs it enables, the secrets and versions it stores and the grants it makes.
// Built from the config alone (build-setup.ts), turned into gcloud commands (commands.ts)
// and printed as shell or JSON (format.ts).

/**
 * What the setup is generated for.
 * @example { imageDigests: ['sha256:60…'], workloadServiceAccount: 'wl-sa@op-proj.iam.gserviceaccount.com' }
 */
export interface SetupOptions {
  /** `sha256:<64 hex>` each, at least one: the images the provider admits and the grants name. */
  readonly imageDigests: readonly string[];
  /** Only this collaborator (default: every one in the config). */
  readonly collaborator?: string;
  /** The operator's workload service account: the condition requires it in `google_service_accounts`. */
  readonly workloadServiceAccount?: string;
  /** The operator's project: the condition requires it as `submods.gce.project_id`. */
  readonly operatorProject?: string;
}

/** The Workload Identity pool and OIDC provider a collaborator creates. */
export interface ProviderSetup {
  /** `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X`, as in the config. */
  readonly resource: string;
  readonly projectNumber: string;
  readonly poolId: string;
  readonly providerId: string;
  readonly issuerUri: string;
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition: string;
}

/** How a config ref names its version. */
export type VersionKind = 'number' | 'alias' | 'latest';

/** One version a collaborator adds to a secret, for the config secrets that read it. */
export interface VersionSetup {
  /** The config's secret names that read this version (`secrets.NAME`). */
  readonly secretNames: readonly string[];
  /** The config's ref, `projects/P[/locations/L]/secrets/S/versions/V`. */
  readonly ref: string;
  /** `V` as written: a number, an alias or `latest`. */
  readonly version: string;
  readonly kind: VersionKind;
  /** The number this version gets when added as printed (the secret then has number-1 before it). */
  readonly number: number;
  /** True when this is the secret's first version: `gcloud secrets create … --data-file`. */
  readonly creates: boolean;
  /** The payload file the commands read (a placeholder name the collaborator fills in). */
  readonly payloadFile: string;
  /** What the payload must be, from the config's use of it (tls bundle, key share…). */
  readonly holds: string;
}

/** One Secret Manager secret of a collaborator and the versions it needs. */
export interface SecretSetup {
  /** Project id or number, as the ref writes it. */
  readonly project: string;
  /** Regional secrets only. */
  readonly location?: string;
  readonly secretId: string;
  /** In the order they are added. */
  readonly versions: readonly VersionSetup[];
  /** Versions the secret must already have before the first printed one (a pin above 1). */
  readonly existingVersions: number;
}

/** The APIs one project must have enabled. */
export interface ApiSetup {
  readonly project: string;
  readonly services: readonly string[];
}

/** Everything one collaborator runs. */
export interface CollaboratorSetup {
  readonly name: string;
  readonly provider: ProviderSetup;
  /** `collaborators.NAME.serviceAccount`: the image impersonates it, the secrets are granted to it. */
  readonly serviceAccount?: string;
  /** The service account's project, when its email names one (`NAME@PROJECT.iam.gserviceaccount.com`). */
  readonly serviceAccountProject?: string;
  /** One principal set per image digest: every workload of that image in the pool. */
  readonly principalSets: readonly string[];
  readonly apis: readonly ApiSetup[];
  readonly secrets: readonly SecretSetup[];
  /** Its `source: file` secrets: nothing to store in Secret Manager. */
  readonly fileSecrets: readonly string[];
}

/** A collaborator without Workload Identity (`credentials: adc` or `none`). */
export interface SkippedCollaborator {
  readonly name: string;
  readonly credentials: 'adc' | 'none';
}

/** The whole result for one config. */
export interface SetupPlan {
  readonly imageDigests: readonly string[];
  readonly workloadServiceAccount?: string;
  readonly operatorProject?: string;
  /** `fetch.permissionGrace` of the config, in ms: how long a first boot waits for a grant. */
  readonly permissionGraceMs: number;
  readonly collaborators: readonly CollaboratorSetup[];
  readonly skipped: readonly SkippedCollaborator[];
}
