// The one registry of teeinit's error codes: each has a process exit code, a default
// message and a fix. docs/errors.md lists exactly these (a test keeps them equal).

/** Exit codes follow sysexits(3) where one fits, so scripts can tell classes apart. */
export const EXIT = {
  ok: 0,
  usage: 64,
  data: 65,
  noInput: 66,
  noUser: 67,
  unavailable: 69,
  software: 70,
  osErr: 71,
  cantCreate: 73,
  tempFail: 75,
  protocol: 76,
  noPerm: 77,
  config: 78,
  cannotExecute: 126,
  notFound: 127,
} as const;

export interface ErrorSpec {
  readonly exitCode: number;
  readonly message: string;
  readonly fix: string;
}

export const ERROR_CODES = {
  TEEINIT_USAGE: {
    exitCode: EXIT.usage,
    message: 'Invalid command line.',
    fix: 'Run `teeinit --help` (or `teeinit <command> --help`) for the accepted commands and flags.',
  },
  TEEINIT_CONFIG_NOT_FOUND: {
    exitCode: EXIT.config,
    message: 'The config file cannot be read.',
    fix: 'Pass the path of the config file baked into the image with `-c FILE`; check it exists and is readable.',
  },
  TEEINIT_CONFIG_PARSE: {
    exitCode: EXIT.config,
    message: 'The config file is not valid YAML or JSON.',
    fix: 'Fix the syntax error at the reported line and column.',
  },
  TEEINIT_CONFIG_INVALID: {
    exitCode: EXIT.config,
    message: 'The config does not match the schema.',
    fix: 'Change the key named in the message to what is expected; see docs/configuration.md.',
  },
  TEEINIT_CONFIG_REFERENCE: {
    exitCode: EXIT.config,
    message: 'The config refers to a name that is not declared.',
    fix: 'Declare the named collaborator, secret, key or file, or correct the reference.',
  },
  TEEINIT_CONFIG_LISTEN_CLASH: {
    exitCode: EXIT.config,
    message: 'Two listeners in the config would take the same port or unix socket.',
    fix: 'Give each of `proxies[].listen`, `proxies[].status` and `status.listen` its own port or socket path, or hosts that do not overlap: `0.0.0.0` takes the port on every IPv4 address, `[::]` on every IPv4 and IPv6 address, `localhost` on 127.0.0.1 and ::1.',
  },
  TEEINIT_TEMPLATE_INVALID: {
    exitCode: EXIT.config,
    message: 'A template in argv, env or a config file is invalid.',
    fix: 'Use `{{ file NAME }}`, `{{ value NAME }}` (only where `allowValue` is set) or `{{ env NAME }}` (only for names in `overrides.env`), optionally followed by `| json`, `| base64`, `| hex` or `| pem`; see docs/configuration.md.',
  },
  TEEINIT_TEMPLATE_VALUE_UNSAFE: {
    exitCode: EXIT.data,
    message:
      'A secret or override would be rendered raw with a line break or control character into a config file (or with NUL into argv/env), or is not what its filter accepts.',
    fix: 'Render it encoded, `{{ value NAME | json }}` (a quoted JSON string, also valid YAML), `| base64` or `| hex` in a form the program decodes, `| pem` for PEM blocks, or pass it as `{{ file NAME }}`; or have its owner store it without control characters (no trailing newline: `printf %s`, `echo -n`).',
  },
  TEEINIT_OVERRIDE_REJECTED: {
    exitCode: EXIT.config,
    message: 'An operator-supplied override is not allowed or not valid.',
    fix: 'Only variables listed in `overrides.env` are read, each must match its pattern, and extra command-line arguments are refused; fix or unset the variable, or allow-list it in the image config.',
  },
  TEEINIT_ENV_REFUSED: {
    exitCode: EXIT.config,
    message:
      "A variable that changes how Node.js or teeinit's HTTP clients behave is set, and the config does not accept it.",
    fix: 'Unset the variable (in the image or the launch policy), or, if the image means teeinit to run with it, list it in `environment.accept`. NODE_TLS_REJECT_UNAUTHORIZED, NODE_USE_ENV_PROXY and --use-env-proxy are never accepted. See docs/configuration.md#environment.',
  },
  TEEINIT_INSPECTOR_REACHABLE: {
    exitCode: EXIT.config,
    message: "Node's inspector is open, or a signal could open it.",
    fix: 'Start teeinit as `node --disable-sigusr1 teeinit.mjs run …` (Node 22.14 and later have the flag; the images do this) and never with --inspect; see docs/signals.md.',
  },
  TEEINIT_PID1_NO_REAPER: {
    exitCode: EXIT.config,
    message:
      'teeinit is PID 1: orphaned processes would never be reaped and stay zombies (Node cannot wait for processes it did not start).',
    fix: 'Run teeinit under an init that reaps: tini as the ENTRYPOINT (`/usr/bin/tini -- node --disable-sigusr1 teeinit.mjs run -c …`, as the examples do) or `docker run --init`. Only if no process of the image ever leaves an orphan, set `unsafeAllowPid1: true`.',
  },
  TEEINIT_TOKEN_UNAVAILABLE: {
    exitCode: EXIT.unavailable,
    message: 'The attestation token cannot be read.',
    fix: 'Run inside Confidential Space (or the emulator) and check `attestation.tokenFile` / `attestation.socket`; the token file must exist and be non-empty. The launcher answering HTTP 500 on its socket (it could not attest) is retried until `fetch.startupDeadline` (a proxy that presents evidence: until `proxies[].attest.present.startupDeadline`, and nothing listens); raise it if the launcher needs longer.',
  },
  TEEINIT_TOKEN_EXPIRED: {
    exitCode: EXIT.unavailable,
    message: 'The attestation token has expired.',
    fix: 'The launcher refreshes the token file; check the clock and that the launcher is running.',
  },
  TEEINIT_IDENTITY_REJECTED: {
    exitCode: EXIT.noPerm,
    message: "A collaborator's Workload Identity provider rejected the attestation token.",
    fix: "The collaborator's attribute condition or allowed audiences do not accept this image (debug image, other digest, wrong provider); ask the collaborator to check the provider, or fix `collaborators.<name>.provider`.",
  },
  TEEINIT_IMPERSONATION_DENIED: {
    exitCode: EXIT.noPerm,
    message: 'Service account impersonation was denied.',
    fix: 'The collaborator must grant roles/iam.workloadIdentityUser on the service account to the workload principal, or remove `serviceAccount`. A grant made just before boot may still be propagating: at start-up teeinit waits up to `fetch.permissionGrace` before this error.',
  },
  TEEINIT_UNAUTHENTICATED: {
    exitCode: EXIT.noPerm,
    message: 'A Google API refused the credentials.',
    fix: 'The access token is invalid or expired; check the clock and the collaborator configuration.',
  },
  TEEINIT_PERMISSION_DENIED: {
    exitCode: EXIT.noPerm,
    message: 'Permission denied on a secret.',
    fix: "The collaborator must grant roles/secretmanager.secretAccessor on the secret to this workload's principal (or impersonated service account). A grant made just before boot may still be propagating: at start-up teeinit waits up to `fetch.permissionGrace` before this error; in a refresh it means the grant was withdrawn.",
  },
  TEEINIT_SECRET_NOT_FOUND: {
    exitCode: EXIT.unavailable,
    message: 'A secret or secret version does not exist.',
    fix: 'Check `secrets.<name>.ref` (project, secret id, version) with the collaborator that owns it.',
  },
  TEEINIT_SECRET_DISABLED: {
    exitCode: EXIT.unavailable,
    message: 'A secret version is disabled or destroyed.',
    fix: 'Ask the collaborator to enable the version, or pin another version in `secrets.<name>.ref`.',
  },
  TEEINIT_SECRET_CHECKSUM: {
    exitCode: EXIT.data,
    message: 'A secret payload failed its CRC32C check.',
    fix: 'The payload was corrupted in transit or storage; retry, and report it to the collaborator if it persists.',
  },
  TEEINIT_SECRET_UNAVAILABLE: {
    exitCode: EXIT.unavailable,
    message:
      'A secret could not be fetched: the service was unavailable or rate limited after all retries, or failed in a way that is not retried.',
    fix: 'Check the network path to Secret Manager and quotas; raise `fetch.attempts` or `fetch.startupDeadline` if the service is slow. INTERNAL (HTTP 500), DEADLINE_EXCEEDED (504) and 408 are not retried (Google API guidance, AIP-194): start again, and report it if it persists.',
  },
  TEEINIT_DEADLINE_EXCEEDED: {
    exitCode: EXIT.unavailable,
    message: 'A deadline was exceeded.',
    fix: 'The remote service did not answer in time; check the network, or raise `fetch.callTimeout` / `fetch.startupDeadline`.',
  },
  TEEINIT_NETWORK: {
    exitCode: EXIT.unavailable,
    message: 'A network call failed.',
    fix: 'Check DNS, routes and the endpoint named in the message.',
  },
  TEEINIT_CERT_INVALID: {
    exitCode: EXIT.data,
    message: 'A certificate or key is not valid PEM.',
    fix: 'The named secret must hold PEM (certificate, chain or private key); check what the collaborator stored.',
  },
  TEEINIT_CERT_KEY_MISMATCH: {
    exitCode: EXIT.data,
    message: 'A certificate does not match its private key.',
    fix: 'Store the key that belongs to the certificate (or rotate both together); write the key first during rotation.',
  },
  TEEINIT_CERT_EXPIRED: {
    exitCode: EXIT.data,
    message: 'A certificate is outside its validity window.',
    fix: 'Issue a new certificate, or check the clock (tolerance: `clockSkew`).',
  },
  TEEINIT_CERT_CHAIN: {
    exitCode: EXIT.data,
    message: 'A certificate does not chain to the configured CA.',
    fix: 'Store the certificate issued by the configured CA, or configure the CA that issued it.',
  },
  TEEINIT_CERT_USAGE: {
    exitCode: EXIT.data,
    message: 'A certificate does not allow the usage it is configured for.',
    fix: 'Issue the certificate with extendedKeyUsage serverAuth (server) or clientAuth (client).',
  },
  TEEINIT_SHARE_INVALID: {
    exitCode: EXIT.data,
    message: 'A PSK share is not acceptable.',
    fix: 'Shares of a key without `threshold` must be hex or raw bytes, at least 16 bytes, all the same length, not all zero, and distinct. Shares of a threshold key must be the `teeinit-share-v1:T:N:KEYID:X:Y` lines `teeinit shares split` wrote, stored unchanged, from a split with the T and N of `keys.<name>.threshold` and `keys.<name>.shares` (docs/psk.md#share-format). At start-up and refresh an invalid share of a threshold key is logged and left out; the key fails only if fewer than T shares remain.',
  },
  TEEINIT_SHARES_INCONSISTENT: {
    exitCode: EXIT.data,
    message: 'Threshold shares do not recombine to one secret.',
    fix: 'The message names the shares: one from another split (another key id), two with the same x coordinate (a copy), or one altered. Each collaborator must store, unchanged, the share file the dealer gave it from one `teeinit shares split`; `teeinit shares combine` checks a set of share files.',
  },
  TEEINIT_THRESHOLD_NOT_MET: {
    exitCode: EXIT.unavailable,
    message: 'Fewer usable shares than the threshold of a key.',
    fix: "The message names each share that is missing and why (its fetch error, or why it was refused). Fix enough of them to reach the threshold: usually a collaborator's grant, secret version or provider (see that error's own fix), or a share stored from another split.",
  },
  TEEINIT_SHARES_INPUT: {
    exitCode: EXIT.noInput,
    message: 'A file given to `teeinit shares` cannot be read.',
    fix: 'Check the path named in the message: a share file holds one line written by `teeinit shares split`; --secret-file holds 16 to 64 bytes (raw, or as hex text).',
  },
  TEEINIT_SHARES_OUTPUT: {
    exitCode: EXIT.cantCreate,
    message: 'A file `teeinit shares` writes cannot be created.',
    fix: 'teeinit never overwrites a share or secret file: choose a new --out directory or output path, or remove the old files once they are no longer needed (shred them: they are secret).',
  },
  TEEINIT_NOT_TMPFS: {
    exitCode: EXIT.config,
    message: 'The secrets directory is not on tmpfs.',
    fix: 'Mount a tmpfs there (`tee-mount=type=tmpfs,source=tmpfs,destination=/run/secrets`), or set `files.unsafeAllowNonTmpfs: true` for local development only.',
  },
  TEEINIT_SECRETS_DIR_UNSAFE: {
    exitCode: EXIT.config,
    message:
      'The secrets directory lets other users list or write it, and teeinit cannot make it safe.',
    fix: "teeinit sets a directory it owns to 0700 (0711 when files belong to other users): give `files.dir` to the user teeinit runs as (the Confidential Space `tee-mount` tmpfs is root's, as teeinit is in the images), or mount it with `mode=0700`; never share it with other users.",
  },
  TEEINIT_MATERIALIZE_FAILED: {
    exitCode: EXIT.cantCreate,
    message: 'A secret file could not be written.',
    fix: 'Check that the secrets directory exists, is writable by teeinit, and that the owner named in the config exists.',
  },
  TEEINIT_USER_UNKNOWN: {
    exitCode: EXIT.noUser,
    message: 'A user or group named in the config does not exist.',
    fix: 'Create the user in the image or use a numeric uid:gid.',
  },
  TEEINIT_SPAWN_NOT_FOUND: {
    exitCode: EXIT.notFound,
    message: 'A process binary was not found.',
    fix: 'Check `processes[].run[0]`: install the binary in the image or give its absolute path.',
  },
  TEEINIT_SPAWN_FAILED: {
    exitCode: EXIT.cannotExecute,
    message: 'A process could not be started.',
    fix: 'Check the binary is executable by the configured user and the working directory exists.',
  },
  TEEINIT_READY_TIMEOUT: {
    exitCode: EXIT.tempFail,
    message: 'A process did not become ready in time.',
    fix: 'Check the process log; raise `processes[].ready.timeout` or fix the readiness check.',
  },
  TEEINIT_STARTUP_EXITED: {
    exitCode: EXIT.software,
    message: 'A process exited while the processes were still starting.',
    fix: 'Check the process log for why it exited; teeinit exits with that exit code of the process.',
  },
  TEEINIT_RESTART_LIMIT: {
    exitCode: EXIT.software,
    message: 'A process kept failing and reached its restart limit.',
    fix: 'Check the process log for why it exits; teeinit exits with the last exit code of the process.',
  },
  TEEINIT_STARTUP_CANCELLED: {
    exitCode: 128 + 15,
    message: 'Start-up was cancelled by a signal.',
    fix: 'Nothing to fix: the container was asked to stop before the application started.',
  },
  TEEINIT_REFRESH_NEEDS_RESTART: {
    exitCode: EXIT.config,
    message:
      'A process receives a refreshable secret as a value in argv/env but is not restarted on refresh.',
    fix: 'Set `onRefresh: restart` on the process, pin the secret to a version number, or give it the secret as `{{ file NAME }}` and reload it with `onRefresh: { signal: SIGHUP }`.',
  },
  TEEINIT_CONSENT_REVOKED: {
    exitCode: EXIT.protocol,
    message:
      'A collaborator revoked its consent: every proxy and process that used its material was stopped, and nothing was left to serve.',
    fix: 'The log names the collaborator, what it refused and the likely cause (binding removed, version disabled, provider disabled, image no longer STABLE-supported or not admitted). If the withdrawal was meant, nothing is to be done. Otherwise the collaborator restores its grant (or you roll the VM to an image its provider admits), then restart teeinit: a revocation lasts for the life of the run. See docs/consent.md.',
  },
  TEEINIT_REFRESH_STOP_TIMEOUT: {
    exitCode: EXIT.config,
    message:
      'A process restarted on refresh may take longer to stop (stopTimeout) than a whole refresh may take (refresh.deadline).',
    fix: "Lower the process's `stopTimeout` below `refresh.deadline`, or raise `refresh.deadline` (it must also leave time to fetch and start the process again).",
  },
  TEEINIT_REFRESH_DEADLINE: {
    exitCode: EXIT.tempFail,
    message: 'A secret refresh did not finish within refresh.deadline.',
    fix: "Logged as a warning only: teeinit keeps serving the previous secrets and retries with backoff. Check the network and the collaborators' services, or raise `refresh.deadline`.",
  },
  TEEINIT_STARTUP_DEADLINE: {
    exitCode: EXIT.unavailable,
    message: 'Start-up did not finish within its deadline.',
    fix: 'Check which step the log names as slow; raise `fetch.startupDeadline` if the services are slow.',
  },
  TEEINIT_PROXY_LISTEN: {
    exitCode: EXIT.osErr,
    message: 'A proxy could not listen on its address.',
    fix: 'Check `proxies[].listen`: the port may be in use or need privileges.',
  },
  TEEINIT_STATUS_LISTEN: {
    exitCode: EXIT.osErr,
    message: 'The status endpoint could not listen on its address.',
    fix: 'Check `status.listen`: the port may be in use (by another process or a proxy) or need privileges.',
  },
  TEEINIT_PROXY_TLS: {
    exitCode: EXIT.data,
    message: 'A proxy TLS context could not be built.',
    fix: 'Check the certificate, key, CA or PSK the proxy names.',
  },
  TEEINIT_ATTEST_INPUT: {
    exitCode: EXIT.noInput,
    message:
      'A file given to `teeinit attest verify` or named by a policy cannot be read or is not what it should be.',
    fix: 'Check the path named in the message: --token holds one compact JWT, --policy a policy (docs/attested-channel.md#policy), --jwks (or `oidc.jwksFile`) a JWKS JSON document, --root (or `pki.rootFile`) a PEM CA certificate. A proxy whose `attest.require` names such a file does not start without it.',
  },
  TEEINIT_ATTEST_REFUSED: {
    exitCode: EXIT.noPerm,
    message: 'The attestation token does not pass the policy.',
    fix: 'The reason (attestation-…) names the failed check; docs/attested-channel.md#reasons says what each means. Change the policy only if the peer is one you mean to admit.',
  },
  TEEINIT_ATTEST_KEYS_UNAVAILABLE: {
    exitCode: EXIT.unavailable,
    message: "The issuer's keys cannot be fetched.",
    fix: 'Check network access to the discovery document and JWKS named in the message, or pass them offline with --jwks FILE (or `oidc.jwksFile` in the policy).',
  },
  TEEINIT_IMAGE_DIGEST_INVALID: {
    exitCode: EXIT.usage,
    message: 'An image digest given to `teeinit collaborators` is malformed.',
    fix: 'Pass the digest of the pushed image as `--image-digest sha256:<64 lowercase hex digits>` (`gcloud artifacts docker images describe IMAGE --format="value(image_summary.digest)"`); several images, comma-separated, each once.',
  },
  TEEINIT_COLLABORATOR_UNKNOWN: {
    exitCode: EXIT.usage,
    message: 'The collaborator asked for is not declared in the config.',
    fix: 'Pass `--collaborator` one of the names under `collaborators:` in the config (the message lists them), or leave it out for every collaborator.',
  },
  TEEINIT_INTERNAL: {
    exitCode: EXIT.software,
    message: 'Internal error.',
    fix: 'This is a bug in teeinit; please report it with the log (it holds no secret values).',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
