import type { AttestPolicy } from '../config/types.js';

// The plan: what teeinit will fetch, derive, check, write and start, and from whom.
// Built from the config alone (no network, no secret files read), so it holds names,
// paths and modes, never a secret value.

export interface PlannedCollaborator {
  readonly name: string;
  readonly credentials: 'workload-identity' | 'adc' | 'none';
  readonly provider?: string;
  readonly serviceAccount?: string;
}

export interface PlannedFetch {
  readonly secret: string;
  readonly collaborator: string;
  readonly source: 'gcp-secret-manager' | 'file';
  /** Secret Manager version name (gcp-secret-manager). */
  readonly ref?: string;
  /** File path (file source). */
  readonly path?: string;
  /** Whether the ref asks for `latest` (unpinned). */
  readonly latest: boolean;
}

export interface PlannedKey {
  readonly name: string;
  readonly kdf: string;
  /** t of a threshold key: any t of the shares make the key; absent: all of them. */
  readonly threshold?: number;
  readonly shares: readonly { readonly secret: string; readonly collaborator: string }[];
}

export interface PlannedTlsCheck {
  readonly name: string;
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  readonly usage: string;
}

export interface PlannedFile {
  /** The secret, key or template written. */
  readonly from: string;
  readonly path: string;
  /** Octal, e.g. "0400". */
  readonly mode: string;
  readonly owner?: string;
  readonly group?: string;
  readonly encoding: 'raw' | 'hex';
}

export interface PlannedTemplate {
  readonly name: string;
  readonly path: string;
  readonly source: string;
}

export interface PlannedProxy {
  readonly name: string;
  readonly mode: string;
  readonly listen: string;
  readonly target: string;
  readonly tls?: string;
  /** PSK identity names (their keys stay in the config). */
  readonly identities: readonly string[];
  readonly tlsVersion: string;
  readonly start: 'before-processes' | 'after-processes';
  /** Absent when the proxy attests none of its connections. */
  readonly attest?: PlannedAttest;
}

/** A proxy's attested channel (src/plan/plan-attest.ts). */
export interface PlannedAttest {
  /** Our evidence: a launcher token for `audience`, fetched before the proxy listens. */
  readonly present?: {
    readonly audience: string;
    readonly tokenType: string;
    readonly socket: string;
    readonly startupDeadlineMs: number;
  };
  /** The policy every peer's evidence must meet (unless its SNI entry has its own). */
  readonly require?: AttestPolicy;
  /** mtls-server: the policies of SNI entries that have their own. */
  readonly sniRequire?: Readonly<Record<string, AttestPolicy>>;
}

export interface PlannedProcess {
  readonly name: string;
  /** argv with `{{ file X }}` as the path and `{{ value X }}` as `<value of X>`. */
  readonly argv: readonly string[];
  /** Names of the variables set from the config (values not shown). */
  readonly env: readonly string[];
  readonly inheritEnv: boolean;
  readonly user?: string;
  readonly group?: string;
  readonly ready?: string;
  readonly restart: string;
}

/** The teeinit-wide health/status endpoint (`status.listen`). */
export interface PlannedStatus {
  readonly listen: string;
  /** `/status` only on loopback. */
  readonly paths: readonly string[];
}

/** What `run` checks before anything starts (src/preflight/). */
export interface PlannedPreflight {
  /** Guarded variables `run` may find set (`environment.accept`). */
  readonly acceptedEnvironment: readonly string[];
  /** Whether `run` may start as PID 1 (`unsafeAllowPid1`). */
  readonly pid1Allowed: boolean;
}

export interface Plan {
  readonly hash: string;
  readonly preflight: PlannedPreflight;
  readonly collaborators: readonly PlannedCollaborator[];
  readonly fetches: readonly PlannedFetch[];
  readonly keys: readonly PlannedKey[];
  readonly tlsChecks: readonly PlannedTlsCheck[];
  readonly filesDir: string;
  readonly files: readonly PlannedFile[];
  readonly templates: readonly PlannedTemplate[];
  readonly proxies: readonly PlannedProxy[];
  /** Absent when `status` is not configured. */
  readonly status?: PlannedStatus;
  /** In start order (config order). */
  readonly processes: readonly PlannedProcess[];
  /** Everything started, in order: `status endpoint` (first, when configured), `proxy NAME` (before-processes), `process NAME`, `proxy NAME` (after). */
  readonly startOrder: readonly string[];
  readonly overrides: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}
