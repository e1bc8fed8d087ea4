import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ChunkCache } from '../../../src/scripting/lua/chunk-cache.js';
import { defaultStoreRoot } from '../../../src/core/user-store.js';
import { CompileStore } from '../../../src/scripting/lua/compile-store.js';
import { LuaEngine } from '../../../src/scripting/lua/engine.js';
import { plant } from './helpers/plant.js';
import { raised } from './helpers/raised.js';

/**
 * Compiled chunks kept on disk for the next process (compile-store.ts): a
 * fresh server runs a script another process compiled without compiling
 * it again, and trusts only files this user alone can write.
 */

const roots: string[] = [];
function scratchRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-compile-store-'));
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

/** A ChunkCache over a store in `root`, as a new process would have it, with its store ready. */
async function processCache(root: string, maxFiles?: number, maxBytes?: number): Promise<{ cache: ChunkCache; store: CompileStore }> {
  const store = new CompileStore(root, maxFiles, maxBytes);
  await store.prepare();
  return { cache: new ChunkCache(100, 1 << 20, store), store };
}

/** The store's files (chunk files, not directories), under their version directory. */
function storedFiles(root: string): string[] {
  const [version] = fs.readdirSync(root);
  if (version === undefined) return [];
  return fs.readdirSync(path.join(root, version)).map((n) => path.join(root, version, n));
}

const SCRIPT = `
local function add(a, b) return a + b end
local t = {}
for i = 1, 3 do t[#t + 1] = add(i, 10) end
if #t ~= 3 then error('count') end
local n = nil
return t[1] + t[3] + n.field`;

async function compileAndSettle(cache: ChunkCache, store: CompileStore, source: string, name = '@user_script') {
  const chunk = cache.compile(source, name, true);
  // The store writes once the caller has run the chunk: after this turn.
  await new Promise((r) => setImmediate(r));
  await store.settled();
  return chunk;
}

describe('the compile store', () => {
  test('a chunk compiled by one process is read by the next, runs the same, and V8 takes its code cache', async () => {
    const root = scratchRoot();
    const first = await processCache(root);
    const lua = new LuaEngine();
    const compiled = await compileAndSettle(first.cache, first.store, SCRIPT);
    expect(storedFiles(root)).toHaveLength(1);
    const firstError = raised(() => lua.call(lua.load(compiled)));
    expect(firstError).toBe("user_script:7: attempt to index local 'n' (a nil value)");

    const next = await processCache(root);
    const read = next.cache.compile(SCRIPT, '@user_script', true);
    expect(read).not.toBe(compiled);
    expect(read.js).toBe(compiled.js);
    expect(read.v8CacheRejected).toBe(false);
    expect(raised(() => lua.call(lua.load(read)))).toBe(firstError);
    const ok = next.cache.compile('return {1, 2, "three"}', '@user_script', true);
    expect(lua.call(lua.load(ok))).toHaveLength(1);
  });

  test('the chunk name is part of what is stored: a function library and a script of the same text are two files', async () => {
    const root = scratchRoot();
    const { cache, store } = await processCache(root);
    await compileAndSettle(cache, store, 'error("x")', '@user_script');
    await compileAndSettle(cache, store, 'error("x")', '@user_function');
    expect(storedFiles(root)).toHaveLength(2);
    const next = await processCache(root);
    const lua = new LuaEngine();
    expect(raised(() => lua.call(lua.load(next.cache.compile('error("x")', '@user_function', true))))).toBe('user_function:1: x');
  });

  test('a chunk compiled before the store is ready (a script sent as an embedded server starts) is still written', async () => {
    const root = scratchRoot();
    const store = new CompileStore(root);
    const cache = new ChunkCache(100, 1 << 20, store);
    const lua = new LuaEngine();
    expect(lua.call(lua.load(await compileAndSettle(cache, store, 'return 6 * 7')))).toEqual([42]);
    expect(storedFiles(root)).toHaveLength(1);
  });

  test('a server that never pauses keeps at most 128 chunks waiting to be written: each one past that lets the oldest go at the end of its turn', async () => {
    const root = scratchRoot();
    const { cache, store } = await processCache(root);
    for (let i = 0; i < 300; i++) {
      cache.compile(`return ${i}`, `@user_script_${i}`, true);
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      expect(store.waiting).toBeLessThanOrEqual(128 + 10);
    }
    await new Promise((r) => setImmediate(r));
    expect(store.waiting).toBe(128);
    await store.settled();
    expect(store.waiting).toBe(0);
    expect(storedFiles(root)).toHaveLength(300);
  });

  test('chunks that are not durable (loadstring at run time) are not written', async () => {
    const root = scratchRoot();
    const { cache, store } = await processCache(root);
    cache.compile('return 1', '=(load)', false);
    await new Promise((r) => setImmediate(r));
    await store.settled();
    expect(storedFiles(root)).toHaveLength(0);
  });

  test('a file for another source under the same name, or a damaged one, is not used and is written again', async () => {
    const root = scratchRoot();
    const { cache, store } = await processCache(root);
    await compileAndSettle(cache, store, 'return 41 + 1');
    const [file] = storedFiles(root);
    const good = fs.readFileSync(file);
    expect(store.read(path.basename(file), '@user_script', 'return 41 + 1')).toBeDefined();
    // What another source's file holds: the same length of code, another answer.
    await compileAndSettle(cache, store, 'return 41 + 2');
    const other = fs.readFileSync(storedFiles(root).find((f) => f !== file)!);

    for (const bad of [good.subarray(0, good.length >> 1), other]) {
      fs.writeFileSync(file, bad, { mode: 0o600 });
      const next = await processCache(root);
      const lua = new LuaEngine();
      expect(lua.call(lua.load(await compileAndSettle(next.cache, next.store, 'return 41 + 1')))).toEqual([42]);
      const after = await processCache(root);
      expect(after.store.read(path.basename(file), '@user_script', 'return 41 + 1')?.code).toContain(next.cache.compile('return 41 + 1', '@user_script').js);
    }
  });

  test('a file whose code is not a factory (or not JavaScript) is compiled again', async () => {
    const root = scratchRoot();
    const { cache, store } = await processCache(root);
    await compileAndSettle(cache, store, 'return 40 + 2');
    const [file] = storedFiles(root);
    for (const code of ['42', '(function (']) {
      plant(file, () => code);
      const next = await processCache(root);
      const lua = new LuaEngine();
      expect(lua.call(lua.load(await compileAndSettle(next.cache, next.store, 'return 40 + 2')))).toEqual([42]);
    }
  });

  test.skipIf(process.getuid === undefined)('a file others may write is ignored; a directory others may write turns the store off', async () => {
    const root = scratchRoot();
    const { cache, store } = await processCache(root);
    await compileAndSettle(cache, store, 'return "planted?"');
    const [file] = storedFiles(root);
    // The store runs what its files say: code changed in a file of our own is what runs.
    plant(file, (code) => code.replace('"planted?"', '"planted, and longer"'));
    const lua = new LuaEngine();
    const own = await processCache(root);
    expect(lua.call(lua.load(own.cache.compile('return "planted?"', '@user_script', true)))).toEqual(['planted, and longer']);
    // The same file, were others able to write it, is not trusted.
    plant(file, (code) => code.replace('"planted?"', '"planted, and longer"'));
    fs.chmodSync(file, 0o666);
    const next = await processCache(root);
    expect(lua.call(lua.load(next.cache.compile('return "planted?"', '@user_script', true)))).toEqual(['planted?']);

    fs.chmodSync(root, 0o777);
    const open = new CompileStore(root);
    await open.prepare();
    fs.chmodSync(file, 0o600);
    expect(open.read(path.basename(file), '@user_script', 'return "planted?"')).toBeUndefined();
  });

  test('past its file bound the store drops the least recently used half', async () => {
    const root = scratchRoot();
    const { cache, store } = await processCache(root, 4);
    for (let i = 0; i < 4; i++) await compileAndSettle(cache, store, `return ${i}`);
    const files = storedFiles(root);
    expect(files).toHaveLength(4);
    // return 0 was written first but used last.
    const old = new Date(Date.now() - 60_000);
    files.forEach((f, i) => fs.utimesSync(f, old, new Date(old.getTime() + i)));
    const reader = await processCache(root, 4);
    reader.cache.compile('return 0', '@user_script', true);
    await reader.store.settled();
    await compileAndSettle(cache, store, 'return 4');
    const left = storedFiles(root).map((f) => path.basename(f));
    expect(left).toHaveLength(3);
    const kept = (source: string) => left.some((key) => reader.store.read(key, '@user_script', source) !== undefined);
    expect(kept('return 0')).toBe(true);
    expect(kept('return 4')).toBe(true);
    expect([1, 2, 3].filter((i) => kept(`return ${i}`))).toHaveLength(1);
  });

  test('past its byte bound the store drops the least recently used files until they hold half of it', async () => {
    const root = scratchRoot();
    const probeRoot = scratchRoot();
    const probe = await processCache(probeRoot);
    await compileAndSettle(probe.cache, probe.store, 'return 0');
    const size = fs.statSync(storedFiles(probeRoot)[0]).size;
    const maxBytes = Math.floor(size * 3.5);
    const { cache, store } = await processCache(root, 100, maxBytes);
    for (let i = 0; i < 8; i++) {
      await compileAndSettle(cache, store, `return ${i}`);
      const sizes = storedFiles(root).map((f) => fs.statSync(f).size);
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(maxBytes);
    }
    const reader = new CompileStore(root);
    await reader.prepare();
    const kept = storedFiles(root).map((f) => path.basename(f));
    expect(kept.length).toBeLessThan(8);
    expect(kept.some((key) => reader.read(key, '@user_script', 'return 7') !== undefined)).toBe(true);
  });

  test('where it lives: SLUICE_SCRIPT_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache; empty or off turns it off', () => {
    expect(defaultStoreRoot({ SLUICE_SCRIPT_CACHE_DIR: '/tmp/s' })).toBe('/tmp/s');
    expect(defaultStoreRoot({ SLUICE_SCRIPT_CACHE_DIR: '' })).toBeNull();
    expect(defaultStoreRoot({ SLUICE_SCRIPT_CACHE_DIR: 'off' })).toBeNull();
    expect(defaultStoreRoot({ XDG_CACHE_HOME: '/x' })).toBe(path.join('/x', 'sluice', 'scripts'));
    expect(defaultStoreRoot({})).toBe(path.join(os.homedir(), '.cache', 'sluice', 'scripts'));
  });

  test('a store whose root cannot be made finds nothing and keeps nothing', async () => {
    const root = scratchRoot();
    const blocker = path.join(root, 'file');
    fs.writeFileSync(blocker, '');
    const { cache, store } = await processCache(path.join(blocker, 'below'));
    const lua = new LuaEngine();
    expect(lua.call(lua.load(await compileAndSettle(cache, store, 'return 5')))).toEqual([5]);
  });
});
