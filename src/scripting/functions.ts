import { CommandError } from '../core/errors.js';
import { FunctionEnv } from './function-env.js';
import { parseLibraryMetadata, validName } from './library-metadata.js';
import { Library, LibrarySet, type FunctionInfo } from './library-set.js';
import type { LuaEngine } from './lua/index.js';

/** How long a library's code may run while it loads (Redis's LOAD_TIMEOUT_MS); the AOF's replay has no limit. */
export const LOAD_TIMEOUT_MS = 500;

/**
 * Redis's functions: the libraries loaded now and the Lua side that loads
 * them. INFO reads functionCount, libraryCount and memory; the AOF rewrite
 * reads codes().
 */
export class Functions {
  libraries = new LibrarySet();
  private readonly env: FunctionEnv;
  /** The FCALL line running now (FUNCTION STATS shows it). */
  runningArgv: string[] | null = null;

  constructor(lua: LuaEngine) {
    this.env = new FunctionEnv(lua);
  }

  /** Drops every library (FUNCTION FLUSH, and DEBUG RELOAD and LOADAOF before they load). */
  flush(): void {
    this.libraries = new LibrarySet();
  }

  find(name: string): FunctionInfo | undefined {
    return this.libraries.find(name);
  }

  /** INFO's number_of_functions. */
  get functionCount(): number {
    return this.libraries.functionCount;
  }

  /** INFO's number_of_libraries. */
  get libraryCount(): number {
    return this.libraries.libraries.size;
  }

  /** INFO's used_memory_functions: bytes of the libraries' code, names and descriptions, with a fixed overhead each. */
  get memory(): number {
    return this.libraries.memory;
  }

  /** The code of every library, as FUNCTION LOAD got it (FUNCTION DUMP, the AOF rewrite). */
  codes(): string[] {
    return [...this.libraries.libraries.values()].map((lib) => lib.code);
  }

  /**
   * Loads a library into `into` (Redis's functionsCreateWithLibraryCtx):
   * its name, or a CommandError with Redis's reply. With `replace` a
   * library of the same name is swapped out, and back in if the new one
   * fails; nothing else changes on failure.
   */
  create(payload: string, replace: boolean, timeoutMs: number, into: LibrarySet = this.libraries): string {
    const md = parseLibraryMetadata(payload);
    if ('error' in md) throw new CommandError('ERR ' + md.error);
    if (!validName(md.name)) {
      throw new CommandError('ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
    }
    if (md.engine.toLowerCase() !== 'lua') throw new CommandError(`ERR Engine '${md.engine}' not found`);
    const old = into.libraries.get(md.name);
    if (old !== undefined && !replace) throw new CommandError(`ERR Library '${md.name}' already exists`);
    if (old !== undefined) into.unlink(old);
    const lib = new Library(md.name, payload);
    let error = this.env.load(lib, md.code, timeoutMs);
    if (error === null && lib.functions.size === 0) error = 'No functions registered';
    if (error === null) {
      const taken = into.collision(lib);
      if (taken !== undefined) error = `Function ${taken.name} already exists`;
    }
    if (error !== null) {
      if (old !== undefined) into.link(old);
      throw new CommandError('ERR ' + error);
    }
    into.link(lib);
    return md.name;
  }
}
