import type { LuaFunction } from './lua/index.js';
import type { ScriptFlags } from './shebang.js';

/** A function a library registered (Redis's functionInfo). */
export interface FunctionInfo {
  readonly name: string;
  readonly description: string | null;
  readonly flags: ScriptFlags;
  readonly fn: LuaFunction;
  readonly library: Library;
}

/** A library: its name, the code FUNCTION LOAD got (shebang included) and its functions by exact name, in registration order. */
export class Library {
  readonly functions = new Map<string, FunctionInfo>();

  constructor(
    readonly name: string,
    readonly code: string,
  ) {}
}

/** Bytes Sluice counts per function and per library beyond their strings, as Redis counts its structs. */
const FUNCTION_OVERHEAD = 64;
const LIBRARY_OVERHEAD = 64;

/**
 * A set of libraries and the functions they register (Redis's
 * functionsLibCtx): library names are case-sensitive, function names are
 * not (FCALL myfunc finds MyFunc, and two libraries cannot register f and
 * F). A library is linked or unlinked whole.
 */
export class LibrarySet {
  readonly libraries = new Map<string, Library>();
  /** Every linked function by lowercased name; a library registering f and F keeps the first here, as Redis's dictAdd does. */
  private readonly byName = new Map<string, FunctionInfo>();
  /** Bytes of code, names and descriptions, with a fixed overhead per item (INFO's used_memory_functions). */
  memory = 0;

  find(name: string): FunctionInfo | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Functions FCALL can find (INFO's number_of_functions). */
  get functionCount(): number {
    return this.byName.size;
  }

  /** Functions the libraries registered (FUNCTION STATS's functions_count). */
  get registeredCount(): number {
    let n = 0;
    for (const lib of this.libraries.values()) n += lib.functions.size;
    return n;
  }

  link(lib: Library): void {
    for (const fi of lib.functions.values()) {
      const key = fi.name.toLowerCase();
      if (!this.byName.has(key)) this.byName.set(key, fi);
      this.memory += functionMemory(fi);
    }
    this.libraries.set(lib.name, lib);
    this.memory += LIBRARY_OVERHEAD + lib.name.length + lib.code.length;
  }

  unlink(lib: Library): void {
    for (const fi of lib.functions.values()) {
      const key = fi.name.toLowerCase();
      if (this.byName.get(key) === fi) this.byName.delete(key);
      this.memory -= functionMemory(fi);
    }
    this.libraries.delete(lib.name);
    this.memory -= LIBRARY_OVERHEAD + lib.name.length + lib.code.length;
  }

  /** The first function of `lib` whose name another linked library has taken, or undefined. */
  collision(lib: Library): FunctionInfo | undefined {
    for (const fi of lib.functions.values()) {
      if (this.byName.has(fi.name.toLowerCase())) return fi;
    }
    return undefined;
  }

  /**
   * Redis's libraryJoin (FUNCTION RESTORE APPEND or REPLACE): links every
   * library of `src`, replacing same-named ones when `replace`; on any
   * collision nothing changes and the error is returned.
   */
  join(src: LibrarySet, replace: boolean): string | null {
    const replaced: Library[] = [];
    const undo = (error: string): string => {
      for (const old of replaced) this.link(old);
      return error;
    };
    for (const lib of src.libraries.values()) {
      const old = this.libraries.get(lib.name);
      if (old === undefined) continue;
      if (!replace) return undo(`ERR Library ${lib.name} already exists`);
      this.unlink(old);
      replaced.push(old);
    }
    for (const fi of src.byName.values()) {
      if (this.byName.has(fi.name.toLowerCase())) return undo(`ERR Function ${fi.name} already exists`);
    }
    for (const lib of src.libraries.values()) this.link(lib);
    return null;
  }
}

function functionMemory(fi: FunctionInfo): number {
  return FUNCTION_OVERHEAD + fi.name.length + (fi.description?.length ?? 0);
}
