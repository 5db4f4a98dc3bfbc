// Help texts: one overview and one per command.

export const DEFAULT_CONFIG_PATH = '/etc/teeinit/config.yaml';

const CONFIG_FLAG = `  -c, --config FILE   config file baked into the image (default ${DEFAULT_CONFIG_PATH});
                      the TEEINIT_CONFIG variable is deliberately ignored: the environment
                      belongs to the VM operator, the config to the image`;

export const HELP: Readonly<Record<string, string>> = {
  '': `Usage: teeinit <command> [options]

Entrypoint for Confidential Space containers: attest, fetch secrets per collaborator,
write them to tmpfs, start and supervise the application, terminate mTLS / TLS-PSK.

Commands:
  run        fetch, check and write secrets, then start proxies and processes
  validate   check the config file (no network); prints its hash and warnings
  plan       show what run would fetch, derive, write and start (no network)
  version    print teeinit's and Node's versions

Run 'teeinit <command> --help' for a command's options.
Extra arguments (e.g. from tee-cmd) are rejected: argv comes from the image config.
`,
  run: `Usage: teeinit run [-c FILE]

Loads the config, obtains credentials, fetches and checks every secret, writes files,
starts proxies and processes, and supervises them until they exit or a signal arrives.

Options:
${CONFIG_FLAG}
  -h, --help          show this help
`,
  validate: `Usage: teeinit validate [-c FILE]

Checks the config (schema, references, templates, overrides) without any network call.
Prints "config OK", the config hash and any warnings; exit code 0 when valid.

Options:
${CONFIG_FLAG}
  -h, --help          show this help
`,
  plan: `Usage: teeinit plan [-c FILE] [--json]

Prints what run would do: collaborators, secrets fetched from whom, derived keys, checks,
files and modes, proxies and processes in start order. Never a secret value.

Options:
${CONFIG_FLAG}
      --json          print the plan as JSON
  -h, --help          show this help
`,
  version: `Usage: teeinit version

Prints teeinit's version and the Node.js version.
`,
};
