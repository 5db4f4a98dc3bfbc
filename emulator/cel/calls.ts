// Turns a parsed call `name(args)` / `target.name(args)` into its AST node at parse time, as
// CEL expands macros while parsing: `has(e.f)`, the comprehensions, or a known function. An
// unknown function, a wrong argument count or a malformed macro is a syntax error with offset.
import { FUNCTION_NAMES, isKnownFunction } from './functions.js';
import type { Node } from './parser.js';
import { CelError } from './tokenizer.js';

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

export type MacroName = 'all' | 'exists' | 'exists_one' | 'map' | 'filter';

// Builds the node of a call at source offset `pos`; `target` is null for a global call.
export function buildCall(
  name: string,
  target: Node | null,
  args: readonly Node[],
  pos: number,
): Node {
  if (target === null && name === 'has') return buildHas(args, pos);
  if (target !== null && MACROS.has(name)) return buildComprehension(name, target, args, pos);
  if (!isKnownFunction(name, target !== null, args.length)) {
    const shape =
      target === null ? `${name}(${args.length} args)` : `.${name}(${args.length} args)`;
    throw new CelError(
      `unknown function ${shape} at offset ${pos}; supported: has, all, exists, exists_one,` +
        ` map, filter, ${FUNCTION_NAMES.join(', ')}`,
    );
  }
  return { type: 'call', name, args: target === null ? args : [target, ...args] };
}

function buildHas(args: readonly Node[], pos: number): Node {
  const [arg] = args;
  if (args.length !== 1 || arg?.type !== 'field') {
    throw new CelError(`invalid argument to has() macro at offset ${pos}: expected has(e.f)`);
  }
  return { type: 'has', target: arg.target, name: arg.name };
}

function buildComprehension(name: string, range: Node, args: readonly Node[], pos: number): Node {
  const arities = name === 'map' ? [2, 3] : [2];
  if (!arities.includes(args.length)) {
    throw new CelError(
      `.${name}() at offset ${pos} takes ${arities.join(' or ')} arguments, got ${args.length}`,
    );
  }
  const [variable, ...rest] = args;
  if (variable?.type !== 'ident') {
    throw new CelError(`.${name}() at offset ${pos}: argument 1 must be a simple name`);
  }
  return {
    type: 'comprehension',
    macro: name as MacroName,
    range,
    variable: variable.name,
    args: rest,
  };
}
