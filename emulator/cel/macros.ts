// CEL's macros: `has(e.f)` (presence test, no error when the key is missing) and the
// comprehensions `all`, `exists`, `exists_one`, `map` (2 and 3 arguments), `filter` over a
// list's elements or a map's keys. Error rules follow the language definition: `all` and
// `exists` absorb a predicate error when another element decides the result (like `&&` and
// `||`); `exists_one`, `map` and `filter` raise the first error.
import type { CelValue, Node } from './parser.js';
import { CelError } from './tokenizer.js';
import { asBool, isMap, rangeOf, typeName, type Activation } from './values.js';

export type ComprehensionNode = Extract<Node, { type: 'comprehension' }>;
type Evaluate = (node: Node, vars: Activation) => CelValue;

// has(e.f): true when the map `e` has key `f`; `e` itself must evaluate (errors propagate).
export function evaluateHas(target: CelValue, name: string): boolean {
  if (!isMap(target))
    throw new CelError(`has() does not support field selection on type '${typeName(target)}'`);
  return Object.hasOwn(target, name);
}

// Evaluates `range.macro(var, ...)`, binding `var` to each element (shadowing outer names).
export function evaluateComprehension(
  node: ComprehensionNode,
  vars: Activation,
  evaluate: Evaluate,
): CelValue {
  const items = rangeOf(evaluate(node.range, vars), node.macro);
  const run = (body: Node, item: CelValue): CelValue =>
    evaluate(body, { ...vars, [node.variable]: item });
  const [first, second] = node.args;
  if (first === undefined) throw new CelError(`.${node.macro}() needs an expression`);
  const test = (item: CelValue): boolean => asBool(run(first, item), `.${node.macro}()`);
  switch (node.macro) {
    case 'all':
      return fold(items, test, false);
    case 'exists':
      return fold(items, test, true);
    case 'exists_one':
      return items.filter(test).length === 1;
    case 'filter':
      return items.filter(test);
    case 'map':
      if (second === undefined) return items.map((item) => run(first, item));
      return items.filter(test).map((item) => run(second, item));
  }
}

// `exists` (decisive = true, like ||) and `all` (decisive = false, like &&): an element that
// decides wins over errors of other elements; otherwise the first error is raised.
function fold(
  items: readonly CelValue[],
  test: (item: CelValue) => boolean,
  decisive: boolean,
): boolean {
  let failure: { error: unknown } | undefined;
  for (const item of items) {
    try {
      if (test(item) === decisive) return decisive;
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
  return !decisive;
}
