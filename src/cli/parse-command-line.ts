// Parses teeinit's command line with node:util parseArgs: a command, its flags, nothing
// else. Unknown flags are TEEINIT_USAGE; arguments after `--` are operator input and
// are rejected (TEEINIT_OVERRIDE_REJECTED). `attest verify` takes each option at most once.
import { parseArgs } from 'node:util';
import { TeeinitError } from '../errors/index.js';
import { rejectExtraArgs } from '../config/overrides.js';
import { DEFAULT_CONFIG_PATH } from './help.js';
import { parseSharesLine, type CombineArgs, type SplitArgs } from './parse-shares-line.js';

export const COMMANDS = ['run', 'validate', 'plan', 'version', 'attest', 'shares'] as const;
export type Command = (typeof COMMANDS)[number];

/** `teeinit attest verify`: the files to check and how. */
export interface AttestVerifyArgs {
  readonly token: string;
  readonly policy: string;
  readonly jwks?: string;
  readonly root?: string;
  readonly nonce?: string;
}

export type CommandLine =
  | { readonly help: true; readonly command?: Command }
  | {
      readonly help: false;
      readonly command: Exclude<Command, 'attest' | 'shares'>;
      readonly configPath: string;
      readonly json: boolean;
    }
  | {
      readonly help: false;
      readonly command: 'attest';
      readonly verify: AttestVerifyArgs;
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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (cause) {
    // Keep node's first sentence ("Unknown option '--x'."), drop its advice about `--`.
    const msg = cause instanceof Error ? (cause.message.split(/\.\s/)[0] ?? '') : '';
    throw usage(msg.replace(/\.$/, '') || 'invalid arguments', cause);
  }
  const terminator = parsed.tokens.findIndex((t) => t.kind === 'option-terminator');
  const positionals = parsed.tokens
    .filter((t, i) => t.kind === 'positional' && (terminator < 0 || i < terminator))
    .map((t) => (t.kind === 'positional' ? t.value : ''));
  const extra = terminator < 0 ? [] : parsed.tokens.slice(terminator + 1);
  const [name, ...rest] = positionals;
  const { values } = parsed;
  if (name === undefined) {
    if (values.help === true) return { help: true };
    throw usage('missing command (run, validate, plan or version)');
  }
  if (name === 'help') return { help: true };
  const command = COMMANDS.find((c) => c === name);
  if (!command) throw usage(`unknown command "${name.slice(0, 40)}"`);
  const sub = command === 'attest' ? rest.shift() : undefined;
  if (command === 'attest' && sub !== 'verify' && values.help !== true) {
    throw usage(
      sub === undefined
        ? 'missing subcommand (attest verify)'
        : `unknown subcommand "${sub.slice(0, 40)}" for attest`,
    );
  }
  if (rest.length > 0)
    throw usage(`unexpected argument "${rest[0]?.slice(0, 40) ?? ''}" for ${command}`);
  rejectExtraArgs(extra.map(() => ''));
  for (const flag of Object.keys(values)) {
    if (!FLAGS[command].includes(flag))
      throw usage(`option --${flag} is not accepted by ${command}`);
  }
  if (values.help === true) return { help: true, command };
  if (command === 'attest') return attestLine(values, parsed.tokens);
  if (command === 'shares') throw usage('"shares" must come first: teeinit shares split|combine …');
  return {
    help: false,
    command,
    configPath: values.config ?? DEFAULT_CONFIG_PATH,
    json: values.json === true,
  };
}

type Values = Readonly<Record<string, string | boolean | undefined>>;
type Tokens = readonly { readonly kind: string; readonly name?: string }[];

/** `attest verify`: --token and --policy required, --jwks and --root exclusive, no repeats. */
function attestLine(values: Values, tokens: Tokens): CommandLine {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    if (seen.has(t.name)) throw usage(`option --${t.name} given more than once`);
    seen.add(t.name);
  }
  const text = (name: string): string | undefined => {
    const v = values[name];
    if (v === '') throw usage(`option --${name} needs a value`);
    return typeof v === 'string' ? v : undefined;
  };
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

function usage(message: string, cause?: unknown): TeeinitError {
  return new TeeinitError('TEEINIT_USAGE', message, cause === undefined ? {} : { cause });
}
