/**
 * What compiled code knows statically about the place an operation is in,
 * made once per place at compile time and passed to the runtime as one
 * object: the chunk and line for error positions, and the names Lua 5.1
 * derives from its bytecode for messages ("attempt to call field 'foo'",
 * "bad argument #1 to 'rep'", "attempt to perform arithmetic on local 'x'").
 */
export interface ChunkInfo {
  /** The chunk name as given to load: "@user_script" for EVAL. */
  readonly source: string;
  /** How positions show it: "user_script". */
  readonly short: string;
}

export class Site {
  /**
   * An inline cache for field access at this site: the node slot where the
   * key was last found. Tables that got the same keys in the same order
   * have them in the same slots, so one number serves them all; a hit is
   * checked by the key being in that slot (see ops-index.ts).
   */
  ic = 0;
  /**
   * This place as a site that is not a tail call. A library function is
   * never tail-called (Lua runs C functions on the caller's frame), so the
   * Lua code it calls back records this as its caller.
   */
  plain: Site = this;

  constructor(
    readonly chunk: ChunkInfo,
    readonly line: number,
    /** For calls: how the called function was reached (global, local, upvalue, field, method), or undefined. */
    readonly what: string | undefined,
    /** For calls: the name it was reached by ('?' for a non-string key). */
    readonly name: string | undefined,
    /** Descriptions of the operands, "local 'x'", for error messages; undefined when Lua gives none. */
    readonly d1: string | undefined,
    readonly d2: string | undefined,
    /**
     * A call in `return f(...)`: in Lua the callee replaces the caller's
     * frame, so error levels counting past the callee find no line there.
     */
    readonly tail = false,
  ) {}
}

export function makeSite(
  chunk: ChunkInfo,
  line: number,
  what?: string,
  name?: string,
  d1?: string,
  d2?: string,
  tail = false,
): Site {
  const site = new Site(chunk, line, what, name, d1, d2, tail);
  if (tail) site.plain = new Site(chunk, line, what, name, d1, d2);
  return site;
}

/** "user_script:3:" for errors raised at this site. */
export function where(site: Site | null): string {
  return site === null ? '' : `${site.chunk.short}:${site.line}: `;
}
