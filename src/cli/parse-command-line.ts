// Parses teeinit's command line with node:util parseArgs: one command, each of its flags at
// most once, nothing else. The image's ENTRYPOINT holds the whole command line and an
// operator's tee-cmd is appended to it, so anything beyond what the image baked in is
// refused: an unknown flag, a repeated one (a second `-c` would otherwise pick another
// config file of the image), an extra word (TEEINIT_USAGE), or arguments after `--`
// (TEEINIT_OVERRIDE_REJECTED; TEEINIT_USAGE for `attest` and `collaborators`, which never
// run as an entrypoint). Arguments are echoed only escaped and cut (printable()).
import { parseArgs } from 'node:util';
import { printable } from '../errors/index.js';
import { parseArgsFailure, rejectRepeatedOptions, usage } from './option-tokens.js';
import { rejectExtraArgs } from '../config/overrides.js';
import { DEFAULT_CONFIG_PATH } from './help.js';
import { parseSharesLine, type CombineArgs, type SplitArgs } from './parse-shares-line.js';

export const COMMANDS = [
  'run',
  'validate',
  'plan',
  'version',
  'attest',
  'collaborators',
  'shares',
] as const;
export type Command = (typeof COMMANDS)[number];

/** `teeinit attest verify`: the files to check and how. */
export interface AttestVerifyArgs {
  readonly token: string;
  readonly policy: string;
  readonly jwks?: string;
  readonly root?: string;
  readonly nonce?: string;
}

/** `teeinit collaborators`: the flags as given (checked by the command). */
export interface CollaboratorsArgs {
  readonly imageDigest: string;
  readonly collaborator?: string;
  readonly workloadServiceAccount?: string;
  readonly operatorProject?: string;
}

export type CommandLine =
  | { readonly help: true; readonly command?: Command }
  | {
      readonly help: false;
      readonly command: Exclude<Command, 'attest' | 'collaborators' | 'shares'>;
      readonly configPath: string;
      readonly json: boolean;
    }
  | {
      readonly help: false;
      readonly command: 'attest';
      readonly verify: AttestVerifyArgs;
      readonly json: boolean;
    }
  | {
      readonly help: false;
      readonly command: 'collaborators';
      readonly configPath: string;
      readonly setup: CollaboratorsArgs;
      readonly json: boolean;
    }
  | { readonly help: false; readonly command: 'shares'; readonly split: SplitArgs }
  | { readonly help: false; readonly command: 'shares'; readonly combine: CombineArgs };

const FLAGS: Readonly<Record<Command, readonly string[]>> = {
  run: ['config', 'help'],
  validate: ['config', 'help'],
  plan: ['config', 'json', 'help'],
  version: ['help'],
  attest: ['token', 'policy', 'jwks', 'root', 'nonce', 'json', 'help'],
  collaborators: [
    'config',
    'image-digest',
    'collaborator',
    'workload-service-account',
    'operator-project',
    'json',
    'help',
  ],
  shares: ['help'],
};

/** Reads argv (without node and script); throws TeeinitError on anything unexpected. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // The dealer's commands have options of their own (parse-shares-line.ts).
  if (argv[0] === 'shares') {
    const line = parseSharesLine(argv.slice(1));
    return line.help ? { help: true, command: 'shares' } : { command: 'shares', ...line };
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        token: { type: 'string' },
        policy: { type: 'string' },
        jwks: { type: 'string' },
        root: { type: 'string' },
        nonce: { type: 'string' },
        'image-digest': { type: 'string' },
        collaborator: { type: 'string' },
        'workload-service-account': { type: 'string' },
        'operator-project': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (cause) {
    throw parseArgsFailure(cause);
  }
  rejectRepeatedOptions(parsed.tokens);
  const terminator = parsed.tokens.findIndex((t) => t.kind === 'option-terminator');
  const positionals = parsed.tokens
    .filter((t, i) => t.kind === 'positional' && (terminator < 0 || i < terminator))
    .map((t) => (t.kind === 'positional' ? t.value : ''));
  const extra = terminator < 0 ? [] : parsed.tokens.slice(terminator + 1);
  const [name, ...rest] = positionals;
  const { values } = parsed;
  if (name === undefined) {
    if (values.help === true) return { help: true };
    throw usage('missing command (run, validate, plan, version, attest, collaborators or shares)');
  }
  if (name === 'help') return { help: true };
  const command = COMMANDS.find((c) => c === name);
  if (!command) throw usage(`unknown command "${printable(name)}"`);
  // The dealer's and relying party's commands never run as an image's entrypoint: `--` is a
  // usage error there (exit 64, as their --help says), as it is for `shares`.
  if (terminator >= 0 && (command === 'attest' || command === 'collaborators')) {
    throw usage(
      `"--" is not accepted by ${command}: nothing but the command and its options is accepted`,
    );
  }
  const sub = command === 'attest' ? rest.shift() : undefined;
  if (command === 'attest' && sub !== 'verify' && values.help !== true) {
    throw usage(
      sub === undefined
        ? 'missing subcommand (attest verify)'
        : `unknown subcommand "${printable(sub)}" for attest`,
    );
  }
  if (rest.length > 0) {
    throw usage(
      `unexpected argument "${printable(rest[0] ?? '')}" for ${command}: nothing but the command and its options is accepted`,
    );
  }
  rejectExtraArgs(extra.map(() => ''));
  for (const flag of Object.keys(values)) {
    if (!FLAGS[command].includes(flag))
      throw usage(`option --${flag} is not accepted by ${command}`);
  }
  if (values.help === true) return { help: true, command };
  if (command === 'attest') return attestLine(values);
  if (command === 'collaborators') return collaboratorsLine(values);
  if (command === 'shares') throw usage('"shares" must come first: teeinit shares split|combine …');
  return {
    help: false,
    command,
    configPath: values.config ?? DEFAULT_CONFIG_PATH,
    json: values.json === true,
  };
}

type Values = Readonly<Record<string, string | boolean | undefined>>;

/** A string option's value; an empty one is a usage error. */
function textOf(values: Values, name: string): string | undefined {
  const v = values[name];
  if (v === '') throw usage(`option --${name} needs a value`);
  return typeof v === 'string' ? v : undefined;
}

/** `collaborators`: --image-digest required, every option at most once. */
function collaboratorsLine(values: Values): CommandLine {
  const imageDigest = textOf(values, 'image-digest');
  if (imageDigest === undefined) {
    throw usage('collaborators needs --image-digest sha256:<64 hex> (the image to admit)');
  }
  const collaborator = textOf(values, 'collaborator');
  const workloadServiceAccount = textOf(values, 'workload-service-account');
  const operatorProject = textOf(values, 'operator-project');
  const setup = {
    imageDigest,
    ...(collaborator === undefined ? {} : { collaborator }),
    ...(workloadServiceAccount === undefined ? {} : { workloadServiceAccount }),
    ...(operatorProject === undefined ? {} : { operatorProject }),
  };
  const configPath = textOf(values, 'config') ?? DEFAULT_CONFIG_PATH;
  return { help: false, command: 'collaborators', configPath, setup, json: values.json === true };
}

/** `attest verify`: --token and --policy required, --jwks and --root exclusive. */
function attestLine(values: Values): CommandLine {
  const text = (name: string): string | undefined => textOf(values, name);
  const token = text('token');
  const policy = text('policy');
  if (token === undefined || policy === undefined) {
    throw usage('attest verify needs --token FILE and --policy FILE');
  }
  const jwks = text('jwks');
  const root = text('root');
  if (jwks !== undefined && root !== undefined) throw usage('give --jwks or --root, not both');
  const nonce = text('nonce');
  if (nonce !== undefined && !/^[0-9A-Fa-f]{8,88}$/.test(nonce)) {
    throw usage('--nonce expects 8 to 88 hex digits');
  }
  const verify = {
    token,
    policy,
    ...(jwks === undefined ? {} : { jwks }),
    ...(root === undefined ? {} : { root }),
    ...(nonce === undefined ? {} : { nonce }),
  };
  return { help: false, command: 'attest', verify, json: values.json === true };
}
