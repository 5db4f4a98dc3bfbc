// Every default of the config file, in one place: the schema fills these in, the docs list
// them, and the JSON Schema shows them.

/** Durations are milliseconds here; the file may spell them "10s", "5m"... */
export const DEFAULTS = {
  attestation: {
    source: 'file',
    tokenFile: '/run/container_launcher/attestation_verifier_claims_token',
    socket: '/run/container_launcher/teeserver.sock',
  },
  endpoints: {
    sts: 'https://sts.googleapis.com',
    iamCredentials: 'https://iamcredentials.googleapis.com',
    secretManager: 'https://secretmanager.googleapis.com',
    secretManagerRegional: 'https://secretmanager.{location}.rep.googleapis.com',
  },
  files: { dir: '/run/secrets', unsafeAllowNonTmpfs: false, defaultMode: '0400' },
  fetch: {
    callTimeout: 10_000,
    startupDeadline: 60_000,
    attempts: 5,
    initialBackoff: 250,
    maxBackoff: 5_000,
    // Google IAM: a grant "typically" propagates in 2 minutes, "could potentially take 7
    // minutes or longer"; 10 minutes lets a boot right after the grant succeed.
    permissionGrace: 600_000,
  },
  restart: { policy: 'never', backoff: 1_000, maxBackoff: 30_000, maxRestarts: 5, window: 60_000 },
  process: {
    stopSignal: 'SIGTERM',
    stopTimeout: 10_000,
    inheritEnv: true,
    prefixOutput: false,
    onRefresh: 'none',
  },
  refresh: {
    interval: 3_600_000,
    deadline: 60_000,
    retry: { backoff: 10_000, maxBackoff: 300_000 },
    // A refusal seen in this many consecutive cycles (and nothing of the collaborator
    // fetched) is a revocation: with the default backoff, about 30 s after the first.
    revocation: { confirmations: 3 },
  },
  ready: { timeout: 30_000, interval: 100 },
  shutdown: { stopTimeout: 10_000 },
  proxyLimits: {
    handshakeTimeout: 10_000,
    idleTimeout: 300_000,
    maxLifetime: 0,
    maxConnections: 1024,
    connectTimeout: 5_000,
    maxHandshakesPerSource: 64,
  },
  proxy: { tlsVersion: '1.3', start: 'before-processes', unsafeNonLoopback: false },
  key: { kdf: 'hkdf-sha256', salt: 'teeinit-psk-v1', length: 32 },
  tls: { usage: 'any' },
  log: { level: 'INFO' },
  clockSkew: 300_000,
  attestPolicy: {
    issuer: 'https://confidentialcomputing.googleapis.com',
    tokenTypes: ['OIDC', 'PKI'],
    supportAttribute: 'STABLE',
    unsafeAllowDebug: false,
    hwmodels: ['GCP_AMD_SEV', 'GCP_AMD_SEV_ES', 'GCP_INTEL_TDX'],
    clockSkew: 60_000,
  },
  attestPresent: { tokenType: 'PKI', startupDeadline: 60_000 },
  unsafeAllowPid1: false,
} as const;

/** Upper bound of every duration: 24 hours (well below the 2^31 ms timer limit). */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;
