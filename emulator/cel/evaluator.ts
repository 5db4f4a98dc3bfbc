// Evaluator for the emulator's CEL subset. Follows CEL where the subset overlaps: a missing
// field is an error, `&&`/`||` absorb an error when the other side decides the result, `?:`
// evaluates only the taken branch, `==` compares deeply, `+` concatenates strings or lists
// and adds numbers. Functions live in functions.ts, macros in macros.ts.
import { callFunction } from './functions.js';
import { evaluateComprehension, evaluateHas } from './macros.js';
import type { CelValue, Node } from './parser.js';
import { CelError } from './tokenizer.js';
import { asBool, equals, isList, isMap, typeName, type Activation } from './values.js';

export type { Activation } from './values.js';
export { typeName } from './values.js';

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
    case 'conditional':
      return asBool(evaluate(node.test, vars), '?:')
        ? evaluate(node.then, vars)
        : evaluate(node.otherwise, vars);
    case 'has':
      return evaluateHas(evaluate(node.target, vars), node.name);
    case 'call':
      return callFunction(
        node.name,
        node.args.map((arg) => evaluate(arg, vars)),
      );
    case 'comprehension':
      return evaluateComprehension(node, vars, evaluate);
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
  if (isList(target)) {
    if (
      typeof index !== 'number' ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= target.length
    ) {
      throw new CelError(`index out of range: ${JSON.stringify(index)}`);
    }
    return target[index] ?? null;
  }
  if (isMap(target) && typeof index === 'string') return selectField(target, index);
  throw new CelError(`no such overload: ${typeName(target)}[${typeName(index)}]`);
}

function contains(container: CelValue, item: CelValue): boolean {
  if (isList(container)) return container.some((v) => equals(v, item));
  if (isMap(container) && typeof item === 'string') return Object.hasOwn(container, item);
  throw new CelError(`no such overload: ${typeName(item)} in ${typeName(container)}`);
}

function plus(left: CelValue, right: CelValue): CelValue {
  if (typeof left === 'string' && typeof right === 'string') return left + right;
  if (typeof left === 'number' && typeof right === 'number') return left + right;
  if (isList(left) && isList(right)) return [...left, ...right];
  throw new CelError(`no such overload: ${typeName(left)} + ${typeName(right)}`);
}

function compare(op: string, left: CelValue, right: CelValue): boolean {
  const sameType =
    (typeof left === 'number' && typeof right === 'number') ||
    (typeof left === 'string' && typeof right === 'string');
  if (!sameType) throw new CelError(`no such overload: ${typeName(left)} ${op} ${typeName(right)}`);
  if (op === '<') return left < right;
  if (op === '<=') return left <= right;
  if (op === '>') return left > right;
  return left >= right;
}
