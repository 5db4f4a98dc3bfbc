// `teeinit-emulator gcloud ARGS…`: the gcloud command lines a collaborator runs (those
// `teeinit collaborators` prints, and the secrets and bindings commands around them),
// applied to a running emulator through the same REST surfaces gcloud talks to. A
// command it does not know is refused, never ignored.
import { resolve } from 'node:path';
import { toTeeinitError } from '../../src/errors/index.js';
import { usage } from '../seed/cli-args.js';
import { COMMANDS, IAM_COMMANDS, type CliIo } from '../seed/commands.js';
import {
  createOidcProvider,
  createPool,
  createServiceAccount,
  enableServices,
} from './iam-commands.js';

type Command = (argv: readonly string[], io: CliIo) => Promise<void>;

export interface GcloudOptions {
  /** Where a relative `--data-file` is read from (default: the working directory). */
  readonly baseDir?: string;
}

const GCLOUD: Readonly<Record<string, Command>> = {
  'services enable': enableServices,
  'iam workload-identity-pools create': createPool,
  'iam workload-identity-pools providers create-oidc': createOidcProvider,
  'iam service-accounts create': createServiceAccount,
  ...Object.fromEntries(
    Object.entries(IAM_COMMANDS).map(([k, c]) => [`iam service-accounts ${k}`, c]),
  ),
  ...Object.fromEntries(Object.entries(COMMANDS).map(([k, c]) => [`secrets ${k}`, c])),
};

/** The longest known command at the start of `argv`, and the words after it. */
function lookup(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  for (let n = Math.min(5, argv.length); n > 0; n -= 1) {
    const command = GCLOUD[argv.slice(0, n).join(' ')];
    if (command !== undefined) return { command, rest: argv.slice(n) };
  }
  return undefined;
}

/** `--data-file F` / `--data-file=F` relative to `baseDir` (stdin `-` as is). */
function resolveDataFiles(argv: readonly string[], baseDir: string): string[] {
  const out = [...argv];
  out.forEach((arg, i) => {
    if (arg.startsWith('--data-file=') && arg !== '--data-file=-') {
      out[i] = `--data-file=${resolve(baseDir, arg.slice('--data-file='.length))}`;
    } else if (arg === '--data-file' && out[i + 1] !== undefined && out[i + 1] !== '-') {
      out[i + 1] = resolve(baseDir, out[i + 1]!);
    }
  });
  return out;
}

/** Applies one gcloud command (argv without `gcloud`); throws TeeinitError on failure. */
export async function runGcloud(
  argv: readonly string[],
  io: CliIo,
  options: GcloudOptions = {},
): Promise<void> {
  const words = argv[0] === 'gcloud' ? argv.slice(1) : argv;
  const found = lookup(words);
  if (found === undefined) {
    throw usage(`gcloud ${words.slice(0, 5).join(' ')}: not a command the emulator applies`);
  }
  await found.command(resolveDataFiles(found.rest, options.baseDir ?? process.cwd()), io);
}

export const GCLOUD_HELP = `Usage: teeinit-emulator gcloud GCLOUD-ARGS... [--emulator-state DIR]

Applies one gcloud command line to a running emulator, as gcloud would apply it to Google
(the words after "gcloud"; a leading "gcloud" is accepted too). Where the emulator is:
--emulator-state DIR or $TEEINIT_EMULATOR_STATE. A relative --data-file is read from the
working directory. Commands:

  services enable API... --project P        (accepted: every API is on)
  iam workload-identity-pools create ID --project P --location global
  iam workload-identity-pools providers create-oidc ID --project P --location global
      --workload-identity-pool POOL --issuer-uri URI [--allowed-audiences A,B]
      --attribute-mapping K=V,... [--attribute-condition CEL]
  iam service-accounts create NAME --project P
  iam service-accounts add-iam-policy-binding EMAIL [--project P] --member M --role R
  secrets create NAME --project P [--location L] [--data-file F]
  secrets versions add NAME --project P [--location L] --data-file F
  secrets update NAME --project P [--location L] --update-version-aliases ALIAS=N,...
  secrets add-iam-policy-binding NAME --project P [--location L] --member M --role R
  (and the other teeinit-emulator secrets commands)

A binding change takes effect after the emulator's IAM propagation delay, as on Google.
Run a whole script of them (what teeinit collaborators prints) with a gcloud on PATH that
calls this command: printf '#!/bin/sh\\nexec teeinit-emulator gcloud "$@"\\n' > bin/gcloud
`;

/** The CLI entry: exit 0, 1 (the emulator refused), 64 (usage) or 69 (unreachable). */
export async function runGcloudCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.out(GCLOUD_HELP);
    return argv.length === 0 ? 64 : 0;
  }
  try {
    await runGcloud(argv, io);
    return 0;
  } catch (error) {
    const e = toTeeinitError(error);
    io.err(`ERROR: ${e.message}`);
    if (e.code === 'TEEINIT_USAGE' || e.code === 'TEEINIT_NETWORK') io.err(e.hint);
    return e.code === 'TEEINIT_INTERNAL' && e.fields.httpStatus !== undefined ? 1 : e.exitCode;
  }
}
