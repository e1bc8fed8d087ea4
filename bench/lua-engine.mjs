// node bench/lua-engine.mjs (after npm run build): the Lua engine alone, in process.
// Compile time of BullMQ's biggest script, and the cost of one call of a
// trivial script and of a ten-statement one, as a host runs them (KEYS and
// ARGV set, main function called through LuaEngine.call). Times are CPU
// time of this process, which a loaded machine disturbs less than wall time.
import { createRequire } from 'node:module';
import { LuaEngine } from '../dist/scripting/lua/engine.js';
import { LuaTable } from '../dist/scripting/lua/table.js';

const require = createRequire(import.meta.url);
const scripts = Object.values(require('bullmq/dist/cjs/scripts/index.js'));
const biggest = scripts.reduce((a, b) => (b.content.length > a.content.length ? b : a));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** CPU milliseconds f takes. */
function cpuMs(f) {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

function compileTimes(lua, source, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(cpuMs(() => lua.compile(source, '@user_script')));
  return times;
}

function perCall(lua, source, calls) {
  const main = lua.load(lua.compile(source, '@user_script'));
  const keysRef = lua.globalRef('KEYS');
  const argvRef = lua.globalRef('ARGV');
  const keys = LuaTable.fromArray(['k1', 'k2']);
  const args = LuaTable.fromArray(['a1', '5', 'x']);
  const first = cpuMs(() => {
    keysRef.set(keys);
    argvRef.set(args);
    lua.call(main);
  });
  const run = (n) => {
    for (let i = 0; i < n; i++) {
      keysRef.set(keys);
      argvRef.set(args);
      lua.call(main);
    }
  };
  run(calls / 10);
  const samples = [];
  for (let r = 0; r < 7; r++) samples.push((cpuMs(() => run(calls)) * 1e6) / calls);
  return { first, perCall: median(samples) };
}

const lua = new LuaEngine();
lua.setGlobal('redis', (() => {
  const t = new LuaTable();
  t.rawSet('call', () => 1);
  return t;
})());
lua.sandbox();

const cold = compileTimes(lua, biggest.content, 1);
const times = compileTimes(lua, biggest.content, 30);
console.log(`biggest BullMQ script: ${biggest.name} (${biggest.content.length} bytes)`);
console.log(`  compile, first in this process: ${cold[0].toFixed(1)} ms; then median ${median(times).toFixed(2)} ms, min ${Math.min(...times).toFixed(2)} ms`);
console.log(`  all ${scripts.length} BullMQ scripts: ${cpuMs(() => scripts.forEach((s) => lua.compile(s.content, '@user_script'))).toFixed(0)} ms`);

const trivial = 'return 1';
const tenStatements = `
local key = KEYS[1]
local n = tonumber(ARGV[2])
local total = 0
for i = 1, n do total = total + i end
local t = {}
t[#t + 1] = key
t[#t + 1] = ARGV[1]
local s = table.concat(t, ':')
local r = redis.call('GET', s)
if r then total = total + #s end
return total`;
for (const [label, source, calls] of [
  ['trivial script (return 1)', trivial, 1_000_000],
  ['ten statements (loop of 5, table, concat, one redis.call)', tenStatements, 300_000],
]) {
  const { first, perCall: ns } = perCall(lua, source, calls);
  console.log(`${label}: first call ${first.toFixed(2)} ms, then ${ns.toFixed(0)} ns a call`);
}
