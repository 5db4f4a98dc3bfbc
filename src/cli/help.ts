// Help texts: one overview and one per command.

export const DEFAULT_CONFIG_PATH = '/etc/teeinit/config.yaml';

const CONFIG_FLAG = `  -c, --config FILE   config file baked into the image (default ${DEFAULT_CONFIG_PATH});
                      TEEINIT_CONFIG is ignored on purpose: the environment belongs to
                      the VM operator, the config to the image`;

export const HELP: Readonly<Record<string, string>> = {
  '': `Usage: teeinit <command> [options]

The entrypoint of a Confidential Space container: proves the image with the TEE's
attestation token, fetches each collaborator's secrets with that collaborator's own
credential, checks them, writes them to tmpfs, then starts and supervises the application
and can terminate mTLS or TLS-PSK in front of it.

Commands:
  run        fetch, check and write the secrets, then start proxies and processes
  validate   check a config file, without any network call
  plan       show what run would fetch, check, write and start, without any network call
  version    print teeinit's and Node.js's versions
  attest     verify an attestation token against a policy (attest verify)
  collaborators
             print the gcloud commands each collaborator runs for an image digest
  shares     the dealer's ceremony for threshold keys (shares split, shares combine)

Run 'teeinit <command> --help' for a command's options and an example.
The command line is the image's: an unknown or repeated option, any word beyond the
command, and anything after '--' (e.g. an operator's tee-cmd appended to the ENTRYPOINT)
are refused, so no one can add a second '-c' to pick another config file.

Example:
  teeinit plan -c examples/redis/teeinit.yaml
`,
  run: `Usage: teeinit run [-c FILE]

Reads the config, exchanges the attestation token for each collaborator, fetches and checks
every secret, writes the files, starts proxies and processes in order and supervises them
until they exit or a signal arrives; then removes every secret file. Exits with the
application's exit code. If a secret, check or reference fails, nothing starts and one
line on stderr names the cause and the fix.

Before anything else it refuses to start: as PID 1 (run it under tini; or set
unsafeAllowPid1), while a variable that changes Node.js or an HTTP client is set and the
config's environment.accept does not list it (NODE_OPTIONS, NODE_EXTRA_CA_CERTS, proxies…),
and while Node's inspector is open or, on a Node that has the flag, without
--disable-sigusr1. Every signal is handled: see docs/signals.md.

Options:
${CONFIG_FLAG}
  -h, --help          show this help

Example (the entrypoint of the examples' images, tini as PID 1, teeinit bundled):
  ENTRYPOINT ["/usr/bin/tini", "--", "node", "--disable-sigusr1", "/opt/teeinit/teeinit.mjs", "run", "-c", "/etc/teeinit/config.yaml"]
The ENTRYPOINT holds the whole command and the image sets no CMD; keep the launch policy's
allow_cmd_override false (docs/configuration.md, "The command line").
`,
  validate: `Usage: teeinit validate [-c FILE]

Checks the config without any network call: schema, references between keys, templates,
operator overrides. Prints "config OK", the config's SHA-256 (the hash run logs first),
each threshold key (any T of its N shares, and whose they are) and any warnings; exits 0
when the config is valid.

Options:
${CONFIG_FLAG}
  -h, --help          show this help

Example:
  teeinit validate -c examples/postgres/teeinit.yaml
`,
  plan: `Usage: teeinit plan [-c FILE] [--json]

Shows what run would do, without any network call: the collaborators, which secret is
fetched from whom, the keys derived (a threshold key as any T of its N shares), the
checks, the files with their modes and owners, and the proxies and processes in start
order. Never a secret value.

Options:
${CONFIG_FLAG}
      --json          print the plan as JSON
  -h, --help          show this help

Example:
  teeinit plan -c examples/psk/teeinit.yaml --json
`,
  attest: `Usage: teeinit attest verify --token FILE --policy FILE [--jwks FILE | --root FILE]
                              [--nonce HEX] [--json]

Checks one Confidential Space attestation token against an attestation policy with the
code teeinit's attested proxies use: the signature (OIDC: the issuer's JWKS, from the
discovery document or --jwks; PKI: the x5c chain to the policy's root, Google's by
default, or --root), exp/nbf/iat within the policy's clockSkew, the nonce, then every
claim the policy pins. Prints the relevant claims, never the token.

Options:
      --token FILE    the token (one compact JWT)
      --policy FILE   the policy, YAML or JSON (docs/attested-channel.md#policy)
      --jwks FILE     the issuer's JWKS, offline (instead of the discovery document)
      --root FILE     the PKI root certificate, PEM (instead of the policy's)
      --nonce HEX     a nonce the token must carry in eat_nonce
      --json          print the result as one JSON object
  -h, --help          show this help

Each option may be given once. Exit codes: 0 admitted; 77 refused (the reason,
attestation-..., is printed; docs/attested-channel.md#reasons); 66 a file cannot be read
or is not what it should be; 69 the issuer's keys cannot be fetched; 78 the policy is
invalid; 64 a usage error.

Example:
  teeinit attest verify --token peer.jwt --policy policy.yaml --root confidential_space_root.crt
`,
  collaborators: `Usage: teeinit collaborators [-c FILE] --image-digest sha256:HEX[,sha256:HEX...]
                             [--collaborator NAME] [--workload-service-account EMAIL]
                             [--operator-project ID] [--json]

Prints, for each collaborator of the config (or the one named), the gcloud commands it
runs in its own projects so that the image may fetch its secrets, and nothing more: the
APIs, a Workload Identity pool and an OIDC provider whose condition admits only production
Confidential Space images with the digest, the secrets and the versions the config pins
(--data-file names a placeholder file to fill; never a value), and the grants (to the
image's principal set, or through collaborators.NAME.serviceAccount). Derived from the
config alone, without any network call. Copy-pasteable shell, with comments on what each
step is for (docs/deployment.md#generate-each-collaborators-commands).

Options:
${CONFIG_FLAG}
      --image-digest D     the image digest(s) to admit, sha256:<64 hex>; several images
                           (a calling TEE, a rollout) comma-separated
      --collaborator NAME  only this collaborator's commands
      --workload-service-account EMAIL
                           the condition also requires the VM to run as this service
                           account (the operator's)
      --operator-project ID
                           the condition also requires the VM to run in this project
      --json               the setup as JSON: per collaborator its resources, commands
                           (argv) and shell block
  -h, --help               show this help

Each option may be given once. Exit codes: 0 printed; 64 a usage error, a malformed
digest (TEEINIT_IMAGE_DIGEST_INVALID) or an undeclared collaborator
(TEEINIT_COLLABORATOR_UNKNOWN); 78 the config is invalid (as teeinit validate reports it;
template files that live only in the image are not read).

Example:
  teeinit collaborators -c examples/psk/teeinit.yaml --image-digest "$DIGEST" \\
    --workload-service-account wl-sa@op-proj.iam.gserviceaccount.com --collaborator bob
`,
  shares: `Usage: teeinit shares split --threshold T --shares N --out DIR [--secret-file FILE]
       teeinit shares combine FILE... [--write-secret FILE]
                              [--write-psk FILE --info TEXT [--salt TEXT] [--length L]]
                              [--print-secret]

The one-time ceremony of a threshold key (keys.NAME.threshold, docs/psk.md), run by a
dealer outside the TEE, never inside an image.

split writes N share files into DIR (created 0700 if missing; a symbolic link is
refused), any T of which recover the secret: share-1-of-N … share-N-of-N, each mode
0600, never over an existing file.
The secret is a fresh random 32 bytes unless --secret-file gives one (16 to 64 bytes,
raw or hex text). Prints the key id, the files and what to do with each; never the
secret or a share.

combine checks that the share files recombine consistently (one split, distinct x
coordinates, each share on the secret its key id names) and prints the key id and T of
N. A client that needs the key writes it to a new 0600 file: --write-secret FILE (the
recovered secret) or --write-psk FILE (the PSK teeinit derives: HKDF-SHA256 of the
secret with --info, the key's keys.NAME.info, --salt, default teeinit-psk-v1, and
--length, default 32). Nothing secret reaches stdout unless --print-secret is given
(the secret as hex on stdout, the report on stderr).

Options (split):
      --threshold T       shares needed to recover the secret, 2..255
      --shares N          shares written, T..255 (one per collaborator)
      --out DIR           where the share files go
      --secret-file FILE  split this secret instead of a fresh random one
Options (combine):
      --write-secret FILE write the recovered secret (raw bytes, mode 0600)
      --write-psk FILE    write the derived PSK (raw bytes, mode 0600); needs --info
      --info TEXT         HKDF info of the key (keys.NAME.info: by default its name)
      --salt TEXT         HKDF salt (default teeinit-psk-v1)
      --length L          PSK bytes, 16..64 (default 32)
      --print-secret      print the recovered secret as hex on stdout
  -h, --help              show this help

Each option may be given once. Exit codes: 0 done; 64 usage; 65 a share is malformed
(TEEINIT_SHARE_INVALID) or the shares do not recombine (TEEINIT_SHARES_INCONSISTENT);
69 fewer shares than the threshold; 66 a file cannot be read; 73 a file cannot be
created (never overwritten).

Examples:
  teeinit shares split --threshold 2 --shares 3 --out /dev/shm/ceremony
  teeinit shares combine alice.share carol.share --write-psk psk.bin --info session-psk
`,
  version: `Usage: teeinit version

Prints teeinit's version and the Node.js version, one line on stdout; takes no option
but --help. Exit codes: 0 done; 64 usage.

Example:
  teeinit version
`,
};
