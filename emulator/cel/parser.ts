// Recursive-descent parser for the emulator's CEL subset. Grammar (lowest precedence first):
//   expr   := or ;  or := and ('||' and)* ;  and := rel ('&&' rel)*
//   rel    := add (('=='|'!='|'<'|'<='|'>'|'>='|'in') add)?
//   add    := unary (('+'|'-') unary)* ;  unary := ('!'|'-') unary | member
//   member := primary ('.' IDENT | '[' expr ']')*
//   primary:= IDENT | literal | '(' expr ')' | '[' (expr (',' expr)*)? ']'
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
  | { readonly type: 'binary'; readonly op: string; readonly left: Node; readonly right: Node };

const RELATIONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

class Parser {
  #pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parse(): Node {
    const node = this.or();
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
    const left = this.add();
    const t = this.peek();
    const isRel = t.kind === 'op' && RELATIONS.has(t.text);
    const isIn = t.kind === 'ident' && t.text === 'in';
    if (!isRel && !isIn) return left;
    this.next();
    return { type: 'binary', op: t.text, left, right: this.add() };
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
        node = { type: 'field', target: node, name: t.text };
      } else if (this.acceptOp('[')) {
        const index = this.or();
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
      if (this.peek().kind === 'op' && this.peek().text === '(') {
        throw new CelError(`function calls are not supported by the emulator ('${t.text}(')`);
      }
      return { type: 'ident', name: t.text };
    }
    if (t.kind === 'op' && t.text === '(') {
      const inner = this.or();
      this.expectOp(')');
      return inner;
    }
    if (t.kind === 'op' && t.text === '[') {
      const items: Node[] = [];
      if (!this.acceptOp(']')) {
        do items.push(this.or());
        while (this.acceptOp(','));
        this.expectOp(']');
      }
      return { type: 'list', items };
    }
    throw new CelError(`unexpected '${t.text || 'end of expression'}' at offset ${t.pos}`);
  }
}

// Parses one expression into an AST; raises CelError with the offset of a syntax error.
export function parseCel(source: string): Node {
  return new Parser(tokenize(source)).parse();
}
