import vm from 'node:vm';
import { generate, generateTwins } from './compiler/codegen.js';
import { chunkId } from './errors.js';
import { parseLua } from './parse.js';
import { RUNTIME } from './runtime.js';
import { makeSite, type ChunkInfo, type Site } from './site.js';
import type { SiteRecord, StoredChunk } from './compile-store.js';
import type { LuaState } from './state.js';
import type { LuaTable } from './table.js';
import type { Twin } from './twins.js';
import type { LuaFunction } from './value.js';

type Factory<T> = (R: typeof RUNTIME, S: LuaState, G: LuaTable, K: Site[], C: ChunkInstance) => T;
type TwinMakers = Map<number, (accessors: object) => Twin>;

/** What turns a factory's body into the function expression V8 compiles. */
const WRAP_HEAD = '(function (R, S, G, K, C) {\n';
const WRAP_TAIL = '})';

/**
 * A compiled chunk: Lua source turned into one JavaScript function that
 * V8 compiles like any other code. Compiling is the expensive part; a host
 * caches the CompiledChunk (by the script's SHA1, as Redis does) and
 * instantiates it once per environment.
 */
export class CompiledChunk {
  private twins: { factory: Factory<TwinMakers>; sites: Site[] } | null = null;
  private readonly script: vm.Script;
  private readonly factory: Factory<LuaFunction>;

  constructor(
    readonly chunk: ChunkInfo,
    /** The factory as one function expression (WRAP_HEAD, body, WRAP_TAIL), which V8 keeps as the script's source: the code is held once. */
    private readonly code: string,
    private readonly sites: Site[],
    private readonly source: string,
    v8Cache?: Buffer,
  ) {
    this.script = new vm.Script(code, { filename: `lua:${chunk.short}`, cachedData: v8Cache });
    const factory: unknown = this.script.runInThisContext();
    if (typeof factory !== 'function') throw new TypeError('a compiled chunk is not a function');
    this.factory = factory as Factory<LuaFunction>;
  }

  /** The generated JavaScript (the factory's body), for inspection. */
  get js(): string {
    return this.code.slice(WRAP_HEAD.length, this.code.length - WRAP_TAIL.length);
  }

  /** V8 refused the code cache it was given (another V8, or a damaged file). */
  get v8CacheRejected(): boolean {
    return this.script.cachedDataRejected === true;
  }

  /** What a CompileStore keeps of this chunk; V8's part holds the functions compiled so far. */
  stored(): StoredChunk {
    const sites = this.sites.map((s): SiteRecord => [s.line, s.what ?? null, s.name ?? null, s.d1 ?? null, s.d2 ?? null, s.tail]);
    return { code: this.code, sites, v8: this.script.createCachedData() };
  }

  /** A chunk from what a CompileStore kept of it. */
  static fromStore(source: string, chunkName: string, stored: StoredChunk): CompiledChunk {
    const chunk: ChunkInfo = { source: chunkName, short: chunkId(chunkName) };
    // Indexed, not destructured: a destructuring parameter runs the iterator protocol, several times the work per
    // site, and a big script's hundreds of sites then had V8 optimise this code in the middle of a first call.
    const records = stored.sites;
    const sites: Site[] = [];
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      sites.push(makeSite(chunk, r[0], r[1] ?? undefined, r[2] ?? undefined, r[3] ?? undefined, r[4] ?? undefined, r[5]));
    }
    return new CompiledChunk(chunk, stored.code, sites, source, stored.v8);
  }

  /**
   * The chunk's main function bound to a state and an environment (the
   * table its globals are read from and written to). Calling it runs the
   * chunk; it returns the chunk's results. Use the engine's call(), which
   * sets up the state and turns JavaScript failures into Lua errors.
   */
  instantiate(S: LuaState, env: LuaTable): LuaFunction {
    return this.factory(RUNTIME, S, env, this.sites, new ChunkInstance(this, S, env));
  }

  /** The twins' factory, compiled the first time a coroutine runs code of this chunk. */
  twinMakers(S: LuaState, env: LuaTable, C: ChunkInstance): TwinMakers {
    if (this.twins === null) {
      const ast = parseLua(this.source, this.chunk.short);
      const { code, sites } = generateTwins(ast, this.source, this.chunk);
      this.twins = { factory: new Function('R', 'S', 'G', 'K', 'C', code) as Factory<TwinMakers>, sites };
    }
    return this.twins.factory(RUNTIME, S, env, this.twins.sites, C);
  }
}

/** One instantiation of a chunk (C in compiled code): what its functions make their twins with. */
export class ChunkInstance {
  private makers: TwinMakers | null = null;

  constructor(
    private readonly compiled: CompiledChunk,
    private readonly S: LuaState,
    private readonly env: LuaTable,
  ) {}

  /**
   * The twin of function `id` of this chunk, over its upvalues: `names`
   * (comma-separated, null for none) and `access`, which reads upvalue i or
   * writes one (compiler/functions.ts). The twin's code reaches them as
   * properties of one object (U.name).
   */
  twin(id: number, names: string | null, access?: UpvalueAccess): Twin {
    this.makers ??= this.compiled.twinMakers(this.S, this.env, this);
    return this.makers.get(id)!(names === null ? {} : upvalueObject(names, access!));
  }
}

type UpvalueAccess = (i: number, write: boolean, value?: unknown) => unknown;

function upvalueObject(names: string, access: UpvalueAccess): object {
  const U = {};
  names.split(',').forEach((name, i) => {
    Object.defineProperty(U, name, {
      get: () => access(i, false),
      set: (v: unknown) => {
        access(i, true, v);
      },
    });
  });
  return U;
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
  return new CompiledChunk(chunk, WRAP_HEAD + code + WRAP_TAIL, sites, source);
}
