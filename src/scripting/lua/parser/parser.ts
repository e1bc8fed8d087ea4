import type * as L from 'luaparse';
import { getHeapStatistics } from 'node:v8';
import { Kind, lineAt, lineBreakIn, tokenize, TooManyTokens, type Tokens } from './tokens.js';

/**
 * A Lua 5.1 parser for the common case of a script's first compile: it makes
 * the tree luaparse makes (the same nodes, fields and ranges, literals as
 * parse.ts turns them into Lua's), in a fraction of luaparse's time while
 * V8 has compiled neither. It gives up, answering null, at anything it does
 * not accept: every syntax error, and whatever luaparse and Lua read
 * differently; the chunk then goes through luaparse and Lua's error
 * messages (parse.ts). A chunk nested deeper than Lua's parser allows, or
 * holding a `[[` inside a `[[ ]]` (which luaparse takes), is answered with
 * Lua's error and the line Lua reports it on, when the parse reaches it
 * before any other error; a chunk of more tokens than MAX_TOKENS, with
 * Sluice's.
 */
export type QuickParse = { readonly chunk: L.Chunk } | { readonly chunk?: undefined; readonly line: number; readonly message: string };

/** Thrown inside the parser to give up; never leaves this file. */
const GIVE_UP = new Error('not for the quick parser');

/**
 * Lua 5.1's parser counts a C level for each block and each sub-expression
 * it is inside (enterlevel in lparser.c) and refuses the chunk past
 * LUAI_MAXCCALLS, 200, where the next one would start.
 */
const MAX_LEVELS = 200;

/** An error Lua reports on `line`: nesting past MAX_LEVELS, or a lexical error where the parser reaches it. */
class LuaError {
  constructor(
    readonly line: number,
    readonly message: string,
  ) {}
}

/** Binary operators' left and right priorities, as Lua 5.1's parser (and luaparse) bind them. */
const PRIORITY: Record<string, [number, number]> = {
  or: [1, 1], and: [2, 2],
  '<': [3, 3], '>': [3, 3], '<=': [3, 3], '>=': [3, 3], '~=': [3, 3], '==': [3, 3],
  '..': [8, 7], '+': [9, 9], '-': [9, 9], '*': [10, 10], '/': [10, 10], '%': [10, 10], '^': [12, 11],
};
const UNARY_PRIORITY = 10;

type Node = L.Node;
type Expr = L.Expression;
type Statement = L.Statement;

class Parser {
  private i = 0;
  private level = 0;
  /** Whether the function being parsed may use '...', and how many loops enclose the point in it. */
  private vararg = true;
  private loops = 0;

  constructor(private readonly t: Tokens, private readonly src: string) {}

  // Tokens

  /** The kind of token `i`: reaching the error token raises Lua's lexical error, as Lua's lexer raises it on reading that token. */
  private kindAt(i: number): Kind {
    const k = this.t.kind[i];
    if (k === Kind.Error) throw new LuaError(lineAt(this.src, this.t.start[i]), this.t.value[i] as string);
    return k;
  }

  private kind(): Kind {
    return this.kindAt(this.i);
  }

  private is(text: string): boolean {
    const k = this.kind();
    return (k === Kind.Punct || k === Kind.Keyword) && this.t.value[this.i] === text;
  }

  private accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.i++;
    return true;
  }

  private expect(text: string): void {
    if (!this.accept(text)) throw GIVE_UP;
  }

  private get start(): number {
    return this.t.start[this.i];
  }

  /** A node's range: from `start` to the end of the last token taken. */
  private range(start: number): [number, number] {
    return [start, this.t.end[this.i - 1]];
  }

  private enter(): void {
    // Lua's lexer has read the token that starts the level: its line is the one of the token's end.
    if (++this.level > MAX_LEVELS) throw new LuaError(lineAt(this.src, this.t.end[this.i]), 'chunk has too many syntax levels');
  }

  private blockFollows(): boolean {
    const k = this.kind();
    if (k === Kind.Eof) return true;
    if (k !== Kind.Keyword) return false;
    const v = this.t.value[this.i];
    return v === 'end' || v === 'else' || v === 'elseif' || v === 'until';
  }

  // Blocks and statements

  /** A function alone (`expression`: `function (...) ... end`; else a function statement), up to the end of the tokens. */
  function(expression: boolean): L.FunctionDeclaration {
    const start = this.start;
    let fn: Node;
    if (!expression) fn = this.statement();
    else if (this.accept('function')) fn = this.functionBody(start, null, false);
    else throw GIVE_UP;
    if (this.kind() !== Kind.Eof || fn.type !== 'FunctionDeclaration') throw GIVE_UP;
    return fn as L.FunctionDeclaration;
  }

  chunk(): L.Chunk {
    const start = this.start;
    const body = this.block();
    if (this.kind() !== Kind.Eof) throw GIVE_UP;
    const end = body.length === 0 ? this.t.end[this.i] : this.t.end[this.i - 1];
    return { type: 'Chunk', body, range: [start, end] } as unknown as L.Chunk;
  }

  private block(): Statement[] {
    this.enter();
    const body: Statement[] = [];
    while (!this.blockFollows()) {
      if (this.is('return') || this.is('break')) {
        // Lua 5.1 takes a ';' after its last statement too (luaparse refuses `break;`).
        body.push(this.statement());
        this.accept(';');
        break;
      }
      body.push(this.statement());
      this.accept(';');
    }
    this.level--;
    return body;
  }

  private statement(): Statement {
    const start = this.start;
    if (this.kind() === Kind.Keyword) {
      const word = this.t.value[this.i] as string;
      this.i++;
      switch (word) {
        case 'local': return this.localStatement(start);
        case 'if': return this.ifStatement(start);
        case 'return': return this.returnStatement(start);
        case 'function': return this.functionBody(start, this.functionName(), false) as L.FunctionDeclaration;
        case 'while': return this.whileStatement(start);
        case 'for': return this.forStatement(start);
        case 'repeat': return this.repeatStatement(start);
        case 'break':
          if (this.loops === 0) throw GIVE_UP;
          return { type: 'BreakStatement', range: this.range(start) } as L.BreakStatement;
        case 'do': {
          const body = this.block();
          this.expect('end');
          return { type: 'DoStatement', body, range: this.range(start) } as L.DoStatement;
        }
        default:
          throw GIVE_UP;
      }
    }
    return this.assignmentOrCall(start);
  }

  private localStatement(start: number): Statement {
    if (this.accept('function')) {
      const name = this.identifier();
      return this.functionBody(start, name, true) as L.FunctionDeclaration;
    }
    const variables: L.Identifier[] = [];
    do variables.push(this.identifier());
    while (this.accept(','));
    const init: Expr[] = [];
    if (this.accept('=')) {
      do init.push(this.expression());
      while (this.accept(','));
    }
    return { type: 'LocalStatement', variables, init, range: this.range(start) } as L.LocalStatement;
  }

  private ifStatement(start: number): Statement {
    const clauses: (L.IfClause | L.ElseifClause | L.ElseClause)[] = [];
    let condition = this.expression();
    this.expect('then');
    let body = this.block();
    clauses.push({ type: 'IfClause', condition, body, range: this.range(start) } as L.IfClause);
    for (let at = this.start; this.accept('elseif'); at = this.start) {
      condition = this.expression();
      this.expect('then');
      body = this.block();
      clauses.push({ type: 'ElseifClause', condition, body, range: this.range(at) } as L.ElseifClause);
    }
    const elseAt = this.start;
    if (this.accept('else')) {
      body = this.block();
      clauses.push({ type: 'ElseClause', body, range: this.range(elseAt) } as L.ElseClause);
    }
    this.expect('end');
    return { type: 'IfStatement', clauses, range: this.range(start) } as L.IfStatement;
  }

  private returnStatement(start: number): Statement {
    const args: Expr[] = [];
    if (!this.blockFollows() && !this.is(';')) {
      do args.push(this.expression());
      while (this.accept(','));
    }
    this.accept(';');
    return { type: 'ReturnStatement', arguments: args, range: this.range(start) } as L.ReturnStatement;
  }

  private loopBody(): Statement[] {
    this.loops++;
    const body = this.block();
    this.loops--;
    return body;
  }

  private whileStatement(start: number): Statement {
    const condition = this.expression();
    this.expect('do');
    const body = this.loopBody();
    this.expect('end');
    return { type: 'WhileStatement', condition, body, range: this.range(start) } as L.WhileStatement;
  }

  private repeatStatement(start: number): Statement {
    const body = this.loopBody();
    this.expect('until');
    const condition = this.expression();
    return { type: 'RepeatStatement', condition, body, range: this.range(start) } as L.RepeatStatement;
  }

  private forStatement(start: number): Statement {
    const variable = this.identifier();
    if (this.accept('=')) {
      const from = this.expression();
      this.expect(',');
      const to = this.expression();
      const step = this.accept(',') ? this.expression() : null;
      this.expect('do');
      const body = this.loopBody();
      this.expect('end');
      return { type: 'ForNumericStatement', variable, start: from, end: to, step, body, range: this.range(start) } as L.ForNumericStatement;
    }
    const variables = [variable];
    while (this.accept(',')) variables.push(this.identifier());
    this.expect('in');
    const iterators: Expr[] = [];
    do iterators.push(this.expression());
    while (this.accept(','));
    this.expect('do');
    const body = this.loopBody();
    this.expect('end');
    return { type: 'ForGenericStatement', variables, iterators, body, range: this.range(start) } as L.ForGenericStatement;
  }

  /** `function` Name {'.' Name} [':' Name]: member expressions ranging from the first name. */
  private functionName(): L.Identifier | L.MemberExpression {
    const start = this.start;
    let base: L.Identifier | L.MemberExpression = this.identifier();
    while (this.accept('.')) {
      const identifier = this.identifier();
      base = { type: 'MemberExpression', indexer: '.', identifier, base, range: this.range(start) } as L.MemberExpression;
    }
    if (this.accept(':')) {
      const identifier = this.identifier();
      base = { type: 'MemberExpression', indexer: ':', identifier, base, range: this.range(start) } as L.MemberExpression;
    }
    return base;
  }

  /** '(' parameters ')' block 'end', the function's own vararg and loops. */
  private functionBody(start: number, identifier: L.Identifier | L.MemberExpression | null, isLocal: boolean): Node {
    const outerVararg = this.vararg;
    const outerLoops = this.loops;
    this.vararg = false;
    this.loops = 0;
    const parameters: (L.Identifier | L.VarargLiteral)[] = [];
    this.expect('(');
    if (!this.accept(')')) {
      for (;;) {
        if (this.kind() === Kind.Name) {
          parameters.push(this.identifier());
          if (this.accept(',')) continue;
        } else if (this.kind() === Kind.Vararg) {
          this.vararg = true;
          parameters.push(this.literal());
        } else {
          throw GIVE_UP;
        }
        this.expect(')');
        break;
      }
    }
    const body = this.block();
    this.expect('end');
    this.vararg = outerVararg;
    this.loops = outerLoops;
    return { type: 'FunctionDeclaration', identifier, isLocal, parameters, body, range: this.range(start) } as L.FunctionDeclaration;
  }

  private assignmentOrCall(start: number): Statement {
    const targets: Expr[] = [];
    let assignable: boolean | null;
    for (;;) {
      const at = this.start;
      let base: Expr;
      if (this.kind() === Kind.Name) {
        base = this.identifier();
        assignable = true;
      } else if (this.accept('(')) {
        base = this.expression();
        this.expect(')');
        assignable = false;
      } else {
        throw GIVE_UP;
      }
      for (;;) {
        const k = this.kind();
        const v = this.t.value[this.i];
        if (k === Kind.Punct && (v === '.' || v === '[')) assignable = true;
        else if (k === Kind.String || (k === Kind.Punct && (v === ':' || v === '(' || v === '{'))) assignable = null;
        else break;
        base = this.suffix(base, at)!;
      }
      targets.push(base);
      if (!this.is(',')) break;
      if (!assignable) throw GIVE_UP;
      this.i++;
    }
    if (targets.length === 1 && assignable === null) {
      return { type: 'CallStatement', expression: targets[0], range: this.range(start) } as L.CallStatement;
    }
    if (!assignable) throw GIVE_UP;
    this.expect('=');
    const init: Expr[] = [];
    do init.push(this.expression());
    while (this.accept(','));
    return { type: 'AssignmentStatement', variables: targets, init, range: this.range(start) } as unknown as L.AssignmentStatement;
  }

  // Expressions

  private identifier(): L.Identifier {
    if (this.kind() !== Kind.Name) throw GIVE_UP;
    const i = this.i++;
    return { type: 'Identifier', name: this.t.value[i] as string, range: [this.t.start[i], this.t.end[i]] } as L.Identifier;
  }

  /** A literal token as luaparse makes it: its value and its source text. */
  private literal(): L.StringLiteral & L.VarargLiteral {
    const i = this.i++;
    const start = this.t.start[i];
    const end = this.t.end[i];
    const type = LITERAL_TYPES[this.t.kind[i] as Kind];
    return { type, value: this.t.value[i], raw: this.src.slice(start, end), range: [start, end] } as unknown as L.StringLiteral & L.VarargLiteral;
  }

  private expression(): Expr {
    const e = this.subExpression(0);
    if (e === null) throw GIVE_UP;
    return e;
  }

  private subExpression(limit: number): Expr | null {
    this.enter();
    const start = this.start;
    let e: Expr | null;
    const k = this.kind();
    const v = this.t.value[this.i];
    if ((k === Kind.Punct && (v === '-' || v === '#')) || (k === Kind.Keyword && v === 'not')) {
      this.i++;
      const argument = this.subExpression(UNARY_PRIORITY);
      if (argument === null) throw GIVE_UP;
      e = { type: 'UnaryExpression', operator: v, argument, range: this.range(start) } as L.UnaryExpression;
    } else {
      e = this.simpleExpression(start);
    }
    if (e === null) {
      this.level--;
      return null;
    }
    for (;;) {
      const kind = this.kind();
      if (kind !== Kind.Punct && kind !== Kind.Keyword) break;
      const operator = this.t.value[this.i] as string;
      const priority = PRIORITY[operator];
      if (priority === undefined || priority[0] <= limit) break;
      this.i++;
      const right = this.subExpression(priority[1]);
      if (right === null) throw GIVE_UP;
      const type = operator === 'and' || operator === 'or' ? 'LogicalExpression' : 'BinaryExpression';
      e = { type, operator, left: e, right, range: this.range(start) } as L.BinaryExpression;
    }
    this.level--;
    return e;
  }

  /** A literal, a function, a table, or a prefix expression and its suffixes; null where none starts. */
  private simpleExpression(start: number): Expr | null {
    switch (this.kind()) {
      case Kind.Vararg:
        if (!this.vararg) throw GIVE_UP;
        return this.literal();
      case Kind.String:
      case Kind.Number:
      case Kind.Nil:
      case Kind.True:
      case Kind.False:
        return this.literal();
      case Kind.Keyword:
        if (!this.accept('function')) return null;
        return this.functionBody(start, null, false) as L.FunctionDeclaration;
      case Kind.Punct:
        if (this.accept('{')) return this.table(start);
        if (!this.accept('(')) return null;
        return this.suffixes(this.expressionInParens(), start);
      case Kind.Name:
        return this.suffixes(this.identifier(), start);
      default:
        return null;
    }
  }

  private expressionInParens(): Expr {
    const e = this.expression();
    this.expect(')');
    return e;
  }

  private suffixes(base: Expr, start: number): Expr {
    for (;;) {
      const next = this.suffix(base, start);
      if (next === null) return base;
      base = next;
    }
  }

  /** One of '[' exp ']', '.' Name, ':' Name args, args after `base`; null where none follows. */
  private suffix(base: Expr, start: number): Expr | null {
    const k = this.kind();
    if (k === Kind.String) return this.call(base, start);
    if (k !== Kind.Punct) return null;
    switch (this.t.value[this.i]) {
      case '[': {
        this.i++;
        const index = this.expression();
        this.expect(']');
        return { type: 'IndexExpression', base, index, range: this.range(start) } as L.IndexExpression;
      }
      case '.': {
        this.i++;
        const identifier = this.identifier();
        return { type: 'MemberExpression', indexer: '.', identifier, base, range: this.range(start) } as L.MemberExpression;
      }
      case ':': {
        this.i++;
        const identifier = this.identifier();
        const method = { type: 'MemberExpression', indexer: ':', identifier, base, range: this.range(start) } as L.MemberExpression;
        return this.call(method, start);
      }
      case '(':
      case '{':
        return this.call(base, start);
      default:
        return null;
    }
  }

  private call(base: Expr, start: number): Expr {
    const k = this.kind();
    if (k === Kind.String) {
      const argument = this.literal();
      return { type: 'StringCallExpression', base, argument, range: this.range(start) } as L.StringCallExpression;
    }
    const at = this.start;
    if (this.accept('{')) {
      const table = this.table(at);
      return { type: 'TableCallExpression', base, arguments: table, range: this.range(start) } as unknown as L.TableCallExpression;
    }
    if (!this.is('(')) throw GIVE_UP;
    // Lua's "ambiguous syntax (function call x new statement)": luaparse and Lua compare different lines, so either gives up.
    // A break within the token before '(' counts: only a string's can hold one.
    const before = this.i - 1;
    if (lineBreakIn(this.src, this.t.kind[before] === Kind.String ? this.t.start[before] : this.t.end[before], this.t.start[this.i])) throw GIVE_UP;
    this.i++;
    const args: Expr[] = [];
    if (!this.accept(')')) {
      do args.push(this.expression());
      while (this.accept(','));
      this.expect(')');
    }
    return { type: 'CallExpression', base, arguments: args, range: this.range(start) } as L.CallExpression;
  }

  /** The fields after '{' (taken) and its '}'. */
  private table(start: number): L.TableConstructorExpression {
    const fields: (L.TableKey | L.TableKeyString | L.TableValue)[] = [];
    // As Lua's constructor, no field (and no level) is begun at the '}'.
    while (!this.is('}')) {
      const at = this.start;
      if (this.accept('[')) {
        const key = this.expression();
        this.expect(']');
        this.expect('=');
        const value = this.expression();
        fields.push({ type: 'TableKey', key, value, range: this.range(at) } as L.TableKey);
      } else if (this.kind() === Kind.Name && this.kindAt(this.i + 1) === Kind.Punct && this.t.value[this.i + 1] === '=') {
        const key = this.identifier();
        this.i++;
        const value = this.expression();
        fields.push({ type: 'TableKeyString', key, value, range: this.range(at) } as L.TableKeyString);
      } else {
        const value = this.subExpression(0);
        if (value === null) break;
        fields.push({ type: 'TableValue', value, range: this.range(at) } as L.TableValue);
      }
      if (!this.accept(',') && !this.accept(';')) break;
    }
    this.expect('}');
    return { type: 'TableConstructorExpression', fields, range: this.range(start) } as L.TableConstructorExpression;
  }
}

const LITERAL_TYPES: Partial<Record<Kind, string>> = {
  [Kind.String]: 'StringLiteral',
  [Kind.Number]: 'NumericLiteral',
  [Kind.Nil]: 'NilLiteral',
  [Kind.True]: 'BooleanLiteral',
  [Kind.False]: 'BooleanLiteral',
  [Kind.Vararg]: 'VarargLiteral',
};

/**
 * The most tokens a chunk may have. Its tree, the code generated from it
 * and V8's compile of that take about a kilobyte a token at their peak, on
 * a heap of V8's fixed size: a script of tens of megabytes of short
 * statements ran the process out of memory. Redis compiles such a script;
 * Sluice refuses it with an error, in a kilobyte a token of the heap.
 */
export const MAX_TOKENS = Math.floor(getHeapStatistics().heap_size_limit / 1024);

/** The chunk's tree, or the error that refuses it, or null where the quick parser gives up (see QuickParse). */
export function parseQuickly(src: string, maxTokens = MAX_TOKENS): QuickParse | null {
  let tokens: Tokens | null;
  try {
    tokens = tokenize(src, maxTokens);
  } catch (e) {
    if (e instanceof TooManyTokens) return { line: e.line, message: `chunk has more than ${maxTokens} tokens, more than Sluice compiles` };
    throw e;
  }
  // A byte string only: luaparse refuses other characters, in its own words.
  if (tokens === null || /[^\x00-\xff]/.test(src)) return null;
  const parser = new Parser(tokens, src);
  try {
    const chunk = parser.chunk();
    chunk.comments = tokens.comments as unknown as L.Comment[];
    return { chunk };
  } catch (e) {
    if (e instanceof LuaError) return { line: e.line, message: e.message };
    if (e === GIVE_UP || e instanceof RangeError) return null;
    throw e;
  }
}

/**
 * The function written at [from, to) of a chunk the quick parser took
 * whole, parsed alone (compiler/lazy.ts): in the time its own text takes,
 * whatever its offset. Null where the parser gives up, which a function of
 * such a chunk does not make it do.
 */
export function parseFunctionQuickly(src: string, from: number, to: number, expression: boolean): L.FunctionDeclaration | null {
  try {
    const tokens = tokenize(src, MAX_TOKENS, from, to);
    return tokens === null ? null : new Parser(tokens, src).function(expression);
  } catch (e) {
    if (e === GIVE_UP || e instanceof LuaError || e instanceof RangeError || e instanceof TooManyTokens) return null;
    throw e;
  }
}
