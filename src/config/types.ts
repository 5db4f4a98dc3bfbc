// The normalized, frozen config every later stage reads: defaults filled in, durations in
// milliseconds, modes as numbers. The schema in schema.ts produces exactly this shape.

/** Milliseconds. In the file: "500ms", "10s", "2m", "1h" or a number of milliseconds. */
export type Millis = number;

/**
 * One collaborator: whose Workload Identity Federation provider mints the credential used
 * for that collaborator's secrets (and only those).
 * @example
 * alice:
 *   provider: //iam.googleapis.com/projects/111/locations/global/workloadIdentityPools/cs-pool/providers/attestation-verifier
 *   serviceAccount: reader@alice-proj.iam.gserviceaccount.com
 */
export interface CollaboratorConfig {
  /** `workload-identity` (default): attestation token → STS; `adc`: Application Default Credentials (local use); `none`: only `file` secrets. */
  readonly credentials: 'workload-identity' | 'adc' | 'none';
  /** Full provider resource name, `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X`. */
  readonly provider?: string;
  /** Optional service account to impersonate after the STS exchange. */
  readonly serviceAccount?: string;
  /**
   * With `refresh`: what happens to this collaborator's secrets (and the TLS bundles and
   * templates made from them) once it revoked its consent. `stop`: the proxies and
   * processes that use them stop and their files go; `keep` (default): they are served on,
   * with a WARNING each cycle. Keys follow their own `onRevoke` (docs/consent.md).
   */
  readonly onRevoke?: OnRevoke;
}

/** What a revocation does to the material it concerns (docs/consent.md). */
export type OnRevoke = 'stop' | 'keep';

/**
 * One secret to fetch.
 * @example
 * server-key: { from: alice, ref: projects/alice-proj/secrets/server-key/versions/3 }
 * dev-share:  { from: alice, source: file, path: ./dev/share.hex }
 */
export interface SecretConfig {
  readonly from: string;
  readonly source: 'gcp-secret-manager' | 'file';
  /** Secret Manager version name: `projects/P/secrets/S/versions/V` or `projects/P/locations/L/secrets/S/versions/V`. */
  readonly ref?: string;
  /** For `source: file`. */
  readonly path?: string;
}

/**
 * A key derived from PSK shares, one share per collaborator. Without `threshold` every
 * share is needed; with it, any `threshold` of the Shamir shares written by
 * `teeinit shares split` recover the secret the key is derived from.
 * @example
 * session-psk: { shares: [alice-share, bob-share], kdf: hkdf-sha256 }
 * quorum-psk:  { shares: [alice-share, bob-share, carol-share], threshold: 2 }
 */
export interface KeyConfig {
  readonly shares: readonly string[];
  /** t of a t-of-n key: from 2 to the number of shares (at most 255). Absent: n of n. */
  readonly threshold?: number;
  readonly kdf: 'hkdf-sha256' | 'sha256-concat';
  /** HKDF salt (UTF-8). Default "teeinit-psk-v1". */
  readonly salt: string;
  /** HKDF info (UTF-8). Default: the key's name. */
  readonly info: string;
  /** Output length in bytes (hkdf only). Default 32. */
  readonly length: number;
  /**
   * With `refresh`: what happens once fewer of its collaborators consent than the key needs
   * (any one for a key without `threshold`, fewer than t for a t-of-n key). Default `stop`,
   * whatever the collaborators' own `onRevoke` says.
   */
  readonly onRevoke?: OnRevoke;
}

/**
 * A certificate, its key and the CA it must chain to, checked before anything starts.
 * @example
 * server: { cert: server-cert, key: server-key, ca: ca, usage: server }
 */
export interface TlsBundleConfig {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  readonly usage: 'server' | 'client' | 'any';
}

/** How one secret, key or rendered template is written into the secrets directory. */
export interface FileEntryConfig {
  /** File name inside `files.dir`. Default: the secret/key/template name. */
  readonly name: string;
  readonly mode: number;
  /** User name or numeric uid; default: teeinit's own. */
  readonly owner?: string;
  /** Group name or numeric gid; default: the owner's primary group. */
  readonly group?: string;
  /** Keys only: `raw` bytes (default) or `hex`. */
  readonly encoding: 'raw' | 'hex';
}

/**
 * Where secret files go.
 * @example
 * files:
 *   dir: /run/secrets
 *   entries:
 *     server-key: { name: server.key, mode: "0600", owner: postgres }
 */
export interface FilesConfig {
  readonly dir: string;
  readonly unsafeAllowNonTmpfs: boolean;
  readonly defaultMode: number;
  readonly entries: Readonly<Record<string, FileEntryConfig>>;
}

/**
 * A config file rendered with templates into the secrets directory.
 * @example
 * envoy-config: { source: /etc/envoy/envoy.yaml.tmpl, mode: "0400" }
 */
export interface TemplateConfig {
  /** Path of the template in the image, or… */
  readonly source?: string;
  /** …inline content. Exactly one of the two. */
  readonly content?: string;
  /** Whether `{{ value NAME }}` may be used (the rendered file holds secret bytes). */
  readonly allowValue: boolean;
}

export interface ReadyConfig {
  readonly tcp?: string;
  readonly file?: string;
  readonly command?: readonly string[];
  readonly timeout: Millis;
  readonly interval: Millis;
}

export interface RestartConfig {
  readonly policy: 'never' | 'on-failure' | 'always';
  readonly backoff: Millis;
  readonly maxBackoff: Millis;
  /** Restarts allowed within `window` before teeinit gives up. */
  readonly maxRestarts: number;
  readonly window: Millis;
}

/**
 * A supervised process. argv is an array; templates are substituted by teeinit, never a shell.
 * @example
 * - name: redis
 *   run: [redis-server, --tls-cert-file, "{{ file server-cert }}"]
 *   user: redis
 *   ready: { tcp: "127.0.0.1:16379" }
 */
export interface ProcessConfig {
  readonly name: string;
  readonly run: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Pass teeinit's own environment through (default true; PATH, HOME…). */
  readonly inheritEnv: boolean;
  readonly cwd?: string;
  readonly user?: string;
  readonly group?: string;
  /** Allow `{{ value NAME }}` in run/env (warned: /proc exposes argv and environ). */
  readonly allowValue: boolean;
  readonly ready?: ReadyConfig;
  readonly restart: RestartConfig;
  readonly stopSignal: NodeJS.Signals;
  readonly stopTimeout: Millis;
  /** Prefix each output line with `[name] ` (default false: output passes through untouched). */
  readonly prefixOutput: boolean;
  /** What a refresh that changed a secret this process uses does to it (default `none`). */
  readonly onRefresh: OnRefreshConfig;
}

/**
 * A process's reaction to refreshed secrets: nothing (it re-reads files itself), a signal
 * (reload), or a restart (the only way new `{{ value }}` argv/env reach it).
 * @example
 * onRefresh: { signal: SIGHUP }
 */
export type OnRefreshConfig = 'none' | 'restart' | { readonly signal: NodeJS.Signals };

/**
 * Secret refresh (rotation): re-fetch every secret every `interval` (minus up to `jitter`),
 * swap files and proxy certificates when something changed, keep the old on failure.
 * @example
 * refresh: { interval: 1h, jitter: 5m, deadline: 2m, retry: { backoff: 10s, maxBackoff: 5m } }
 */
export interface RefreshConfig {
  readonly interval: Millis;
  /** Each wait is `interval` minus a uniform random part of up to `jitter`. */
  readonly jitter: Millis;
  /** A whole refresh cycle (identity, fetch, validate) must finish within this. */
  readonly deadline: Millis;
  /** After a failed cycle: first retry delay, doubling up to `maxBackoff` (and `interval`). */
  readonly retry: { readonly backoff: Millis; readonly maxBackoff: Millis };
  /**
   * How a withdrawal is told from an outage: a collaborator refused (403, NOT_FOUND,
   * FAILED_PRECONDITION, an STS refusal) in `confirmations` consecutive cycles, with
   * nothing of it fetched, has revoked its consent (docs/consent.md).
   */
  readonly revocation: { readonly confirmations: number };
}

/** mTLS peer authorization. A server proxy needs at least one rule or `allowAll: true`. */
export interface AuthorizeConfig {
  readonly allowAll: boolean;
  readonly commonNames: readonly string[];
  readonly dnsNames: readonly string[];
  /** URI SANs; `*` matches one path segment, a trailing `/**` any suffix (SPIFFE IDs). */
  readonly uris: readonly string[];
  /** Base64 SHA-256 of the peer's SubjectPublicKeyInfo. */
  readonly spkiSha256: readonly string[];
}

export interface ProxyLimitsConfig {
  readonly handshakeTimeout: Millis;
  readonly idleTimeout: Millis;
  readonly maxLifetime: Millis;
  readonly maxConnections: number;
  readonly connectTimeout: Millis;
  /**
   * Server modes: connections from one source (an IPv4 address, an IPv6 /64) still in the
   * TLS handshake; more are closed at accept (`handshakes-per-source`).
   */
  readonly maxHandshakesPerSource: number;
}

/**
 * mtls-server: the CA that verifies clients sending this SNI name, and the rules those
 * clients are checked against (and only those).
 * @example
 * sniCa:
 *   alice.example: { ca: alice-ca, authorize: { uris: ["spiffe://alice.test/**"] } }
 */
export interface SniCaEntry {
  /** Secret holding the CA certificate(s), PEM. */
  readonly ca: string;
  readonly authorize: AuthorizeConfig;
  /** The policy this entry's clients' evidence must meet, instead of the proxy's `attest.require`. */
  readonly attest?: { readonly require: AttestPolicy };
}

/**
 * What a proxy presents on each connection: a launcher token for `audience`, fetched at
 * start-up (before the proxy listens) and replaced at half its lifetime.
 * @example
 * present: { audience: https://ledger.example/attested, tokenType: PKI }
 */
export interface AttestPresentConfig {
  /** The `aud` of our token: what the peer's `require.audience` names. */
  readonly audience: string;
  readonly tokenType: AttestTokenType;
  /** The launcher's socket (default `attestation.socket`). */
  readonly socket: string;
  /** Start-up fails (nothing listens) when no token arrives within this. */
  readonly startupDeadline: Millis;
}

/**
 * A proxy's attested channel: our evidence (`present`), the peer's (`require`), or both.
 * docs/attested-channel.md.
 * @example
 * attest:
 *   present: { audience: https://ledger.example/attested }
 *   require: { audience: https://ledger.example/attested, imageDigests: [sha256:0f1e…] }
 */
export interface ProxyAttestConfig {
  readonly present?: AttestPresentConfig;
  readonly require?: AttestPolicy;
}

/**
 * A TLS terminator or originator run by teeinit itself.
 * @example
 * - { name: ingress, mode: psk-server, listen: "0.0.0.0:8081", target: "127.0.0.1:8080",
 *     psk: session-psk, identity: Client1 }
 */
export interface ProxyConfig {
  readonly name: string;
  readonly mode: 'mtls-server' | 'mtls-client' | 'psk-server' | 'psk-client';
  /** `host:port`, `[v6]:port` or `unix:/path`. */
  readonly listen: string;
  /** `host:port`, `[v6]:port` or `unix:/path`. */
  readonly target: string;
  /** mTLS: the tls bundle to present (server cert for servers, client cert for clients). */
  readonly tls?: string;
  /** mtls-server: per SNI server name (one per collaborator), its CA and its own rules. */
  readonly sniCa: Readonly<Record<string, SniCaEntry>>;
  /** PSK: identity → key name. */
  readonly identities: Readonly<Record<string, string>>;
  /** PSK: `1.3` (default) or `1.2` (ECDHE-PSK). */
  readonly tlsVersion: '1.2' | '1.3';
  readonly authorize: AuthorizeConfig;
  /** mtls-client: name expected in the server certificate (default: host of target). */
  readonly serverName?: string;
  readonly limits: ProxyLimitsConfig;
  /** Allow a plaintext side that is not loopback/unix. */
  readonly unsafeNonLoopback: boolean;
  /** Start before the processes (default, e.g. egress) or after them (ingress in front). */
  readonly start: 'before-processes' | 'after-processes';
  /** Optional `host:port` for a status endpoint (JSON counters) on loopback. */
  readonly status?: string;
  /** Absent: no attestation exchange on this proxy's connections. */
  readonly attest?: ProxyAttestConfig;
}

export interface FetchConfig {
  readonly callTimeout: Millis;
  readonly startupDeadline: Millis;
  readonly attempts: number;
  readonly initialBackoff: Millis;
  readonly maxBackoff: Millis;
  /**
   * How long, counted from the start of the fetch at start-up, a PERMISSION_DENIED (Secret
   * Manager access, generateAccessToken) is taken for an IAM grant still propagating and
   * retried; start-up may then last that long even past `startupDeadline`. 0: refuse at
   * once. Never applies in a refresh cycle.
   * @example
   * fetch: { permissionGrace: 10m }
   */
  readonly permissionGrace: Millis;
}

/** Google endpoints; overridable so the emulator (or a private endpoint) can stand in. */
export interface EndpointsConfig {
  readonly sts: string;
  readonly iamCredentials: string;
  /** Base URL of Secret Manager; regional names use `secretmanager.LOCATION.rep.googleapis.com` unless `secretManagerRegional` is set. */
  readonly secretManager: string;
  /** Template with `{location}` for regional secrets. */
  readonly secretManagerRegional: string;
}

/** A token type the launcher mints: `OIDC` (verified with the issuer's JWKS) or `PKI` (`x5c` to a root). */
export type AttestTokenType = 'OIDC' | 'PKI';

/**
 * What a peer's Confidential Space attestation token must show (a proxy's `attest.require`,
 * or the file `teeinit attest verify --policy` reads). Set keys must all hold; a list admits
 * any of its values. Paths are absolute once loaded.
 * @example
 * audience: https://teeinit.example/ledger
 * imageDigests: [sha256:0f1e…]
 * supportAttribute: STABLE
 */
export interface AttestPolicy {
  readonly audience: string;
  readonly tokenTypes: readonly AttestTokenType[];
  /** The `iss` claim and, for OIDC, the discovery document's `issuer`. */
  readonly issuer: string;
  readonly oidc: { readonly discoveryUrl?: string; readonly jwksFile?: string };
  readonly pki: { readonly rootFile?: string };
  readonly imageDigests: readonly string[];
  readonly imageReferencePrefixes: readonly string[];
  readonly imageSignatureKeyIds: readonly string[];
  readonly supportAttribute: 'STABLE' | 'USABLE' | 'LATEST' | 'unsafe-any';
  readonly unsafeAllowDebug: boolean;
  readonly hwmodels: readonly string[];
  readonly serviceAccounts: readonly string[];
  readonly projectIds: readonly string[];
  readonly clockSkew: Millis;
}

export interface AttestationConfig {
  readonly source: 'file' | 'teeserver';
  readonly tokenFile: string;
  readonly socket: string;
}

/**
 * Operator inputs the image config allow-lists. `{{ env NAME }}` may be used in processes
 * and templates only for names listed here, and the value must match the pattern.
 * @example
 * overrides:
 *   env:
 *     MAXMEMORY: { pattern: "^[0-9]+mb$", default: "64mb" }
 */
export interface OverridesConfig {
  readonly env: Readonly<Record<string, { readonly pattern: string; readonly default?: string }>>;
}

/**
 * Variables that change how Node.js or teeinit's HTTP clients behave (src/preflight/
 * guarded-variables.ts) and that `run` may nevertheless find set: any other guarded one
 * set (non-empty) refuses the start. A proxy variable accepted here is for the application;
 * teeinit's own calls never use a proxy.
 * @example
 * environment:
 *   accept: [GCE_METADATA_HOST]   # credentials: adc against a local metadata server
 */
export interface EnvironmentConfig {
  readonly accept: readonly string[];
}

export interface Config {
  readonly version: 1;
  readonly attestation: AttestationConfig;
  readonly endpoints: EndpointsConfig;
  readonly collaborators: Readonly<Record<string, CollaboratorConfig>>;
  readonly secrets: Readonly<Record<string, SecretConfig>>;
  readonly keys: Readonly<Record<string, KeyConfig>>;
  readonly tls: Readonly<Record<string, TlsBundleConfig>>;
  readonly files: FilesConfig;
  readonly templates: Readonly<Record<string, TemplateConfig>>;
  readonly proxies: readonly ProxyConfig[];
  readonly processes: readonly ProcessConfig[];
  readonly fetch: FetchConfig;
  readonly overrides: OverridesConfig;
  readonly environment: EnvironmentConfig;
  /**
   * Lets `run` start as PID 1 (no init above it), where orphans would stay zombies: Node
   * cannot wait for processes it did not start. Off: PID 1 refuses (TEEINIT_PID1_NO_REAPER).
   * @example
   * unsafeAllowPid1: true   # only if no process of the image ever leaves an orphan
   */
  readonly unsafeAllowPid1: boolean;
  readonly shutdown: { readonly stopTimeout: Millis };
  readonly log: { readonly level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' };
  /** Clock skew tolerated in certificate validity checks. */
  readonly clockSkew: Millis;
  /** Absent: secrets are fetched once at start-up. */
  readonly refresh?: RefreshConfig;
  /** Absent: no teeinit-wide health/status endpoint. */
  readonly status?: StatusConfig;
}

/**
 * The teeinit-wide health and status endpoint (`/healthz`, `/readyz`, `/status`,
 * `/metrics`). On a non-loopback address only `/healthz` and `/readyz` are served.
 * @example
 * status: { listen: "127.0.0.1:8089" }
 */
export interface StatusConfig {
  /** `host:port` (TCP). */
  readonly listen: string;
}
