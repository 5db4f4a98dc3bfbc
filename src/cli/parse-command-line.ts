// Parses teeinit's command line with node:util parseArgs: a command, its flags, nothing
// else. Unknown flags are TEEINIT_USAGE; arguments after `--` are operator input and
// are rejected (TEEINIT_OVERRIDE_REJECTED).
import { parseArgs } from 'node:util';
import { TeeinitError } from '../errors/index.js';
import { rejectExtraArgs } from '../config/overrides.js';
import { DEFAULT_CONFIG_PATH } from './help.js';

export const COMMANDS = ['run', 'validate', 'plan', 'version'] as const;
export type Command = (typeof COMMANDS)[number];

export type CommandLine =
  | { readonly help: true; readonly command?: Command }
  | {
      readonly help: false;
      readonly command: Command;
      readonly configPath: string;
      readonly json: boolean;
    };

const FLAGS: Readonly<Record<Command, readonly string[]>> = {
  run: ['config', 'help'],
  validate: ['config', 'help'],
  plan: ['config', 'json', 'help'],
  version: ['help'],
};

/** Reads argv (without node and script); throws TeeinitError on anything unexpected. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
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
  if (rest.length > 0)
    throw usage(`unexpected argument "${rest[0]?.slice(0, 40) ?? ''}" for ${command}`);
  rejectExtraArgs(extra.map(() => ''));
  for (const flag of Object.keys(values)) {
    if (!FLAGS[command].includes(flag))
      throw usage(`option --${flag} is not accepted by ${command}`);
  }
  if (values.help === true) return { help: true, command };
  return {
    help: false,
    command,
    configPath: values.config ?? DEFAULT_CONFIG_PATH,
    json: values.json === true,
  };
}

function usage(message: string, cause?: unknown): TeeinitError {
  return new TeeinitError('TEEINIT_USAGE', message, cause === undefined ? {} : { cause });
}
