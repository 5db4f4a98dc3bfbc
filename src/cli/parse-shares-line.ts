// The command line of `teeinit shares split|combine`, the dealer's commands: each option
// at most once, the options of the subcommand only, integers checked, share files as the
// only positionals (combine). Errors are TEEINIT_USAGE naming the option.
import { parseArgs } from 'node:util';
import { printable } from '../errors/index.js';
import { parseArgsFailure, rejectRepeatedOptions, usage } from './option-tokens.js';

/** `teeinit shares split`: t, n, where the share files go, and the secret (else a fresh one). */
export interface SplitArgs {
  readonly threshold: number;
  readonly shares: number;
  readonly out: string;
  readonly secretFile?: string;
}

/** `teeinit shares combine`: the share files and what to do with the recovered secret. */
export interface CombineArgs {
  readonly files: readonly string[];
  readonly writeSecret?: string;
  readonly writePsk?: {
    readonly path: string;
    readonly info: string;
    readonly salt: string;
    readonly length: number;
  };
  /** Prints the recovered secret (hex) on stdout: asked for by name only. */
  readonly printSecret: boolean;
}

export type SharesLine =
  | { readonly help: true }
  | { readonly help: false; readonly split: SplitArgs }
  | { readonly help: false; readonly combine: CombineArgs };

const OPTIONS = {
  threshold: { type: 'string' },
  shares: { type: 'string' },
  out: { type: 'string' },
  'secret-file': { type: 'string' },
  'write-secret': { type: 'string' },
  'write-psk': { type: 'string' },
  info: { type: 'string' },
  salt: { type: 'string' },
  length: { type: 'string' },
  'print-secret': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ACCEPTED: Readonly<Record<'split' | 'combine', readonly string[]>> = {
  split: ['threshold', 'shares', 'out', 'secret-file', 'help'],
  combine: ['write-secret', 'write-psk', 'info', 'salt', 'length', 'print-secret', 'help'],
};

/** HKDF defaults of a key without salt/length in the config (src/config/defaults.ts). */
const DEFAULT_SALT = 'teeinit-psk-v1';
const DEFAULT_LENGTH = 32;

/** Reads the arguments after `shares`; throws TEEINIT_USAGE on anything unexpected. */
export function parseSharesLine(argv: readonly string[]): SharesLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: OPTIONS,
    });
  } catch (cause) {
    throw parseArgsFailure(cause);
  }
  const { values, tokens } = parsed;
  if (tokens.some((t) => t.kind === 'option-terminator')) {
    throw usage('"--" is not accepted by shares; name a file that starts with "-" as ./-file');
  }
  const seen = rejectRepeatedOptions(tokens);
  const [sub, ...files] = parsed.positionals;
  if (sub === undefined) {
    if (values.help === true) return { help: true };
    throw usage('missing subcommand (shares split or shares combine)');
  }
  if (sub !== 'split' && sub !== 'combine') {
    throw usage(`unknown subcommand "${printable(sub)}" for shares (split or combine)`);
  }
  for (const name of seen) {
    if (!ACCEPTED[sub].includes(name))
      throw usage(`option --${name} is not accepted by shares ${sub}`);
  }
  if (values.help === true) return { help: true };
  const text = (name: keyof typeof OPTIONS): string | undefined => {
    const v = values[name];
    if (v === '') throw usage(`option --${name} needs a value`);
    return typeof v === 'string' ? v : undefined;
  };
  if (sub === 'split') {
    if (files.length > 0)
      throw usage(`unexpected argument "${files[0]?.slice(0, 40) ?? ''}" for shares split`);
    const t = text('threshold');
    const n = text('shares');
    const out = text('out');
    if (t === undefined || n === undefined || out === undefined) {
      throw usage('shares split needs --threshold T, --shares N and --out DIR');
    }
    const threshold = integer('threshold', t, 2, 255);
    const shares = integer('shares', n, 2, 255);
    if (shares < threshold) {
      throw usage(
        `--threshold ${threshold} exceeds --shares ${shares}: the secret could never be recovered`,
      );
    }
    const secretFile = text('secret-file');
    return {
      help: false,
      split: { threshold, shares, out, ...(secretFile === undefined ? {} : { secretFile }) },
    };
  }
  if (files.length === 0) throw usage('shares combine needs the share files to combine');
  if (files.some((f) => f === '')) throw usage('shares combine: a file name is empty');
  const twice = files.find((f, i) => files.indexOf(f) !== i);
  if (twice !== undefined) throw usage(`share file "${twice.slice(0, 80)}" is given twice`);
  const psk = text('write-psk');
  const info = text('info');
  const salt = text('salt');
  const length = text('length');
  if (psk === undefined && (info !== undefined || salt !== undefined || length !== undefined)) {
    throw usage('--info, --salt and --length describe the PSK of --write-psk FILE; give it too');
  }
  if (psk !== undefined && info === undefined) {
    throw usage(
      "--write-psk needs --info TEXT: the key's HKDF info (keys.NAME.info, by default the key's name)",
    );
  }
  const writeSecret = text('write-secret');
  return {
    help: false,
    combine: {
      files,
      ...(writeSecret === undefined ? {} : { writeSecret }),
      ...(psk === undefined || info === undefined
        ? {}
        : {
            writePsk: {
              path: psk,
              info,
              salt: salt ?? DEFAULT_SALT,
              length: length === undefined ? DEFAULT_LENGTH : integer('length', length, 16, 64),
            },
          }),
      printSecret: values['print-secret'] === true,
    },
  };
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = /^[1-9][0-9]{0,2}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw usage(
      `--${name} expects a whole number from ${min} to ${max}, got "${text.slice(0, 20)}"`,
    );
  }
  return value;
}
