import type * as L from 'luaparse';
import { LUA_FUNCTION_NAME } from '../value.js';
import { rangeStart, type Context } from './context.js';
import { FrozenScope, type FunctionScope } from './scope.js';
import { block } from './statements.js';

/**
 * A Lua function as a JavaScript function expression. Parameters are
 * positional (missing ones undefined, extra ones ignored, as in Lua) and a
 * vararg function takes the rest as the array `va`. On entry the state
 * counts the call (depth for "stack overflow" and error levels, the hook
 * budget); every return restores the depth (see statements.ts). JavaScript
 * closures capture variables by reference, which is what Lua's upvalues are.
 *
 * Compiling twins (twins.ts), each function met also gets its twin: the
 * same function as a generator function, taking the function's accessors.
 */
export function functionExpr(cx: Context, node: L.FunctionDeclaration, selfParam: boolean): string {
  if (cx.lazy !== null) return cx.lazy.defer(node, selfParam, cx.fn.visible);
  const code = compileFunction(cx, node, selfParam, false);
  const id = rangeStart(node);
  if (cx.twins !== null && !cx.twins.has(id)) {
    cx.twins.set(id, '');
    cx.twins.set(id, `(U) => ${compileFunction(cx, node, selfParam, true)}`);
  }
  return code;
}

export function compileFunction(cx: Context, node: L.FunctionDeclaration, selfParam: boolean, twin: boolean): string {
  const isVararg = node.parameters.some((p) => p.type === 'VarargLiteral');
  return cx.nested(isVararg, twin, (fn) => {
    const params: string[] = [];
    if (selfParam) params.push(fn.declare('self', rangeStart(node)).jsName);
    for (const p of node.parameters) {
      if (p.type === 'Identifier') params.push(fn.declare(p.name, rangeStart(p)).jsName);
    }
    if (isVararg) params.push('...va');
    const body = functionBody(cx, fn, node.body, rangeStart(node));
    return `function${twin ? '*' : ` ${LUA_FUNCTION_NAME}`} (${params.join(', ')}) {\n${body}}`;
  });
}

/**
 * The body of a function (or of the main chunk, id -1) with its prologue,
 * temporaries and the final return. A function asked for its twin (enter()
 * says -1, see twins.ts) answers with it, made by the chunk (C) over its
 * upvalues (accessors()). A function generated on its first call reaches
 * them through the evaluator of the scope it was written in ($E, see
 * compiler/lazy.ts).
 */
export function functionBody(cx: Context, fn: FunctionScope, body: L.Statement[], id: number): string {
  const code = block(cx, body, false);
  const temps = fn.tempNames.length > 0 ? `let ${fn.tempNames.join(', ')};\n` : '';
  let twin = '';
  if (fn.parent instanceof FrozenScope) twin = `if ($d < 0) return C.twinVia(${id}, $E);\n`;
  else if (!fn.twin) twin = `if ($d < 0) return C.twin(${id}, ${accessors(cx, fn)});\n`;
  return `const $d = S.enter();\n${twin}${temps}${code}S.depth = $d;\nreturn $NONE;\n`;
}

/**
 * What C.twin takes to reach a function's upvalues: their names, comma-separated, and one closure that reads
 * upvalue i (or, `$w` true, writes `$v` to it); `null` when it has none. One closure rather than a getter and a
 * setter each: V8 parses a scope for every function literal, and each function of a chunk carries these.
 */
function accessors(cx: Context, fn: FunctionScope): string {
  const names: string[] = [];
  const cases: string[] = [];
  for (const v of fn.upvalues.values()) {
    const ref = cx.ref(v);
    cases.push(`case ${names.length}: return $w ? (${ref} = $v) : ${ref};`);
    names.push(v.jsName);
  }
  if (names.length === 0) return 'null';
  return `"${names.join(',')}", ($i, $w, $v) => { switch ($i) { ${cases.join(' ')} } }`;
}
