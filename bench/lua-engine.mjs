// node bench/lua-engine.mjs (after npm run build): the Lua engine alone, in process.
// Compile time of BullMQ's biggest script, and the cost of one call of a
// trivial script and of a ten-statement one, as a host runs them (KEYS and
// ARGV set, main function called through LuaEngine.call).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { LuaEngine } from '../dist/scripting/lua/engine.js';
import { LuaTable } from '../dist/scripting/lua/table.js';

const require = createRequire(import.meta.url);
const scripts = Object.values(require('bullmq/dist/cjs/scripts/index.js'));
const biggest = scripts.reduce((a, b) => (b.content.length > a.content.length ? b : a));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function compileTimes(lua, source, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    lua.compile(source, '@user_script');
    times.push(performance.now() - t0);
  }
  return times;
}

function perCall(lua, source, calls) {
  const main = lua.load(lua.compile(source, '@user_script'));
  const keys = LuaTable.fromArray(['k1', 'k2']);
  const args = LuaTable.fromArray(['a1', '5', 'x']);
  const run = (n) => {
    for (let i = 0; i < n; i++) {
      lua.setGlobal('KEYS', keys);
      lua.setGlobal('ARGV', args);
      lua.call(main);
    }
  };
  run(calls / 10);
  const samples = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    run(calls);
    samples.push(Number(process.hrtime.bigint() - t0) / calls);
  }
  return median(samples);
}

const lua = new LuaEngine();
lua.setGlobal('redis', (() => {
  const t = new LuaTable();
  t.rawSet('call', () => 1);
  return t;
})());
lua.sandbox();

const all = compileTimes(lua, biggest.content, 1);
const times = compileTimes(lua, biggest.content, 30);
console.log(`biggest BullMQ script: ${biggest.name} (${biggest.content.length} bytes)`);
console.log(`  compile, first: ${all[0].toFixed(1)} ms; then median ${median(times).toFixed(2)} ms, min ${Math.min(...times).toFixed(2)} ms`);
const t0 = performance.now();
for (const s of scripts) lua.compile(s.content, '@user_script');
console.log(`  all ${scripts.length} BullMQ scripts: ${(performance.now() - t0).toFixed(0)} ms`);

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
console.log(`per call, trivial script (return 1): ${perCall(lua, trivial, 1_000_000).toFixed(0)} ns`);
console.log(`per call, ten statements (loop of 5, table, concat, one redis.call): ${perCall(lua, tenStatements, 300_000).toFixed(0)} ns`);
