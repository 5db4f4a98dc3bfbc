// CEL standard functions the emulator implements: `size`, the string tests `startsWith`,
// `endsWith`, `contains`, `matches` (RE2, see regex.ts), and the conversions `int`, `string`,
// `dyn`. Overloads are picked at runtime from the argument types, as CEL does for `dyn`.
import type { CelValue } from './parser.js';
import { compileRe2 } from './regex.js';
import { CelError } from './tokenizer.js';
import { isList, isMap, typeName } from './values.js';

/** Argument counts (receiver excluded) a function accepts in each call style. */
interface Signature {
  readonly global?: number;
  readonly receiver?: number;
}

const SIGNATURES: Readonly<Record<string, Signature>> = {
  size: { global: 1, receiver: 0 },
  startsWith: { receiver: 1 },
  endsWith: { receiver: 1 },
  contains: { receiver: 1 },
  matches: { global: 2, receiver: 1 },
  int: { global: 1 },
  string: { global: 1 },
  dyn: { global: 1 },
};

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Names of the functions, for error messages and docs. */
export const FUNCTION_NAMES: readonly string[] = Object.keys(SIGNATURES);

// True when `name` exists with this call style and argument count (checked at parse time).
export function isKnownFunction(name: string, receiver: boolean, argc: number): boolean {
  if (!Object.hasOwn(SIGNATURES, name)) return false;
  const sig = SIGNATURES[name];
  return (receiver ? sig?.receiver : sig?.global) === argc;
}

// Calls a function; `args` starts with the receiver in receiver style (`s.f(a)` ≡ `f(s, a)`).
export function callFunction(name: string, args: readonly CelValue[]): CelValue {
  const a = args[0] ?? null;
  const b = args[1] ?? null;
  switch (name) {
    case 'size':
      if (typeof a === 'string') return [...a].length;
      if (isList(a)) return a.length;
      if (isMap(a)) return Object.keys(a).length;
      break;
    case 'startsWith':
    case 'endsWith':
    case 'contains':
    case 'matches':
      if (typeof a === 'string' && typeof b === 'string') return stringTest(name, a, b);
      break;
    case 'int':
      return toInt(a);
    case 'string':
      if (typeof a === 'string') return a;
      if (typeof a === 'number' || typeof a === 'boolean') return String(a);
      break;
    case 'dyn':
      return a;
  }
  throw new CelError(`no such overload: ${name}(${args.map((v) => typeName(v)).join(', ')})`);
}

function stringTest(name: string, s: string, arg: string): boolean {
  if (name === 'startsWith') return s.startsWith(arg);
  if (name === 'endsWith') return s.endsWith(arg);
  if (name === 'contains') return s.includes(arg);
  return compileRe2(arg).test(s);
}

function toInt(v: CelValue): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new CelError(`int() range error: ${v}`);
    const t = Math.trunc(v);
    if (BigInt(t) > INT64_MAX || BigInt(t) < INT64_MIN)
      throw new CelError(`int() range error: ${v}`);
    return t;
  }
  if (typeof v === 'string') {
    if (!/^[+-]?[0-9]+$/.test(v)) throw new CelError(`int() cannot parse '${v}'`);
    const n = BigInt(v);
    if (n > INT64_MAX || n < INT64_MIN) throw new CelError(`int() range error: '${v}'`);
    return Number(n);
  }
  throw new CelError(`no such overload: int(${typeName(v)})`);
}
