// Evaluator for the emulator's CEL subset. Follows CEL where the subset overlaps: a missing
// field is an error, `&&`/`||` absorb an error when the other side decides the result,
// `==` compares deeply, `+` concatenates strings or lists and adds numbers.
import type { CelMap, CelValue, Node } from './parser.js';
import { CelError } from './tokenizer.js';

export type Activation = Readonly<Record<string, CelValue>>;

// Evaluates an AST against the variables in scope (e.g. `assertion`, `google`, `attribute`).
export function evaluate(node: Node, vars: Activation): CelValue {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'ident': {
      if (!Object.hasOwn(vars, node.name))
        throw new CelError(`undeclared reference to '${node.name}'`);
      return vars[node.name] ?? null;
    }
    case 'list':
      return node.items.map((item) => evaluate(item, vars));
    case 'field':
      return selectField(evaluate(node.target, vars), node.name);
    case 'index':
      return selectIndex(evaluate(node.target, vars), evaluate(node.index, vars));
    case 'unary': {
      const v = evaluate(node.operand, vars);
      if (node.op === '!') return !asBool(v, '!');
      if (typeof v !== 'number') throw new CelError(`no such overload: -${typeName(v)}`);
      return -v;
    }
    case 'binary':
      return evaluateBinary(node.op, node.left, node.right, vars);
  }
}

function evaluateBinary(op: string, leftNode: Node, rightNode: Node, vars: Activation): CelValue {
  if (op === '&&' || op === '||') return logical(op, leftNode, rightNode, vars);
  const left = evaluate(leftNode, vars);
  const right = evaluate(rightNode, vars);
  switch (op) {
    case '==':
      return equals(left, right);
    case '!=':
      return !equals(left, right);
    case 'in':
      return contains(right, left);
    case '+':
      return plus(left, right);
    case '-':
      if (typeof left === 'number' && typeof right === 'number') return left - right;
      throw new CelError(`no such overload: ${typeName(left)} - ${typeName(right)}`);
    default:
      return compare(op, left, right);
  }
}

function logical(op: '&&' | '||', leftNode: Node, rightNode: Node, vars: Activation): boolean {
  const decisive = op === '||';
  let leftError: Error | undefined;
  try {
    const left = asBool(evaluate(leftNode, vars), op);
    if (left === decisive) return decisive;
  } catch (error) {
    leftError = error instanceof Error ? error : new CelError(String(error));
  }
  const right = asBool(evaluate(rightNode, vars), op);
  if (right === decisive) return decisive;
  if (leftError !== undefined) throw leftError;
  return !decisive;
}

function selectField(target: CelValue, name: string): CelValue {
  if (!isMap(target))
    throw new CelError(`type '${typeName(target)}' does not support field selection ('.${name}')`);
  if (!Object.hasOwn(target, name)) throw new CelError(`no such key: ${name}`);
  return target[name] ?? null;
}

function selectIndex(target: CelValue, index: CelValue): CelValue {
  if (Array.isArray(target)) {
    const list = target as readonly CelValue[];
    if (
      typeof index !== 'number' ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= list.length
    ) {
      throw new CelError(`index out of range: ${JSON.stringify(index)}`);
    }
    return list[index] ?? null;
  }
  if (isMap(target) && typeof index === 'string') return selectField(target, index);
  throw new CelError(`no such overload: ${typeName(target)}[${typeName(index)}]`);
}

function contains(container: CelValue, item: CelValue): boolean {
  if (Array.isArray(container))
    return (container as readonly CelValue[]).some((v) => equals(v, item));
  if (isMap(container) && typeof item === 'string') return Object.hasOwn(container, item);
  throw new CelError(`no such overload: ${typeName(item)} in ${typeName(container)}`);
}

function plus(left: CelValue, right: CelValue): CelValue {
  if (typeof left === 'string' && typeof right === 'string') return left + right;
  if (typeof left === 'number' && typeof right === 'number') return left + right;
  if (Array.isArray(left) && Array.isArray(right))
    return [...(left as CelValue[]), ...(right as CelValue[])];
  throw new CelError(`no such overload: ${typeName(left)} + ${typeName(right)}`);
}

function compare(op: string, left: CelValue, right: CelValue): boolean {
  const sameType =
    (typeof left === 'number' && typeof right === 'number') ||
    (typeof left === 'string' && typeof right === 'string');
  if (!sameType) throw new CelError(`no such overload: ${typeName(left)} ${op} ${typeName(right)}`);
  const l = left;
  const r = right;
  if (op === '<') return l < r;
  if (op === '<=') return l <= r;
  if (op === '>') return l > r;
  return l >= r;
}

function equals(a: CelValue, b: CelValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    const la = a as readonly CelValue[];
    const lb = b as readonly CelValue[];
    return la.length === lb.length && la.every((v, i) => equals(v, lb[i] ?? null));
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

function asBool(v: CelValue, op: string): boolean {
  if (typeof v !== 'boolean')
    throw new CelError(`no such overload: ${op} applied to ${typeName(v)}`);
  return v;
}

function isMap(v: CelValue): v is CelMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// CEL's type names, for error messages.
export function typeName(v: CelValue): string {
  if (v === null) return 'null_type';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  return typeof v === 'boolean' ? 'bool' : 'string';
}
