// The plan: what `teeinit run` will fetch, derive, check, write and start, and from whom,
// in the order it does so. Built from the loaded config alone (no network, no secret file
// read), it is the pipeline's input: `run` executes it and `teeinit plan` prints it. Its
// printed form (toJSON, PlanDocument) holds names, paths and modes, never a secret value.
import type { SecretUse } from '../config/refresh-dependencies.js';
import type { TemplateReference } from '../config/template-references.js';
import type { AttestPolicy, Config, ProcessConfig, ProxyConfig } from '../config/types.js';

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

/** The three namespaces a file (and a template reference) can name. */
export type FileSource = 'secret' | 'key' | 'template';

/** One file `run` writes into files.dir: the plan's and the writer's one description. */
export interface PlannedFile {
  /** The secret, key or template written: its name in `{{ file NAME }}`. */
  readonly from: string;
  readonly kind: FileSource;
  /** The file's name in files.dir. */
  readonly fileName: string;
  /** files.dir joined with fileName: what `{{ file NAME }}` becomes. */
  readonly path: string;
  readonly mode: number;
  readonly owner?: string;
  readonly group?: string;
  /** `hex` only for a derived key. */
  readonly encoding: 'raw' | 'hex';
  /** The secrets its bytes are made from (itself, a key's shares, a template's references). */
  readonly secrets: ReadonlySet<string>;
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
  /** What startProxy is given. */
  readonly config: ProxyConfig;
  /** The secrets its TLS context is built from (config/refresh-dependencies). */
  readonly secrets: ReadonlySet<string>;
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
  /** What the supervisor launches (argv and env rendered from it with the material). */
  readonly config: ProcessConfig;
  /** The secrets it is given, as files or as values (config/refresh-dependencies). */
  readonly uses: SecretUse;
}

/** The teeinit-wide health/status endpoint (`status.listen`). */
export interface PlannedStatus {
  readonly listen: string;
  /** `/status` and `/metrics` only on loopback. */
  readonly paths: readonly string[];
}

/** What `run` checks before anything starts (src/preflight/). */
export interface PlannedPreflight {
  /** Guarded variables `run` may find set (`environment.accept`). */
  readonly acceptedEnvironment: readonly string[];
  /** Whether `run` may start as PID 1 (`unsafeAllowPid1`). */
  readonly pid1Allowed: boolean;
}

/** One thing `run` starts, in order: the status endpoint, a proxy, a supervised process. */
export type PlannedStep =
  | { readonly kind: 'status'; readonly status: PlannedStatus }
  | { readonly kind: 'proxy'; readonly proxy: PlannedProxy }
  | { readonly kind: 'process'; readonly process: PlannedProcess };

export interface Plan {
  /** The loaded config the plan was built from (read by identity, fetch, derive, render). */
  readonly config: Config;
  readonly hash: string;
  readonly preflight: PlannedPreflight;
  readonly collaborators: readonly PlannedCollaborator[];
  readonly fetches: readonly PlannedFetch[];
  readonly keys: readonly PlannedKey[];
  readonly tlsChecks: readonly PlannedTlsCheck[];
  readonly filesDir: string;
  /** In write order: TLS private keys, certificates, other secrets and keys, templates. */
  readonly files: readonly PlannedFile[];
  readonly templates: readonly PlannedTemplate[];
  readonly proxies: readonly PlannedProxy[];
  /** Absent when `status` is not configured. */
  readonly status?: PlannedStatus;
  /** In start order (config order). */
  readonly processes: readonly PlannedProcess[];
  /**
   * Everything started, in order: the status endpoint (first, when configured), the proxies
   * started before the processes, the processes, the proxies started after them.
   */
  readonly startOrder: readonly PlannedStep[];
  readonly overrides: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  /** Every template reference of the config (which process or template names what). */
  readonly references: readonly TemplateReference[];
  /** The printed form (`teeinit plan --json`). */
  toJSON(): PlanDocument;
}

/** What `teeinit plan --json` prints: the plan without config objects, modes in octal. */
export interface PlanDocument extends Pick<
  Plan,
  | 'hash'
  | 'preflight'
  | 'collaborators'
  | 'fetches'
  | 'keys'
  | 'tlsChecks'
  | 'filesDir'
  | 'templates'
  | 'status'
  | 'overrides'
  | 'warnings'
> {
  /** In the order of `files.entries`; `mode` in octal, e.g. "0400". */
  readonly files: readonly {
    readonly from: string;
    readonly path: string;
    readonly mode: string;
    readonly owner?: string;
    readonly group?: string;
    readonly encoding: 'raw' | 'hex';
  }[];
  readonly proxies: readonly Omit<PlannedProxy, 'config' | 'secrets'>[];
  readonly processes: readonly Omit<PlannedProcess, 'config' | 'uses'>[];
  /** `status endpoint`, `proxy NAME`, `process NAME`. */
  readonly startOrder: readonly string[];
}
