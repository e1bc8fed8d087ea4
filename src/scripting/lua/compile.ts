import vm from 'node:vm';
import { generate, generateLazy, generateTwins } from './compiler/codegen.js';
import type { LazyFunctions } from './compiler/lazy.js';
import { chunkId } from './errors.js';
import type * as L from 'luaparse';
import { parseLua, parseNoting } from './parse.js';
import { parseFunctionQuickly } from './parser/parser.js';
import { RUNTIME } from './runtime.js';
import { makeSite, type ChunkInfo, type Site } from './site.js';
import type { SiteRecord, StoredChunk } from './compile-store.js';
import type { LuaState } from './state.js';
import type { LuaTable } from './table.js';
import type { Twin } from './twins.js';
import { LUA_FUNCTION_NAME, type LuaFunction, type LuaResult, type LuaValue } from './value.js';

type Factory<T> = (R: typeof RUNTIME, S: LuaState, G: LuaTable, K: Site[], C: ChunkInstance) => T;
type TwinMakers = Map<number, (accessors: object) => Twin>;

/** What turns a factory's body into the function expression V8 compiles. */
const WRAP_HEAD = '(function (R, S, G, K, C) {\n';
const WRAP_TAIL = '})';

/**
 * How many runs a chunk's first form (compiler/lazy.ts) serves before the
 * whole chunk is generated: each run of that form pays for its stubs and
 * for evaluating the functions it calls, so a script run often is worth
 * generating whole; one run a few times is not.
 */
export const FIRST_FORM_RUNS = 8;

/** A chunk's first form: its nested functions, generated as they are first called, and its runs. */
interface FirstForm {
  readonly functions: LazyFunctions;
  runs: number;
}

/**
 * A compiled chunk: Lua source turned into one JavaScript function that
 * V8 compiles like any other code. Compiling is the expensive part; a host
 * caches the CompiledChunk (by the script's SHA1, as Redis does) and
 * instantiates it once per environment.
 *
 * A chunk compiled for a script's first call starts in its first form,
 * whose nested functions are generated on their first calls
 * (compiler/lazy.ts), and becomes whole after FIRST_FORM_RUNS runs or when
 * it is stored; `generation` then changes, and a host instantiates it again
 * for its next run.
 */
export class CompiledChunk {
  private twins: { factory: Factory<TwinMakers>; sites: Site[] } | null = null;
  private script!: vm.Script;
  private factory!: Factory<LuaFunction>;
  private first: FirstForm | null = null;
  /** Changes when the chunk is generated whole. */
  generation = 0;

  constructor(
    readonly chunk: ChunkInfo,
    /** The factory as one function expression (WRAP_HEAD, body, WRAP_TAIL), which V8 keeps as the script's source: the code is held once. */
    private code: string,
    private sites: Site[],
    private readonly source: string,
    v8Cache?: Buffer,
  ) {
    this.compileFactory(v8Cache);
  }

  private compileFactory(v8Cache?: Buffer): void {
    this.script = new vm.Script(this.code, { filename: `lua:${this.chunk.short}`, cachedData: v8Cache });
    const factory: unknown = this.script.runInThisContext();
    if (typeof factory !== 'function') throw new TypeError('a compiled chunk is not a function');
    this.factory = factory as Factory<LuaFunction>;
  }

  /**
   * A chunk in its first form (compileLua's `firstForm`); throws
   * LuaSyntaxError as compileLua does. A chunk only luaparse takes is
   * generated whole: its functions are parsed again alone by the quick
   * parser, in the time their own text takes.
   */
  static firstForm(chunk: ChunkInfo, source: string): CompiledChunk {
    const { ast, quick } = parseNoting(source, chunk.short);
    if (!quick) return wholeChunk(chunk, source, ast);
    const parse = (from: number, to: number, expression: boolean): L.FunctionDeclaration => {
      const fn = parseFunctionQuickly(source, from, to, expression);
      if (fn === null) throw new Error(`the function at ${from} of ${chunk.short} did not parse alone`);
      return fn;
    };
    const { code, sites, functions } = generateLazy(ast, source, chunk, parse);
    // The run that follows the compile in this turn finds the trees of the functions it calls (compiler/lazy.ts).
    setImmediate(() => functions.releaseTrees()).unref();
    const c = new CompiledChunk(chunk, WRAP_HEAD + code + WRAP_TAIL, sites, source);
    c.first = { functions, runs: 0 };
    return c;
  }

  /** Whether the chunk is in its first form. */
  get isFirstForm(): boolean {
    return this.first !== null;
  }

  /** The first form's functions, from which its instances generate theirs; null once the chunk is whole. */
  get lazyFunctions(): FunctionSource | null {
    return this.first?.functions ?? null;
  }

  /** Counts a run of the chunk; the run that reaches FIRST_FORM_RUNS finds it whole. */
  noteRun(): void {
    if (this.first !== null && ++this.first.runs >= FIRST_FORM_RUNS) this.makeWhole();
  }

  /** Generates the whole chunk, if it is in its first form. */
  makeWhole(): void {
    if (this.first === null) return;
    const { code, sites } = generate(parseLua(this.source, this.chunk.short), this.source, this.chunk);
    this.code = WRAP_HEAD + code + WRAP_TAIL;
    this.sites = sites;
    this.compileFactory();
    this.first = null;
    this.generation++;
  }

  /** The generated JavaScript (the factory's body), for inspection. */
  get js(): string {
    return this.code.slice(WRAP_HEAD.length, this.code.length - WRAP_TAIL.length);
  }

  /** V8 refused the code cache it was given (another V8, or a damaged file). */
  get v8CacheRejected(): boolean {
    return this.script.cachedDataRejected === true;
  }

  /** What a CompileStore keeps of this chunk, whole; V8's part holds the functions compiled so far. */
  stored(): StoredChunk {
    this.makeWhole();
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
  /**
   * The first form's functions when this is an instance of it: held here, so
   * that an instance that outlives the chunk's becoming whole (a host
   * instantiates the whole chunk for its next run only) still generates
   * its functions, nested ones included.
   */
  private readonly functions: FunctionSource | null;

  constructor(
    private readonly compiled: CompiledChunk,
    private readonly S: LuaState,
    private readonly env: LuaTable,
  ) {
    this.functions = compiled.lazyFunctions;
  }

  /**
   * The twin of function `id` of this chunk, over its upvalues: `names`
   * (comma-separated, null for none) and `access`, which reads upvalue i or
   * writes one (compiler/functions.ts). The twin's code reaches them as
   * properties of one object (U.name).
   */
  twin(id: number, names: string | null, access?: UpvalueAccess): Twin {
    return this.twinOver(id, names === null ? {} : upvalueObject(names, access!));
  }

  /** The twin of a function generated on its first call (compiler/lazy.ts): its upvalues are read and written through the evaluator of its scope. */
  twinVia(id: number, evaluate: Evaluate): Twin {
    const upvalues = new Proxy(
      {},
      {
        get: (_, name) => evaluate(String(name)),
        set: (_, name, value: unknown) => {
          (evaluate(`($v) => { ${String(name)} = $v; }`) as (v: unknown) => void)(value);
          return true;
        },
      },
    );
    return this.twinOver(id, upvalues);
  }

  private twinOver(id: number, upvalues: object): Twin {
    this.makers ??= this.compiled.twinMakers(this.S, this.env, this);
    return this.makers.get(id)!(upvalues);
  }

  /**
   * The stub of function `id` of a chunk's first form: it has the function
   * made on its first call and is that function's value for the Lua code
   * (compiler/lazy.ts).
   */
  lazy(id: number, evaluate: Evaluate): LuaFunction {
    const functions = this.functions!;
    let fn: LuaFunction | null = null;
    // Named as every Lua function is (a computed method name survives bundling), so that the runtime takes it for one.
    const stub = {
      [LUA_FUNCTION_NAME](...args: LuaValue[]): LuaResult {
        if (fn === null) {
          const { code, sites } = functions.code(id);
          fn = (evaluate(code) as (E: Evaluate, K: Site[]) => LuaFunction)(evaluate, sites);
        }
        return fn.apply(undefined, args) as LuaResult;
      },
    };
    return stub[LUA_FUNCTION_NAME] as LuaFunction;
  }
}

/**
 * What an instance asks its first form for (compiler/lazy.ts's
 * LazyFunctions, which the package's declarations do not name).
 */
interface FunctionSource {
  code(id: number): { readonly code: string; readonly sites: Site[] };
}

/** Evaluates JavaScript in the scope of a function's stub (a direct eval). */
type Evaluate = (code: string) => unknown;

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
 * LuaSyntaxError with Lua's message. `firstForm` asks for the chunk in
 * its first form (see CompiledChunk), for a run that waits for the compile.
 */
export function compileLua(source: string, chunkName: string, firstForm = false): CompiledChunk {
  const chunk: ChunkInfo = { source: chunkName, short: chunkId(chunkName) };
  return firstForm ? CompiledChunk.firstForm(chunk, source) : wholeChunk(chunk, source, parseLua(source, chunk.short));
}

/** The chunk generated whole from its tree (kept out of the class, so that the package's declarations do not name luaparse's types). */
function wholeChunk(chunk: ChunkInfo, source: string, ast: L.Chunk): CompiledChunk {
  const { code, sites } = generate(ast, source, chunk);
  return new CompiledChunk(chunk, WRAP_HEAD + code + WRAP_TAIL, sites, source);
}
