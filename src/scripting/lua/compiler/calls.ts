import type * as L from 'luaparse';
import type { Context } from './context.js';
import { describe, expr, isMulti, keyName, numeral, stringLiteral, valuesOf, type Call } from './expressions.js';

/**
 * Calls. A call is made inline (no helper between the caller and the
 * callee, so a Lua call costs one JavaScript frame and V8 sees each call
 * site on its own): the function and the arguments are evaluated in order
 * into temporaries (constants and the trailing ... need none, nor anything
 * after the last expression that could run code), then the site is
 * recorded, then the call is made; a value that is not a function goes
 * through callable(). A callee that returns TAIL left its tail call to
 * this caller (tail-calls.ts), which makes it: $first and $all see TAIL
 * where they already tell an array of results from one value, so a call
 * that returns one value pays nothing for it.
 *
 * In a twin (a function compiled as a generator for coroutines, see
 * twins.ts) a call goes through gcall, which runs a Lua callee's twin.
 */

/** A call's arguments as luaparse gives them, and how many '(' the call's own syntax puts before the first. */
function callArguments(node: Call): { args: L.Expression[]; parens: number } {
  if (node.type === 'CallExpression') return { args: node.arguments, parens: 1 };
  if (node.type === 'StringCallExpression') return { args: [node.argument], parens: 0 };
  return { args: [node.arguments], parens: 0 };
}

/** How Lua names the function called, for "attempt to call" and library argument errors. */
function calleeName(cx: Context, base: L.Expression): { what?: string; name?: string } {
  switch (base.type) {
    case 'Identifier': {
      const v = cx.fn.resolve(base.name);
      return { what: v === null ? 'global' : v.fn === cx.fn ? 'local' : 'upvalue', name: base.name };
    }
    case 'MemberExpression':
      return { what: base.indexer === ':' ? 'method' : 'field', name: base.identifier.name };
    case 'IndexExpression':
      return { what: 'field', name: keyName(base.index) };
    default:
      return {};
  }
}

/** Constants: values that read the same whenever they are evaluated. */
function isConstant(node: L.Expression): boolean {
  return (
    node.type === 'NilLiteral' ||
    node.type === 'BooleanLiteral' ||
    node.type === 'NumericLiteral' ||
    node.type === 'StringLiteral' ||
    numeral(node) !== undefined
  );
}

/** A call taken apart: what to evaluate first, then the callee and the arguments (names or constants), and the site. */
interface CallParts {
  steps: string[];
  fn: string;
  args: string[];
  site: string;
}

function callParts(cx: Context, node: Call, tail: boolean): CallParts {
  const base = node.base;
  const { what, name } = calleeName(cx, base);
  const line = cx.endLine(base);
  const isMethod = base.type === 'MemberExpression' && base.indexer === ':';
  const site = cx.site(line, what, name, isMethod ? describe(cx, base.base) : undefined, undefined, tail);
  const { args, parens } = callArguments(node);
  const n = args.length;
  const spread = n > 0 && isMulti(cx, args[n - 1], n === 1 ? parens : 0);
  const fixed = spread ? args.slice(0, n - 1) : args;
  // Everything evaluated before the last expression that can run code must be saved first.
  let lastRunning = -1;
  fixed.forEach((a, i) => {
    if (!isConstant(a)) lastRunning = i;
  });
  const tailRuns = spread && args[n - 1].type !== 'VarargLiteral';
  if (tailRuns) lastRunning = fixed.length;
  const steps: string[] = [];
  const list: string[] = [];
  let fn: string;
  if (isMethod) {
    const self = cx.temp();
    steps.push(`${self} = ${expr(cx, base.base)}`);
    fn = cx.temp();
    steps.push(`${fn} = indexStr(S, ${self}, ${stringLiteral(base.identifier.name)}, ${site})`);
    list.push(self);
  } else {
    fn = expr(cx, base);
    // The call reads the callee more than once, and an argument may change what a name holds.
    if ((lastRunning >= 0 && !isConstant(base)) || !/^[$\w]+$/.test(fn)) {
      const f = cx.temp();
      steps.push(`${f} = ${fn}`);
      fn = f;
    }
  }
  fixed.forEach((a, i) => {
    const code = expr(cx, a);
    if (i > lastRunning || isConstant(a)) {
      list.push(code);
      return;
    }
    const tmp = cx.temp();
    steps.push(`${tmp} = ${code}`);
    list.push(tmp);
  });
  if (spread) {
    let rest = valuesOf(cx, args[n - 1]);
    if (tailRuns) {
      const tmp = cx.temp();
      steps.push(`${tmp} = ${rest}`);
      rest = tmp;
    }
    list.push(`...${rest}`);
  }
  return { steps, fn, args: list, site };
}

/** The call itself, in plain code: the callee called directly, through callable() if it is not a function. */
function direct(p: CallParts): string {
  return `(typeof ${p.fn} === 'function' ? ${p.fn} : callable(S, ${p.fn}, ${p.site}))(${p.args.join(', ')})`;
}

/** A call's raw result: one value, an array of values, or TAIL (which $first, $all and iterateResult take). */
export function resultOf(cx: Context, node: Call): string {
  const p = callParts(cx, node, false);
  const steps = p.steps.concat(`S.site = ${p.site}`);
  if (cx.fn.twin) {
    // A Lua callee's twin is run here; the rest (library functions, yield, __call) through gcall.
    const t = cx.temp();
    const r = cx.temp();
    const lua = `(${r} = yield* ${t}(${p.args.join(', ')})) === TAIL ? yield* gtramp(S) : ${r}`;
    return `(${steps.join(', ')}, (${t} = twinOf(S, ${p.fn})) !== null ? ${lua} : (yield* gcall(S, ${p.fn}, [${p.args.join(', ')}], ${p.site})))`;
  }
  return `(${steps.join(', ')}, ${direct(p)})`;
}

/** A call as a statement: its results dropped, its tail call made. */
export function callStatement(cx: Context, node: Call): string {
  return `${resultOf(cx, node)} === TAIL && trampoline(S);\n`;
}

/**
 * `return f(...)`: the callee's result is returned as it comes, TAIL
 * included. The call is made here unless this function's depth index is 31
 * modulo 32, where it is left to the caller (tailcall), so that a chain of
 * tail calls unwinds every 32 frames; twins always leave it (gtail).
 */
export function tailCall(cx: Context, node: Call): string {
  const p = callParts(cx, node, true);
  const steps = p.steps.concat(`S.site = ${p.site}`).join(', ');
  const args = p.args.join(', ');
  const call = cx.fn.twin
    ? `(yield* gtail(S, ${p.fn}, [${args}], ${p.site}, $d))`
    : `(($d & 31) !== 31 ? ${direct(p)} : tailcall(S, ${p.fn}, [${args}], ${p.site}, $d))`;
  return `{\nconst $ret = (${steps}, ${call});\nS.depth = $d;\nreturn $ret;\n}\n`;
}
