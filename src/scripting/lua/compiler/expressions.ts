import type * as L from 'luaparse';
import { luaMod, luaPow } from '../ops-arith.js';
import { resultOf } from './calls.js';
import { rangeStart, type Context } from './context.js';
import { functionExpr } from './functions.js';
import { tableConstructor } from './table-constructor.js';

/**
 * Expressions to JavaScript expressions. `expr` gives exactly one Lua value;
 * `resultOf` gives a call's raw result (one value or an array, see
 * value.ts); `valuesOf` gives all values of a multi-value expression as an
 * array. Operations go through the runtime's functions (runtime.ts), which
 * V8 inlines; each gets a site with its line and operand names.
 */

export type Call = L.CallExpression | L.StringCallExpression | L.TableCallExpression;

const ARITH: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '^': 'pow' };
const COMPARE: Record<string, string> = { '==': 'eq', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

export function isCall(node: L.Expression): node is Call {
  return node.type === 'CallExpression' || node.type === 'StringCallExpression' || node.type === 'TableCallExpression';
}

/** Whether `node` yields all its values here: a call or `...` not wrapped in extra parentheses. */
export function isMulti(cx: Context, node: L.Expression, parensExpected = 0): boolean {
  if (!isCall(node) && node.type !== 'VarargLiteral') return false;
  return !cx.parens.wrapped(rangeStart(node), parensExpected);
}

/** A numeric constant as Lua's parser folds it (numerals, unary minus, arithmetic on numerals), or undefined. */
export function numeral(node: L.Expression): number | undefined {
  if (node.type === 'NumericLiteral') return node.value;
  if (node.type === 'UnaryExpression' && node.operator === '-') {
    const v = numeral(node.argument);
    return v === undefined ? undefined : -v;
  }
  if (node.type === 'BinaryExpression' && node.operator in ARITH) {
    const a = numeral(node.left);
    const b = numeral(node.right);
    if (a === undefined || b === undefined) return undefined;
    let r: number;
    switch (node.operator) {
      case '+':
        r = a + b;
        break;
      case '-':
        r = a - b;
        break;
      case '*':
        r = a * b;
        break;
      case '/':
        if (b === 0) return undefined;
        r = a / b;
        break;
      case '%':
        if (b === 0) return undefined;
        r = luaMod(a, b);
        break;
      default:
        r = luaPow(a, b);
    }
    return r !== r ? undefined : r;
  }
  return undefined;
}

/** A number as a JavaScript literal; 0 and -0 share one constant per function, as in Lua's constant table. */
function numberLiteral(cx: Context, v: number): string {
  if (v === 0) {
    if (cx.fn.zero === undefined) cx.fn.zero = v;
    return Object.is(cx.fn.zero, -0) ? '(-0)' : '0';
  }
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  return v < 0 ? `(${v})` : String(v);
}

export function stringLiteral(s: string): string {
  return JSON.stringify(s);
}

/**
 * A constant as Lua's code generator sees it after folding what it folds:
 * numerals, `not` of a constant, and and/or whose left side is a constant
 * that decides nothing (nil or x, true and x give x). Undefined when the
 * expression is not one; { value } otherwise (value undefined for nil).
 */
function constant(node: L.Expression): { value: string | number | boolean | undefined } | undefined {
  switch (node.type) {
    case 'StringLiteral':
      return { value: node.value };
    case 'NilLiteral':
      return { value: undefined };
    case 'BooleanLiteral':
      return { value: node.value };
    case 'UnaryExpression': {
      if (node.operator !== 'not') break;
      const c = constant(node.argument);
      return c === undefined ? undefined : { value: c.value === undefined || c.value === false };
    }
    case 'LogicalExpression': {
      const l = constant(node.left);
      if (l === undefined) return undefined;
      const falsy = l.value === undefined || l.value === false;
      return (node.operator === 'or') === falsy ? constant(node.right) : undefined;
    }
    default:
      break;
  }
  const n = numeral(node);
  return n === undefined ? undefined : { value: n };
}

/** The name Lua gives a key in "field 'x'": a string constant's text, else '?'. */
export function keyName(key: L.Expression): string {
  const c = constant(key);
  return c !== undefined && typeof c.value === 'string' ? c.value : '?';
}

/** How Lua 5.1 names an operand in error messages: "local 'x'", "field 'y'"..., or undefined. */
export function describe(cx: Context, node: L.Expression): string | undefined {
  switch (node.type) {
    case 'Identifier': {
      const v = cx.fn.resolve(node.name);
      if (v === null) return `global '${node.name}'`;
      return v.fn === cx.fn ? `local '${node.name}'` : `upvalue '${node.name}'`;
    }
    case 'MemberExpression':
      return `field '${node.identifier.name}'`;
    case 'IndexExpression':
      return `field '${keyName(node.index)}'`;
    case 'LogicalExpression': {
      // Lua's code generator drops a constant that decides nothing (nil or x, true and x): x is the operand.
      const l = constant(node.left);
      if (l === undefined) return undefined;
      const falsy = l.value === undefined || l.value === false;
      return (node.operator === 'or') === falsy ? describe(cx, node.right) : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether the expression always yields a JavaScript boolean (so tests need no truthiness check). */
function isBoolean(node: L.Expression): boolean {
  if (node.type === 'BooleanLiteral') return true;
  if (node.type === 'UnaryExpression') return node.operator === 'not';
  return node.type === 'BinaryExpression' && (node.operator in COMPARE || node.operator === '~=');
}

/** A JavaScript boolean: whether the expression's value is true in Lua (neither nil nor false). */
export function condition(cx: Context, node: L.Expression): string {
  // A constant condition is decided at compile time; Lua does not even put it in the constant table.
  const c = constant(node);
  if (c !== undefined) return c.value === undefined || c.value === false ? 'false' : 'true';
  if (isBoolean(node)) return expr(cx, node);
  if (node.type === 'Identifier' && cx.fn.resolve(node.name) !== null) {
    const js = cx.ref(cx.fn.resolve(node.name)!);
    return `(${js} !== undefined && ${js} !== false)`;
  }
  const t = cx.temp();
  return `((${t} = ${expr(cx, node)}) !== undefined && ${t} !== false)`;
}

export function expr(cx: Context, node: L.Expression): string {
  switch (node.type) {
    case 'NilLiteral':
      return 'undefined';
    case 'BooleanLiteral':
      return node.value ? 'true' : 'false';
    case 'NumericLiteral':
      return numberLiteral(cx, node.value);
    case 'StringLiteral':
      return stringLiteral(node.value);
    case 'VarargLiteral':
      return 'va[0]';
    case 'Identifier':
      return identifier(cx, node);
    case 'FunctionDeclaration':
      return functionExpr(cx, node, false);
    case 'TableConstructorExpression':
      return tableConstructor(cx, node);
    case 'MemberExpression':
      return `indexStr(S, ${expr(cx, node.base)}, ${stringLiteral(node.identifier.name)}, ${indexSite(cx, node)})`;
    case 'IndexExpression':
      return indexExpr(cx, node);
    case 'CallExpression':
    case 'StringCallExpression':
    case 'TableCallExpression':
      return `$first(S, ${resultOf(cx, node)})`;
    case 'LogicalExpression':
      return logical(cx, node);
    case 'UnaryExpression':
      return unary(cx, node);
    case 'BinaryExpression':
      return binary(cx, node);
  }
}

function identifier(cx: Context, node: L.Identifier): string {
  const v = cx.fn.resolve(node.name);
  if (v !== null) return cx.ref(v);
  return `indexStr(S, G, ${stringLiteral(node.name)}, ${cx.site(cx.endLine(node))})`;
}

function indexSite(cx: Context, node: L.MemberExpression | L.IndexExpression): string {
  return cx.site(cx.endLine(node), undefined, undefined, describe(cx, node.base));
}

function indexExpr(cx: Context, node: L.IndexExpression): string {
  const base = expr(cx, node.base);
  if (node.index.type === 'StringLiteral') {
    return `indexStr(S, ${base}, ${stringLiteral(node.index.value)}, ${indexSite(cx, node)})`;
  }
  return `index(S, ${base}, ${expr(cx, node.index)}, ${indexSite(cx, node)})`;
}

function logical(cx: Context, node: L.LogicalExpression): string {
  const l = constant(node.left);
  if (l !== undefined && node.operator === 'and' && l.value !== undefined && l.value !== false) {
    // true and x is x, and Lua emits nothing for the constant.
    return expr(cx, node.right);
  }
  const t = cx.temp();
  const left = expr(cx, node.left);
  const right = expr(cx, node.right);
  return node.operator === 'and'
    ? `((${t} = ${left}) === undefined || ${t} === false ? ${t} : ${right})`
    : `((${t} = ${left}) !== undefined && ${t} !== false ? ${t} : ${right})`;
}

function unary(cx: Context, node: L.UnaryExpression): string {
  switch (node.operator) {
    case 'not':
      return `!${condition(cx, node.argument)}`;
    case '-': {
      const folded = numeral(node);
      if (folded !== undefined) return numberLiteral(cx, folded);
      const site = cx.site(cx.endLine(node), undefined, undefined, describe(cx, node.argument));
      return `unm(S, ${expr(cx, node.argument)}, ${site})`;
    }
    case '#': {
      const site = cx.site(cx.endLine(node), undefined, undefined, describe(cx, node.argument));
      return `len(S, ${expr(cx, node.argument)}, ${site})`;
    }
    default:
      throw new Error(`unary operator ${node.operator} is not Lua 5.1`);
  }
}

function binary(cx: Context, node: L.BinaryExpression): string {
  const op = node.operator;
  if (op in ARITH) {
    const folded = numeral(node);
    if (folded !== undefined) return numberLiteral(cx, folded);
  }
  // Lua keeps a numeral left operand of arithmetic aside for folding and puts it in the constant
  // table after the right operand's constants: that order decides which of 0 and -0 a function keeps.
  let left: string;
  let right: string;
  if (op in ARITH && numeral(node.left) !== undefined) {
    right = expr(cx, node.right);
    left = expr(cx, node.left);
  } else {
    left = expr(cx, node.left);
    right = expr(cx, node.right);
  }
  const site = cx.site(cx.endLine(node), undefined, undefined, describe(cx, node.left), describe(cx, node.right));
  if (op in ARITH) return `${ARITH[op]}(S, ${left}, ${right}, ${site})`;
  if (op in COMPARE) return `${COMPARE[op]}(S, ${left}, ${right}, ${site})`;
  if (op === '~=') return `!eq(S, ${left}, ${right}, ${site})`;
  if (op === '..') return `concat(S, ${left}, ${right}, ${site})`;
  throw new Error(`binary operator ${op} is not Lua 5.1`);
}

/** All values of a call or `...`, as an array. */
export function valuesOf(cx: Context, node: L.Expression): string {
  if (node.type === 'VarargLiteral') return 'va';
  if (isCall(node)) return `$all(S, ${resultOf(cx, node)})`;
  return `[${expr(cx, node)}]`;
}

/**
 * An expression list as one array expression with every value, the last
 * expression expanded when it yields several (return lists, table lists).
 */
export function listArray(cx: Context, exprs: L.Expression[]): string {
  const n = exprs.length;
  if (n === 0) return '$NONE';
  if (isMulti(cx, exprs[n - 1])) {
    const head = exprs.slice(0, n - 1).map((e) => expr(cx, e));
    const tail = valuesOf(cx, exprs[n - 1]);
    return head.length === 0 ? tail : `[${head.join(', ')}, ...${tail}]`;
  }
  return `[${exprs.map((e) => expr(cx, e)).join(', ')}]`;
}
