import type * as L from 'luaparse';
import type { Context } from './context.js';
import type { FunctionScope } from './scope.js';
import { block } from './statements.js';

/**
 * A Lua function as a JavaScript function expression. Parameters are
 * positional (missing ones undefined, extra ones ignored, as in Lua) and a
 * vararg function takes the rest as the array `va`. On entry the state
 * counts the call (depth for "stack overflow" and error levels, the hook
 * budget); every return restores the depth (see statements.ts). JavaScript
 * closures capture variables by reference, which is what Lua's upvalues are.
 */
export function functionExpr(cx: Context, node: L.FunctionDeclaration, selfParam: boolean): string {
  const isVararg = node.parameters.some((p) => p.type === 'VarargLiteral');
  return cx.nested(isVararg, (fn) => {
    const params: string[] = [];
    if (selfParam) params.push(fn.declare('self').jsName);
    for (const p of node.parameters) {
      if (p.type === 'Identifier') params.push(fn.declare(p.name).jsName);
    }
    if (isVararg) params.push('...va');
    return `function (${params.join(', ')}) {\n${functionBody(cx, fn, node.body)}}`;
  });
}

/** How every compiled function's body begins: it enters the state (string.dump tells Lua functions by it). */
export const FUNCTION_PROLOGUE = 'const $d = S.enter();';

/** The body of a function (or of the main chunk) with its prologue, temporaries and the final return. */
export function functionBody(cx: Context, fn: FunctionScope, body: L.Statement[]): string {
  const code = block(cx, body, false);
  const temps = fn.tempNames.length > 0 ? `let ${fn.tempNames.join(', ')};\n` : '';
  return `${FUNCTION_PROLOGUE}\n${temps}${code}S.depth = $d;\nreturn $NONE;\n`;
}
