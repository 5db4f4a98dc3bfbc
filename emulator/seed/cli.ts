// `teeinit-emulator secrets …`, `teeinit-emulator iam service-accounts …` and
// `teeinit-emulator seed FILE`: gcloud-like commands that talk to a RUNNING emulator over
// its REST API with the admin token.
import { toTeeinitError } from '../../src/errors/index.js';
import { COMMANDS, IAM_COMMANDS, seed, type CliIo } from './commands.js';

const HELP = `Usage: teeinit-emulator secrets COMMAND [flags]
       teeinit-emulator iam service-accounts COMMAND [flags]
       teeinit-emulator seed FILE [flags]

Commands (gcloud-like; NAME is a secret id, --project takes an id or number):
  create NAME --project P [--data-file F|-] [--location L]
  list --project P [--location L]
  describe NAME --project P [--location L]
  update NAME --project P --update-version-aliases ALIAS=N[,ALIAS=N]
  versions add NAME --project P --data-file F|-
  versions access VERSION --secret NAME --project P     (prints the payload bytes)
  versions list NAME --project P
  versions disable|enable|destroy VERSION --secret NAME --project P
  add-iam-policy-binding NAME --project P --member M --role R
  remove-iam-policy-binding NAME --project P --member M --role R
  seed FILE                        apply a YAML/JSON seed document (POST /admin/seed)

Who may impersonate a service account (iam service-accounts …):
  add-iam-policy-binding EMAIL [--project P] --member M --role roles/iam.workloadIdentityUser
  remove-iam-policy-binding EMAIL --member M --role R
  get-iam-policy EMAIL

A binding change takes effect after the emulator's IAM propagation delay
(serve --iam-propagation S, default 120 s), as on Google.

Where the emulator is (one of):
  --emulator-state DIR             reads DIR/endpoints.json and DIR/admin-token
                                   (default: $TEEINIT_EMULATOR_STATE)
  --endpoint URL --admin-token T   (the Secret Manager URL; for iam, the iamCredentials URL)
`;

/** The process's streams, for the CLI commands. */
export const defaultIo: CliIo = {
  out: (chunk) => process.stdout.write(chunk),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
};

/** Runs one secrets/seed command; returns the process exit code (never exits itself). */
export async function runSecretsCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const words = argv[0] === 'secrets' ? argv.slice(1) : argv;
  try {
    if (words[0] === 'iam') {
      const command = words[1] === 'service-accounts' ? IAM_COMMANDS[words[2] ?? ''] : undefined;
      const asked = words.includes('--help') || words.includes('-h');
      if (command === undefined || asked) {
        if (!asked) io.err(`ERROR: unknown command: ${words.join(' ')}`);
        help(io);
        return asked ? 0 : 64;
      }
      await command(words.slice(3), io);
      return 0;
    }
    if (words[0] === 'seed') {
      if (words.includes('--help') || words.includes('-h')) return help(io);
      await seed(words.slice(1), io);
      return 0;
    }
    const two = `${words[0] ?? ''} ${words[1] ?? ''}`;
    const key = COMMANDS[two] !== undefined ? two : (words[0] ?? '');
    const command = COMMANDS[key];
    if (command === undefined || words.includes('--help') || words.includes('-h')) {
      const asked = words.length === 0 || words.includes('--help') || words.includes('-h');
      if (!asked) io.err(`ERROR: unknown command: ${words.join(' ')}`);
      help(io);
      return asked ? 0 : 64;
    }
    await command(words.slice(key.split(' ').length), io);
    return 0;
  } catch (error) {
    const e = toTeeinitError(error);
    io.err(`ERROR: ${e.message}`);
    if (e.code === 'TEEINIT_USAGE' || e.code === 'TEEINIT_NETWORK') io.err(e.hint);
    return e.code === 'TEEINIT_INTERNAL' && e.fields.httpStatus !== undefined ? 1 : e.exitCode;
  }
}

function help(io: CliIo): number {
  io.out(HELP);
  return 0;
}
