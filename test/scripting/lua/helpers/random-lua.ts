/**
 * Seeded random Lua: expressions over numbers, numeric strings, nil,
 * booleans and tables with every operator and a few library functions
 * (script), and small programs of assignments, blocks, loops, closures and
 * table library calls (program). The same seed gives the same source.
 */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const ATOMS = ['a', 'b', 'c', 's', 'h', 'w', 'n', 't', 'f', '0', '1', '-1', '2.5', '1e15', "'7'", "'x'", "''", 'nil', 'true', 'false', '{}', '(1/0)'];
const BINARY = ['+', '-', '*', '/', '%', '^', '..', '==', '~=', '<', '<=', '>', '>=', 'and', 'or'];
const UNARY = ['-', 'not ', '#'];
const CALLS = ['tostring(0 + (%))', 'tonumber(%)', 'type(%)', 'math.floor(%)', 'math.max(%, 1)', 'string.len(%)', "string.format('%g', %)", 'select("#", %)', 't[%]', '({%})[1]', 'string.rep(%, 2)'];

function expression(r: () => number, depth: number): string {
  const p = r();
  if (depth <= 0 || p < 0.3) return ATOMS[Math.floor(r() * ATOMS.length)];
  if (p < 0.65) return `${expression(r, depth - 1)} ${BINARY[Math.floor(r() * BINARY.length)]} ${expression(r, depth - 1)}`;
  if (p < 0.75) return `${UNARY[Math.floor(r() * UNARY.length)]}${expression(r, depth - 1)}`;
  if (p < 0.85) return `(${expression(r, depth - 1)})`;
  return CALLS[Math.floor(r() * CALLS.length)].replace('%', expression(r, depth - 1));
}

const PRELUDE = "local a, b, c, s, h, w, n = 3, -2.5, 0, '12', '0x10', ' 5 ', nil local t = {10, 20, x = 'y'} local f = function(...) return ... end ";

export function script(seed: number): string {
  const e = expression(generator(seed), 4);
  // Tables and functions print their addresses, which no two servers share.
  const shown = "(type(v) == 'table' or type(v) == 'function') and '' or tostring(v)";
  return `${PRELUDE}local ok, v = pcall(function() return ${e} end) return {tostring(ok), type(v), ${shown}}`;
}

/**
 * Random small programs: assignments to locals and to table fields (keys
 * strings and numbers, so the table's layout decides the pairs order),
 * nested blocks, loops, closures, varargs and table library calls; the
 * result shows the locals, the table's sequence and every pair in
 * traversal order.
 */
const KEYS = ['1', '2', '3', '5', '8', '-1', '0', '2.5', "'a'", "'b'", "'key'", "'x'", '#t', '#t + 1', 'i'];
const VALUES = ['i', 'a', 'b', '1', "'v'", 'a + 1', "a .. ''", 'nil', 'true', '#t', 'select("#", f(a, b))', 'g()', "(string.rep('z', a % 3))"];

function statement(r: () => number, depth: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const p = r();
  if (depth <= 0 || p < 0.35) return `t[${pick(KEYS)}] = ${pick(VALUES)}`;
  if (p < 0.45) return `a, b = ${pick(VALUES)}, ${pick(VALUES)}`;
  if (p < 0.5) return `a = (tonumber(a) or 0) + 1`;
  if (p < 0.6) return `for i = ${Math.floor(r() * 3)}, ${Math.floor(r() * 6)} do ${statement(r, depth - 1)} ${statement(r, depth - 1)} end`;
  if (p < 0.68) return `if ${pick(VALUES)} then ${statement(r, depth - 1)} else ${statement(r, depth - 1)} end`;
  if (p < 0.74) return `do local a = ${pick(VALUES)} ${statement(r, depth - 1)} end`;
  if (p < 0.8) return `table.insert(t, ${pick(VALUES) === 'nil' ? '0' : pick(VALUES)})`;
  if (p < 0.84) return `table.remove(t, ${pick(['1', '#t', ''])})`;
  if (p < 0.9) return `local k = 0 while k < ${Math.floor(r() * 4)} do k = k + 1 ${statement(r, depth - 1)} end`;
  if (p < 0.95) return `fs[#fs + 1] = function() return ${pick(VALUES)} end`;
  return `for k, v in pairs(t) do if type(k) == 'number' and k > 4 then t[k] = nil end end`;
}

export function program(seed: number): string {
  const r = generator(seed);
  const body: string[] = [];
  const n = 3 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) body.push(statement(r, 2));
  return (
    "local a, b, i = 1, 'b', 3 local t, fs = {}, {} local f = function(...) return ... end local g = function() return a, b end " +
    `local ok, e = pcall(function() ${body.join(' ')} end) ` +
    "local o = {} for k, v in pairs(t) do o[#o + 1] = tostring(k) .. '=' .. tostring(v) end " +
    'local r = {} for j = 1, #fs do r[#r + 1] = tostring(fs[j]()) end ' +
    "return {tostring(ok), tostring(e), tostring(a), tostring(b), tostring(#t), table.concat(o, ','), table.concat(r, ',')}"
  );
}
