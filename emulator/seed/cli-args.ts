// Flag parsing for `teeinit-emulator secrets …`: positionals and `--flag value` /
// `--flag=value`, rejecting flags a subcommand does not accept.
import { TeeinitError } from '../../src/errors/index.js';

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string>;
  readonly help: boolean;
}

/** Flags every subcommand accepts (where the emulator is). */
export const LOCATION_FLAGS = ['emulator-state', 'endpoint', 'admin-token'] as const;

/** Parses `argv` allowing only `allowed` flags (each takes one value). */
export function parseArgs(argv: readonly string[], allowed: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  let help = false;
  const accepted = new Set<string>([...allowed, ...LOCATION_FLAGS]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!arg.startsWith('--') || !accepted.has(name)) {
      throw usage(
        `Unknown flag ${arg}; accepted: ${[...accepted].map((f) => `--${f}`).join(', ')}`,
      );
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw usage(`Flag --${name} needs a value`);
    flags.set(name, value);
  }
  return { positionals, flags, help };
}

/** The value of a required flag. */
export function requireFlag(args: ParsedArgs, name: string): string {
  const value = args.flags.get(name);
  if (value === undefined || value === '') throw usage(`Missing required flag --${name}`);
  return value;
}

/** The positional at `index`, named `what` in the error when missing. */
export function requirePositional(args: ParsedArgs, index: number, what: string): string {
  const value = args.positionals[index];
  if (value === undefined || value === '') throw usage(`Missing ${what}`);
  return value;
}

/** A usage error (exit 64). */
export function usage(message: string): TeeinitError {
  return new TeeinitError('TEEINIT_USAGE', message, {
    hint: 'Run `teeinit-emulator secrets --help`.',
  });
}
