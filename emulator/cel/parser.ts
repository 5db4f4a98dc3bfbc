// Recursive-descent parser for the emulator's CEL subset. Grammar (lowest precedence first):
//   expr   := or ('?' or ':' expr)? ;  or := and ('||' and)* ;  and := rel ('&&' rel)*
//   rel    := add (('=='|'!='|'<'|'<='|'>'|'>='|'in') add)*
//   add    := unary (('+'|'-') unary)* ;  unary := ('!'|'-') unary | member
//   member := primary ('.' IDENT ('(' args ')')? | '[' expr ']')*
//   primary:= IDENT ('(' args ')')? | literal | '(' expr ')' | '[' args? ']'
//   args   := expr (',' expr)*
// Calls become macro or function nodes right here (calls.ts), as CEL expands macros at parse.
import { buildCall, type MacroName } from './calls.js';
import { CelError, tokenize, type Token } from './tokenizer.js';

export type CelValue = string | number | boolean | null | readonly CelValue[] | CelMap;
export interface CelMap {
  readonly [key: string]: CelValue;
}

export type Node =
  | { readonly type: 'literal'; readonly value: CelValue }
  | { readonly type: 'ident'; readonly name: string }
  | { readonly type: 'list'; readonly items: readonly Node[] }
  | { readonly type: 'field'; readonly target: Node; readonly name: string }
  | { readonly type: 'index'; readonly target: Node; readonly index: Node }
  | { readonly type: 'unary'; readonly op: '!' | '-'; readonly operand: Node }
  | { readonly type: 'binary'; readonly op: string; readonly left: Node; readonly right: Node }
  | {
      readonly type: 'conditional';
      readonly test: Node;
      readonly then: Node;
      readonly otherwise: Node;
    }
  | { readonly type: 'has'; readonly target: Node; readonly name: string }
  /** A function call; in receiver style the receiver is `args[0]`. */
  | { readonly type: 'call'; readonly name: string; readonly args: readonly Node[] }
  | {
      readonly type: 'comprehension';
      readonly macro: MacroName;
      readonly range: Node;
      readonly variable: string;
      /** The predicate, the transform, or (3-argument map) filter then transform. */
      readonly args: readonly Node[];
    };

const RELATIONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

class Parser {
  #pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parse(): Node {
    const node = this.expr();
    const t = this.peek();
    if (t.kind !== 'eof') throw new CelError(`unexpected '${t.text}' at offset ${t.pos}`);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.#pos] ?? { kind: 'eof', text: '', pos: -1 };
  }

  private next(): Token {
    const t = this.peek();
    this.#pos += 1;
    return t;
  }

  private acceptOp(text: string): boolean {
    const t = this.peek();
    if (t.kind === 'op' && t.text === text) {
      this.#pos += 1;
      return true;
    }
    return false;
  }

  private expectOp(text: string): void {
    const t = this.peek();
    if (!this.acceptOp(text)) {
      throw new CelError(`expected '${text}' at offset ${t.pos}, found '${t.text || 'end'}'`);
    }
  }

  private expr(): Node {
    const test = this.or();
    if (!this.acceptOp('?')) return test;
    const then = this.or();
    this.expectOp(':');
    return { type: 'conditional', test, then, otherwise: this.expr() };
  }

  private or(): Node {
    let left = this.and();
    while (this.acceptOp('||')) left = { type: 'binary', op: '||', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.rel();
    while (this.acceptOp('&&')) left = { type: 'binary', op: '&&', left, right: this.rel() };
    return left;
  }

  private rel(): Node {
    let left = this.add();
    for (;;) {
      const t = this.peek();
      const isRel = t.kind === 'op' && RELATIONS.has(t.text);
      const isIn = t.kind === 'ident' && t.text === 'in';
      if (!isRel && !isIn) return left;
      this.next();
      left = { type: 'binary', op: t.text, left, right: this.add() };
    }
  }

  private add(): Node {
    let left = this.unary();
    for (;;) {
      if (this.acceptOp('+')) left = { type: 'binary', op: '+', left, right: this.unary() };
      else if (this.acceptOp('-')) left = { type: 'binary', op: '-', left, right: this.unary() };
      else return left;
    }
  }

  private unary(): Node {
    if (this.acceptOp('!')) return { type: 'unary', op: '!', operand: this.unary() };
    if (this.acceptOp('-')) return { type: 'unary', op: '-', operand: this.unary() };
    return this.member();
  }

  private member(): Node {
    let node = this.primary();
    for (;;) {
      if (this.acceptOp('.')) {
        const t = this.next();
        if (t.kind !== 'ident') throw new CelError(`expected a field name at offset ${t.pos}`);
        if (this.acceptOp('(')) node = buildCall(t.text, node, this.args(')'), t.pos);
        else node = { type: 'field', target: node, name: t.text };
      } else if (this.acceptOp('[')) {
        const index = this.expr();
        this.expectOp(']');
        node = { type: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const t = this.next();
    if (t.kind === 'string') return { type: 'literal', value: t.text };
    if (t.kind === 'number') return { type: 'literal', value: Number(t.text) };
    if (t.kind === 'ident') {
      if (t.text === 'true') return { type: 'literal', value: true };
      if (t.text === 'false') return { type: 'literal', value: false };
      if (t.text === 'null') return { type: 'literal', value: null };
      if (t.text === 'in') throw new CelError(`unexpected 'in' at offset ${t.pos}`);
      if (this.acceptOp('(')) return buildCall(t.text, null, this.args(')'), t.pos);
      return { type: 'ident', name: t.text };
    }
    if (t.kind === 'op' && t.text === '(') {
      const inner = this.expr();
      this.expectOp(')');
      return inner;
    }
    if (t.kind === 'op' && t.text === '[') return { type: 'list', items: this.args(']') };
    throw new CelError(`unexpected '${t.text || 'end of expression'}' at offset ${t.pos}`);
  }

  // Comma-separated expressions up to `close` (already past the opening bracket).
  private args(close: string): Node[] {
    const items: Node[] = [];
    if (this.acceptOp(close)) return items;
    do items.push(this.expr());
    while (this.acceptOp(','));
    this.expectOp(close);
    return items;
  }
}

// Parses one expression into an AST; raises CelError with the offset of a syntax error.
export function parseCel(source: string): Node {
  return new Parser(tokenize(source)).parse();
}
