import { generate } from './compiler/codegen.js';
import { chunkId } from './errors.js';
import { parseLua } from './parse.js';
import { RUNTIME } from './runtime.js';
import type { ChunkInfo, Site } from './site.js';
import type { LuaState } from './state.js';
import type { LuaTable } from './table.js';
import type { LuaFunction } from './value.js';

type Factory = (R: typeof RUNTIME, S: LuaState, G: LuaTable, K: Site[]) => LuaFunction;

/**
 * A compiled chunk: Lua source turned into one JavaScript function by
 * `new Function`, so that V8 compiles it like any other code. Compiling is
 * the expensive part; a host caches the CompiledChunk (by the script's
 * SHA1, as Redis does) and instantiates it once per environment.
 */
export class CompiledChunk {
  constructor(
    readonly chunk: ChunkInfo,
    /** The generated JavaScript (the factory's body), for inspection. */
    readonly js: string,
    private readonly factory: Factory,
    private readonly sites: Site[],
  ) {}

  /**
   * The chunk's main function bound to a state and an environment (the
   * table its globals are read from and written to). Calling it runs the
   * chunk; it returns the chunk's results. Use the engine's call(), which
   * sets up the state and turns JavaScript failures into Lua errors.
   */
  instantiate(S: LuaState, env: LuaTable): LuaFunction {
    return this.factory(RUNTIME, S, env, this.sites);
  }
}

/**
 * Compiles Lua 5.1 source. `chunkName` is as Lua's load takes it:
 * "@user_script" (what Redis gives EVAL scripts; errors then say
 * "user_script:1: ..."), "=name", or the source itself. Throws
 * LuaSyntaxError with Lua's message.
 */
export function compileLua(source: string, chunkName: string): CompiledChunk {
  const chunk: ChunkInfo = { source: chunkName, short: chunkId(chunkName) };
  const ast = parseLua(source, chunk.short);
  const { code, sites } = generate(ast, source, chunk);
  const factory = new Function('R', 'S', 'G', 'K', code) as Factory;
  return new CompiledChunk(chunk, code, factory, sites);
}
