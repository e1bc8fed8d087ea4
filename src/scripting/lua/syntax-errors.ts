import type { Chunk } from 'luaparse';
import { lexLua, nearText, type Token } from './compiler/lexer.js';
import { ParenFinder } from './compiler/parens.js';
import { stringToNumber } from './string-to-number.js';

/**
 * Syntax errors worded as Lua 5.1's parser words them. luaparse finds the
 * error and where; Lua's lexer (compiler/lexer.ts) says which token that is
 * and how Lua shows it, and whether a lexical error comes first; the
 * blocks open at that point give Lua's "'end' expected (to close 'function'
 * at line 3)" and tell a statement after `return` (Lua: "'<eof>' expected")
 * from an unexpected one.
 */
export interface LuaSyntaxMessage {
  readonly line: number;
  readonly message: string;
}

interface Block {
  /** The keyword that opened it (function, if, while, for, do, repeat), or '' for the chunk. */
  readonly opener: string;
  readonly line: number;
  /** A return or break (Lua's last statements) was seen in the current block of this construct. */
  ended: boolean;
  /** while/for: the `do` that starts the body is still to come. */
  awaitingDo: boolean;
}

/** luaparse's messages for errors of its lexer. */
const LEXICAL = /^(unfinished |malformed number|decimal escape|invalid escape|hexadecimal digit|'\[' expected)/;

/** Tokens that end a block (Lua's block_follow, besides the end of input). */
const BLOCK_FOLLOW = new Set(['end', 'until', 'else', 'elseif']);

/**
 * Whether the tokens before `j` end a statement that is a parenthesised
 * expression, which Lua refuses with "syntax error" (it is neither a call
 * nor something to assign to).
 */
function parenthesizedStatement(tokens: Token[], j: number): boolean {
  let k = j - 1;
  if (k < 0 || tokens[k].text !== ')') return false;
  let depth = 0;
  for (; k >= 0; k--) {
    if (tokens[k].text === ')') depth++;
    else if (tokens[k].text === '(' && --depth === 0) break;
  }
  if (k < 0) return false;
  const prev = k > 0 ? tokens[k - 1] : undefined;
  return prev === undefined || prev.text === ';' || (prev.type === 'keyword' && ['do', 'then', 'else', 'repeat'].includes(prev.text));
}

function validNumber(text: string): boolean {
  return stringToNumber(text) !== undefined;
}

/** The blocks open just before token `upTo`. */
function openBlocks(tokens: Token[], upTo: number): Block[] {
  const stack: Block[] = [{ opener: '', line: 0, ended: false, awaitingDo: false }];
  let depth = 0;
  for (let k = 0; k < upTo; k++) {
    const t = tokens[k];
    const top = stack[stack.length - 1];
    if (t.type === 'symbol') {
      if (t.text === '(' || t.text === '{' || t.text === '[') depth++;
      else if (t.text === ')' || t.text === '}' || t.text === ']') depth = Math.max(0, depth - 1);
      continue;
    }
    if (t.type !== 'keyword') continue;
    switch (t.text) {
      case 'function':
      case 'if':
      case 'repeat':
        stack.push({ opener: t.text, line: t.line, ended: false, awaitingDo: false });
        break;
      case 'while':
      case 'for':
        stack.push({ opener: t.text, line: t.line, ended: false, awaitingDo: true });
        break;
      case 'do':
        if (top.awaitingDo) top.awaitingDo = false;
        else stack.push({ opener: 'do', line: t.line, ended: false, awaitingDo: false });
        break;
      case 'else':
      case 'elseif':
        top.ended = false;
        break;
      case 'end':
      case 'until':
        if (stack.length > 1) stack.pop();
        break;
      case 'return':
      case 'break':
        if (depth === 0 || top.opener === 'function') top.ended = true;
        break;
    }
  }
  return stack;
}

/** LUAI_MAXCCALLS: how deep Lua's parser may nest (its enterlevel). */
const MAX_LEVELS = 200;

const UNARY_OR_RIGHT = new Set(['not', '-', '#', '..', '^']);
const EXPRESSION_END = new Set([',', ';', '=', 'then', 'do', 'end', 'else', 'elseif', 'until', 'return', 'local', 'in', 'and', 'or']);

/**
 * Where Lua's parser would give up with "chunk has too many syntax levels"
 * (200 nested levels: one per block, and in an expression one per
 * enclosing bracket and per pending operand of a unary or
 * right-associative operator), as the index of the token it would stand
 * on, or -1. An estimate from the tokens, checked at block starts and at
 * operands; it agrees with Lua for nested parentheses, braces, blocks and
 * chains of .. and unary operators.
 */
function tooDeepAt(tokens: Token[]): number {
  let blocks = 0;
  const chains: number[] = [0];
  // The sum of chains, kept as they change: this runs over every token of every script compiled.
  let pending = 0;
  const awaitingDo: boolean[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (isOperand(t) && 1 + blocks + (chains.length - 1) + 1 + pending > MAX_LEVELS) return k;
    const top = chains.length - 1;
    if (t.type === 'keyword' || t.type === 'symbol') {
      if (t.text === '(' || t.text === '{' || t.text === '[') chains.push(0);
      else if (t.text === ')' || t.text === '}' || t.text === ']') {
        if (chains.length > 1) pending -= chains.pop()!;
      } else if (UNARY_OR_RIGHT.has(t.text)) {
        chains[top]++;
        pending++;
      } else if (EXPRESSION_END.has(t.text)) {
        pending -= chains[top];
        chains[top] = 0;
      }
    }
    if (t.type !== 'keyword') continue;
    let opens = false;
    if (t.text === 'function' || t.text === 'if' || t.text === 'repeat') opens = true;
    else if (t.text === 'while' || t.text === 'for') {
      opens = true;
      awaitingDo.push(true);
    } else if (t.text === 'do') {
      if (awaitingDo.length > 0 && awaitingDo[awaitingDo.length - 1]) awaitingDo[awaitingDo.length - 1] = false;
      else opens = true;
    } else if (t.text === 'end' || t.text === 'until') {
      blocks = Math.max(0, blocks - 1);
      if (awaitingDo.length > 0 && !awaitingDo[awaitingDo.length - 1]) awaitingDo.pop();
    }
    if (opens && 1 + ++blocks > MAX_LEVELS) return k;
  }
  return -1;
}

type TreeNode = { readonly type: string; readonly range?: [number, number]; readonly [key: string]: unknown };

/** Where each kind of luaparse node keeps its sub-nodes (a block: `body`); a kind not here stops withinSyntaxLevels. */
const CHILDREN: Readonly<Record<string, readonly string[]>> = {
  LocalStatement: ['variables', 'init'],
  AssignmentStatement: ['variables', 'init'],
  CallStatement: ['expression'],
  FunctionDeclaration: ['identifier', 'parameters'],
  ReturnStatement: ['arguments'],
  IfStatement: ['clauses'],
  IfClause: ['condition'],
  ElseifClause: ['condition'],
  ElseClause: [],
  WhileStatement: ['condition'],
  DoStatement: [],
  RepeatStatement: ['condition'],
  ForNumericStatement: ['variable', 'start', 'end', 'step'],
  ForGenericStatement: ['variables', 'iterators'],
  BreakStatement: [],
  Identifier: [],
  StringLiteral: [],
  NumericLiteral: [],
  BooleanLiteral: [],
  NilLiteral: [],
  VarargLiteral: [],
  TableConstructorExpression: ['fields'],
  TableKey: ['key', 'value'],
  TableKeyString: ['key', 'value'],
  TableValue: ['value'],
  BinaryExpression: ['left', 'right'],
  LogicalExpression: ['left', 'right'],
  UnaryExpression: ['argument'],
  MemberExpression: ['base', 'identifier'],
  IndexExpression: ['base', 'index'],
  CallExpression: ['base', 'arguments'],
  TableCallExpression: ['base', 'arguments'],
  StringCallExpression: ['base', 'argument'],
};

/** Binary operators whose tokens tooDeepAt counts as pending (it takes every '-' for a unary one). */
const PENDING_BINARY = new Set(['..', '^', '-']);

/**
 * Whether tooDeepAt would find nothing in the chunk luaparse made of
 * `source`, told from the tree without lexing the source again: false when
 * it cannot tell. A bound on tooDeepAt's count at every token, walking down
 * the tree: each node around the token opens at most one block and one
 * bracket of its own, a parenthesis luaparse leaves out stands straight
 * before the node it wraps, and the pending operators are those of the
 * statements around the token (what is not a Lua unary or right-associative
 * operator included) and of the statement before each of them that ends
 * with an expression (a call statement ends no pending chain, so the one
 * before it counts).
 */
export function withinSyntaxLevels(ast: Chunk, source: string): boolean {
  const bound = new LevelBound(new ParenFinder(source, (ast.comments ?? []) as { range?: [number, number] }[]));
  const deepest = bound.block(ast.body as unknown as TreeNode[], 2);
  return deepest >= 0 && 2 + deepest <= MAX_LEVELS;
}

/** withinSyntaxLevels' walk: each step gives the bound below a node or block, or -1 once it is past MAX_LEVELS or meets a node it does not know. */
class LevelBound {
  /** Pending operators counted so far in the statement being walked, outside the blocks it holds. */
  private pending = 0;

  constructor(private readonly parens: ParenFinder) {}

  /** `above`: levels known around the node, for the cut-off (which also bounds the recursion). */
  node(n: TreeNode, above: number): number {
    const keys = CHILDREN[n.type];
    if (keys === undefined || n.range === undefined) return -1;
    const own = 2 + this.parens.opening(n.range[0], MAX_LEVELS);
    if (above + own > MAX_LEVELS) return -1;
    if (n.type === 'UnaryExpression' || (n.type === 'BinaryExpression' && PENDING_BINARY.has(n.operator as string))) this.pending++;
    let deepest = Array.isArray(n.body) ? this.block(n.body as TreeNode[], above + own) : 0;
    for (const key of keys) {
      if (deepest < 0) return -1;
      const v = n[key];
      const children = Array.isArray(v) ? (v as TreeNode[]) : v === null || v === undefined ? [] : [v as TreeNode];
      for (const c of children) {
        const d = this.node(c, above + own);
        if (d < 0) return -1;
        if (d > deepest) deepest = d;
      }
    }
    return deepest < 0 ? -1 : own + deepest;
  }

  block(statements: TreeNode[], above: number): number {
    let before = 0;
    let deepest = 0;
    for (const s of statements) {
      const outer = this.pending;
      this.pending = 0;
      const d = this.node(s, above + before);
      const own = this.pending;
      this.pending = outer;
      if (d < 0) return -1;
      const total = d + own + before;
      if (above + total > MAX_LEVELS) return -1;
      if (total > deepest) deepest = total;
      if (s.type !== 'CallStatement' && s.type !== 'BreakStatement') before = own;
    }
    return deepest;
  }
}

const OPERAND_KEYWORDS = new Set(['nil', 'true', 'false', 'function']);

function isOperand(t: Token): boolean {
  return (
    t.type === 'name' ||
    t.type === 'number' ||
    t.type === 'string' ||
    (t.type === 'keyword' && OPERAND_KEYWORDS.has(t.text)) ||
    t.text === '...' ||
    t.text === '{'
  );
}

/** check_match's wording: the closing token expected, naming the opener when it is on another line. */
function expectedClose(block: Block, at: Token): string {
  const close = block.opener === 'repeat' ? 'until' : 'end';
  if (block.line === at.line) return `'${close}' expected`;
  return `'${close}' expected (to close '${block.opener}' at line ${block.line})`;
}

/**
 * Lua's message for the error luaparse raised (`err`), or for the source
 * luaparse accepted (err null: a lexical error only Lua's lexer makes, or
 * null when there is none).
 */
export function luaSyntaxMessage(source: string, err: { message: string; index: number; line: number }): LuaSyntaxMessage;
export function luaSyntaxMessage(source: string, err: null): LuaSyntaxMessage | null;
export function luaSyntaxMessage(
  source: string,
  err: { message: string; index: number; line: number } | null,
): LuaSyntaxMessage | null {
  const { tokens, error } = lexLua(source, validNumber);
  const deep = tooDeepAt(tokens);
  const deepError = deep < 0 ? null : { line: tokens[deep].line, message: 'chunk has too many syntax levels' };
  if (err === null) {
    if (error !== null && (deep < 0 || error.tokenIndex <= deep)) return { line: error.line, message: error.message };
    return deepError;
  }
  let j = tokens.findIndex((t) => t.start >= err.index);
  if (j < 0) j = tokens.length;
  if (deepError !== null && deep <= j && (error === null || deep < error.tokenIndex)) return deepError;
  const text = err.message.replace(/^\[\d+:\d+\] /, '');
  // Lua lexes one token at a time, so a lexical error before the parser's stops it first; luaparse
  // reports its own lexical errors from one token further on.
  if (error !== null && (error.tokenIndex <= j || (LEXICAL.test(text) && error.tokenIndex <= j + 1))) {
    return { line: error.line, message: error.message };
  }
  const at = tokens[Math.min(j, tokens.length - 1)];
  const near = nearText(at.text);
  const before = j > 0 ? tokens[j - 1] : undefined;

  if (/^unexpected /.test(text)) {
    const blocks = openBlocks(tokens, j);
    const top = blocks[blocks.length - 1];
    const terminator = top.opener === '' ? `'<eof>' expected` : expectedClose(top, at);
    if (at.type === 'keyword' && BLOCK_FOLLOW.has(at.text)) return { line: at.line, message: terminator + near };
    if (before !== undefined && before.text === 'return' && before.type === 'keyword') {
      return { line: at.line, message: 'unexpected symbol' + near };
    }
    if (top.ended) return { line: at.line, message: terminator + near };
    if (parenthesizedStatement(tokens, j)) return { line: at.line, message: 'syntax error' + near };
    return { line: at.line, message: 'unexpected symbol' + near };
  }
  if (/^ambiguous syntax/.test(text)) {
    let k = Math.min(j, tokens.length - 1);
    while (k > 0 && tokens[k].text !== '(') k--;
    return { line: tokens[k].line, message: `ambiguous syntax (function call x new statement) near '('` };
  }
  if (/^'[)}]' expected near /.test(text) && before !== undefined && ['(', '{', ',', ';'].includes(before.text)) {
    // Lua wanted an expression (an argument, a table field) there.
    return { line: at.line, message: 'unexpected symbol' + near };
  }
  let m = /^'(end|until)' expected near /.exec(text);
  if (m !== null) {
    const blocks = openBlocks(tokens, j);
    const top = blocks[blocks.length - 1];
    if (top.opener !== '') return { line: at.line, message: expectedClose(top, at) + near };
    return { line: at.line, message: `'${m[1]}' expected` + near };
  }
  m = /^'([^']*)' expected near /.exec(text);
  if (m !== null) return { line: at.line, message: `'${m[1]}' expected` + near };
  if (/^<expression> expected/.test(text)) return { line: at.line, message: 'unexpected symbol' + near };
  m = /^<(name)> expected/.exec(text);
  if (m !== null) return { line: at.line, message: `'<name>' expected` + near };
  // Messages luaparse words as Lua does (no loop to break, '...' outside a vararg function).
  return { line: at.line, message: text.replace(/ near '.*'$/s, '') + near };
}
