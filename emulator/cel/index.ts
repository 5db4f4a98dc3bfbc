// The emulator's CEL subset: compile once, evaluate many times. Used for Workload Identity
// provider attribute mappings (any value) and attribute conditions (must be a bool).
import { evaluate, typeName, type Activation } from './evaluator.js';
import { parseCel, type CelValue, type Node } from './parser.js';
import { CelError } from './tokenizer.js';

export { CelError } from './tokenizer.js';
export type { CelValue, CelMap } from './parser.js';
export type { Activation } from './evaluator.js';

/** A parsed expression, ready to evaluate. */
export interface CelProgram {
  readonly source: string;
  evaluate(vars: Activation): CelValue;
}

// Parses `source` (raises CelError on a syntax error) into a reusable program.
export function compileCel(source: string): CelProgram {
  const ast: Node = parseCel(source);
  return { source, evaluate: (vars) => evaluate(ast, vars) };
}

// Evaluates a condition: true only for a bool `true`; any other value is a CelError.
export function evaluateCondition(program: CelProgram, vars: Activation): boolean {
  const value = program.evaluate(vars);
  if (typeof value !== 'boolean') {
    throw new CelError(`condition must evaluate to bool, got ${typeName(value)}`);
  }
  return value;
}

/** Converts parsed JSON (e.g. JWT claims) into a CEL value; `undefined` becomes null. */
export function toCelValue(input: unknown): CelValue {
  if (input === null || input === undefined) return null;
  if (typeof input === 'string' || typeof input === 'number' || typeof input === 'boolean')
    return input;
  if (Array.isArray(input)) return input.map(toCelValue);
  if (typeof input === 'object') {
    const out: Record<string, CelValue> = {};
    for (const [k, v] of Object.entries(input)) out[k] = toCelValue(v);
    return out;
  }
  return null;
}
