// CEL values as plain JSON-shaped JS data, plus the helpers every evaluation module shares:
// CEL type names for messages, deep equality, and the bool check of logical operators.
import type { CelMap, CelValue } from './parser.js';
import { CelError } from './tokenizer.js';

/** The variables in scope of an evaluation (e.g. `assertion`, `google`, `attribute`). */
export type Activation = Readonly<Record<string, CelValue>>;

// Narrows a value to a CEL map (a JSON object).
export function isMap(v: CelValue): v is CelMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Narrows a value to a CEL list.
export function isList(v: CelValue): v is readonly CelValue[] {
  return Array.isArray(v);
}

// CEL's type names, for error messages.
export function typeName(v: CelValue): string {
  if (v === null) return 'null_type';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

// Deep equality of `==`: lists element-wise, maps key-wise, scalars strictly.
export function equals(a: CelValue, b: CelValue): boolean {
  if (isList(a) || isList(b)) {
    if (!isList(a) || !isList(b)) return false;
    return a.length === b.length && a.every((v, i) => equals(v, b[i] ?? null));
  }
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b)) return false;
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => Object.hasOwn(b, k) && equals(a[k] ?? null, b[k] ?? null))
    );
  }
  return a === b;
}

// The bool an operator (`!`, `&&`, `?:`, a macro predicate) needs; anything else is an error.
export function asBool(v: CelValue, op: string): boolean {
  if (typeof v !== 'boolean')
    throw new CelError(`no such overload: ${op} applied to ${typeName(v)}`);
  return v;
}

// The elements a macro iterates: a list's items or a map's keys.
export function rangeOf(v: CelValue, macro: string): readonly CelValue[] {
  if (isList(v)) return v;
  if (isMap(v)) return Object.keys(v);
  throw new CelError(
    `expression of type '${typeName(v)}' cannot be the range of a comprehension ('.${macro}()')`,
  );
}
