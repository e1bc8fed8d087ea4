import type * as L from 'luaparse';
import { callStatement, resultOf, tailCall } from './calls.js';
import { rangeStart, type Context } from './context.js';
import { condition, describe, expr, isCall, isMulti, listArray, numeral, stringLiteral, valuesOf } from './expressions.js';
import { functionExpr } from './functions.js';

/** Statements to JavaScript statements. Blocks are JavaScript blocks, so locals in loop bodies are fresh per iteration. */

/** Where compiled loops give the host's hook its chance (Lua's count hook); the loop's site says where the script is. */
function hook(cx: Context, node: L.Node): string {
  return `if (--S.budget < 0) S.tick(${cx.site(cx.startLine(node))});\n`;
}

export function block(cx: Context, body: L.Statement[], scoped = true): string {
  if (scoped) cx.fn.openBlock();
  let code = '';
  for (const s of body) {
    const mark = cx.fn.tempMark();
    code += statement(cx, s);
    cx.fn.releaseTemps(mark);
  }
  if (scoped) cx.fn.closeBlock();
  return code;
}

function statement(cx: Context, node: L.Statement): string {
  switch (node.type) {
    case 'LocalStatement':
      return local(cx, node);
    case 'AssignmentStatement':
      return assignment(cx, node);
    case 'CallStatement':
      return callStatement(cx, node.expression);
    case 'FunctionDeclaration':
      return functionStatement(cx, node);
    case 'ReturnStatement':
      return returnStatement(cx, node);
    case 'IfStatement':
      return ifStatement(cx, node);
    case 'WhileStatement':
      return `while (${condition(cx, node.condition)}) {\n${hook(cx, node)}${block(cx, node.body)}}\n`;
    case 'RepeatStatement': {
      // The condition is inside the body's scope: it sees the body's locals.
      cx.fn.openBlock();
      const body = block(cx, node.body, false);
      const cond = condition(cx, node.condition);
      cx.fn.closeBlock();
      return `while (true) {\n${hook(cx, node)}${body}if (${cond}) break;\n}\n`;
    }
    case 'DoStatement':
      return `{\n${block(cx, node.body)}}\n`;
    case 'BreakStatement':
      return 'break;\n';
    case 'ForNumericStatement':
      return numericFor(cx, node);
    case 'ForGenericStatement':
      return genericFor(cx, node);
    default:
      throw new Error(`${node.type} is not Lua 5.1`);
  }
}

/**
 * The values of an expression list for `n` targets, evaluated in order:
 * code to run first and one JavaScript expression per target. A last call
 * or `...` fills the remaining targets; surplus expressions are still run.
 */
function valuesFor(cx: Context, exprs: L.Expression[], n: number, allFirst: boolean): { code: string; values: string[] } {
  const m = exprs.length;
  const lastMulti = m > 0 && m < n && isMulti(cx, exprs[m - 1]);
  if (m === n && !lastMulti && !allFirst) return { code: '', values: exprs.map((e) => expr(cx, e)) };
  if (lastMulti || m > n) {
    const arr = cx.temp();
    const code = `${arr} = ${m > n ? `[${exprs.map((e) => expr(cx, e)).join(', ')}]` : listArray(cx, exprs)};\n`;
    return { code, values: Array.from({ length: n }, (_, i) => `${arr}[${i}]`) };
  }
  // Fewer expressions than targets and none to expand: the rest are nil.
  const values = exprs.map((e) => expr(cx, e));
  while (values.length < n) values.push('undefined');
  if (!allFirst) return { code: '', values };
  const temps = values.map(() => cx.temp());
  return { code: temps.map((t, i) => `${t} = ${values[i]};\n`).join(''), values: temps };
}

function local(cx: Context, node: L.LocalStatement): string {
  const { code, values } = valuesFor(cx, node.init, node.variables.length, false);
  const names = node.variables.map((v) => cx.fn.declare(v.name, rangeStart(v)).jsName);
  return `${code}let ${names.map((n, i) => `${n} = ${values[i]}`).join(', ')};\n`;
}

/** A target of assignment, split so that its table and key can be evaluated before the values. */
interface Target {
  prepare: string;
  assign: (value: string) => string;
}

function target(cx: Context, node: L.Expression, early: boolean): Target {
  if (node.type === 'Identifier') {
    const v = cx.fn.resolve(node.name);
    if (v !== null) return { prepare: '', assign: (value) => `${cx.ref(v)} = ${value};\n` };
    const site = cx.site(cx.endLine(node));
    return { prepare: '', assign: (value) => `setIndexStr(S, G, ${stringLiteral(node.name)}, ${value}, ${site});\n` };
  }
  if (node.type !== 'MemberExpression' && node.type !== 'IndexExpression') throw new Error('cannot assign to this expression');
  const site = cx.site(cx.endLine(node), undefined, undefined, describe(cx, node.base));
  let obj = expr(cx, node.base);
  const constKey =
    node.type === 'MemberExpression' ? node.identifier.name : node.index.type === 'StringLiteral' ? node.index.value : undefined;
  let key = constKey !== undefined ? stringLiteral(constKey) : expr(cx, (node as L.IndexExpression).index);
  let prepare = '';
  if (early) {
    const o = cx.temp();
    prepare = `${o} = ${obj};\n`;
    obj = o;
    if (node.type === 'IndexExpression' && node.index.type !== 'StringLiteral' && numeral(node.index) === undefined) {
      const k = cx.temp();
      prepare += `${k} = ${key};\n`;
      key = k;
    }
  }
  const op = constKey !== undefined ? 'setIndexStr' : 'setIndex';
  return { prepare, assign: (value) => `${op}(S, ${obj}, ${key}, ${value}, ${site});\n` };
}

/**
 * Lua evaluates the targets' tables and keys, then the values, then
 * assigns (right to left, as Lua 5.1 stores them). A single assignment
 * needs no temporaries: JavaScript evaluates a call's arguments in order.
 */
function assignment(cx: Context, node: L.AssignmentStatement): string {
  const n = node.variables.length;
  if (n === 1 && node.init.length === 1) {
    return target(cx, node.variables[0], false).assign(expr(cx, node.init[0]));
  }
  const targets = node.variables.map((v) => target(cx, v, true));
  const { code, values } = valuesFor(cx, node.init, n, true);
  let out = targets.map((t) => t.prepare).join('') + code;
  for (let i = n - 1; i >= 0; i--) out += targets[i].assign(values[i]);
  return out;
}

function functionStatement(cx: Context, node: L.FunctionDeclaration): string {
  const id = node.identifier;
  if (node.isLocal && id !== null && id.type === 'Identifier') {
    const name = cx.fn.declare(id.name, rangeStart(id)).jsName;
    return `let ${name};\n${name} = ${functionExpr(cx, node, false)};\n`;
  }
  if (id === null) return '';
  const isMethod = id.type === 'MemberExpression' && id.indexer === ':';
  const fn = functionExpr(cx, node, isMethod);
  if (id.type === 'MemberExpression') {
    const site = cx.site(cx.startLine(node), undefined, undefined, describe(cx, id.base));
    return `setIndexStr(S, ${expr(cx, id.base)}, ${stringLiteral(id.identifier.name)}, ${fn}, ${site});\n`;
  }
  return target(cx, id, false).assign(fn);
}

function returnStatement(cx: Context, node: L.ReturnStatement): string {
  const args = node.arguments;
  const only = args[0];
  if (args.length === 1 && isCall(only) && isMulti(cx, only)) return tailCall(cx, only);
  let value: string;
  if (args.length === 0) value = '$NONE';
  else if (args.length === 1 && isMulti(cx, args[0])) value = valuesOf(cx, args[0]);
  else if (args.length === 1) value = expr(cx, args[0]);
  else value = listArray(cx, args);
  return `{\nconst $ret = ${value};\nS.depth = $d;\nreturn $ret;\n}\n`;
}

function ifStatement(cx: Context, node: L.IfStatement): string {
  let out = '';
  node.clauses.forEach((clause, i) => {
    if (clause.type === 'ElseClause') out += ` else {\n${block(cx, clause.body)}}`;
    else out += `${i === 0 ? 'if' : ' else if'} (${condition(cx, clause.condition)}) {\n${block(cx, clause.body)}}`;
  });
  return out + '\n';
}

/**
 * Lua 5.1's numeric for: start, limit and step evaluated once and converted
 * to numbers (strings too), the counter kept as Lua keeps it (start - step,
 * then += step before each test), so float steps accumulate as in Lua.
 */
function numericFor(cx: Context, node: L.ForNumericStatement): string {
  const site = cx.site(cx.startLine(node));
  const i = cx.temp();
  const limit = cx.temp();
  const step = cx.temp();
  const stepValue = node.step === null ? 1 : numeral(node.step);
  let out = `${i} = ${expr(cx, node.start)};\n${limit} = ${expr(cx, node.end)};\n`;
  out += `${step} = ${node.step === null ? '1' : expr(cx, node.step)};\n`;
  out += `${i} = forNum(S, ${i}, 'initial value', ${site});\n${limit} = forNum(S, ${limit}, 'limit', ${site});\n`;
  out += `${step} = forNum(S, ${step}, 'step', ${site});\n`;
  let test: string;
  if (stepValue !== undefined && stepValue > 0) test = `!(${i} <= ${limit})`;
  else if (stepValue !== undefined && stepValue <= 0) test = `!(${limit} <= ${i})`;
  else test = `(0 < ${step} ? !(${i} <= ${limit}) : !(${limit} <= ${i}))`;
  cx.fn.openBlock();
  const v = cx.fn.declare(node.variable.name, rangeStart(node.variable)).jsName;
  const body = block(cx, node.body);
  cx.fn.closeBlock();
  out += `${i} -= ${step};\nwhile (true) {\n${i} += ${step};\nif (${test}) break;\n${hook(cx, node)}let ${v} = ${i};\n${body}}\n`;
  return `{\n${out}}\n`;
}

/**
 * The generic for: the explist's first three values are the iterator, its
 * state and the control value. The runtime's iterator object runs next()
 * and ipairs()'s iterator without calling them, and anything else by call.
 */
function genericFor(cx: Context, node: L.ForGenericStatement): string {
  const site = cx.site(cx.startLine(node));
  const it = cx.temp();
  const exprs = node.iterators;
  const only = exprs[0];
  const values = exprs.length === 1 && isCall(only) && isMulti(cx, only) ? resultOf(cx, only) : listArray(cx, exprs);
  const init = `iterateResult(S, ${values}, ${site})`;
  cx.fn.openBlock();
  const vars = node.variables.map((v) => cx.fn.declare(v.name, rangeStart(v)).jsName);
  const body = block(cx, node.body);
  cx.fn.closeBlock();
  const decl = vars.map((v, k) => `${v} = ${k === 0 ? `${it}.k` : k === 1 ? `${it}.v` : `${it}.extra(${k})`}`);
  return `${it} = ${init};\nwhile (${it}.step()) {\n${hook(cx, node)}let ${decl.join(', ')};\n${body}}\n`;
}

