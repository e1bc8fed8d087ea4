import type * as L from 'luaparse';
import { LUA_FUNCTION_NAME } from '../value.js';
import { rangeStart, type Context } from './context.js';
import type { FunctionScope } from './scope.js';
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
  const code = compileFunction(cx, node, selfParam, false);
  const id = rangeStart(node);
  if (cx.twins !== null && !cx.twins.has(id)) {
    cx.twins.set(id, '');
    cx.twins.set(id, `(U) => ${compileFunction(cx, node, selfParam, true)}`);
  }
  return code;
}

function compileFunction(cx: Context, node: L.FunctionDeclaration, selfParam: boolean, twin: boolean): string {
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
 * says -1, see twins.ts) answers with it, made by the chunk (C) from the
 * accessors of its upvalues.
 */
export function functionBody(cx: Context, fn: FunctionScope, body: L.Statement[], id: number): string {
  const code = block(cx, body, false);
  const temps = fn.tempNames.length > 0 ? `let ${fn.tempNames.join(', ')};\n` : '';
  const twin = fn.twin ? '' : `if ($d < 0) return C.twin(${id}, ${accessors(cx, fn)});\n`;
  return `const $d = S.enter();\n${twin}${temps}${code}S.depth = $d;\nreturn $NONE;\n`;
}

function accessors(cx: Context, fn: FunctionScope): string {
  const parts: string[] = [];
  for (const v of fn.upvalues.values()) {
    const ref = cx.ref(v);
    parts.push(`get ${v.jsName}() { return ${ref}; }`, `set ${v.jsName}($v) { ${ref} = $v; }`);
  }
  return `{${parts.join(', ')}}`;
}
