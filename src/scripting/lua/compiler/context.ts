import type { Node } from 'luaparse';
import { makeSite, type ChunkInfo, type Site } from '../site.js';
import type { LineIndex } from './lines.js';
import type { ParenFinder } from './parens.js';
import type { LazyFunctions } from './lazy.js';
import { FunctionScope, type LocalVar } from './scope.js';

/** A node as luaparse gives it with `ranges` on: its offsets in the source, the end exclusive. */
export type Located = Node & { range?: [number, number] };

/**
 * What the code generator carries through one chunk: the sites made so far
 * (the factory receives them as K and binds each to a constant `$sN`), the
 * function being compiled, and the source for the parenthesis question.
 *
 * Compiling a chunk's twins (twins.ts), `twins` collects them by function
 * and `twinRoot` is the function whose twin is being written: the locals
 * of the functions around it are reached through its accessors (`U.x$4`).
 *
 * Compiling a chunk's first form (compiler/lazy.ts), `lazy` collects its
 * nested functions, each generated only when first called.
 */
export class Context {
  readonly sites: Site[] = [];
  fn: FunctionScope;
  twinRoot: FunctionScope | null = null;

  constructor(
    readonly chunk: ChunkInfo,
    readonly parens: ParenFinder,
    private readonly lines: LineIndex,
    readonly twins: Map<number, string> | null = null,
    readonly lazy: LazyFunctions | null = null,
  ) {
    // Compiling twins starts with the main function's.
    this.fn = new FunctionScope(null, true, twins !== null);
    if (twins !== null) this.twinRoot = this.fn;
  }

  /** Runs `body` compiling a nested function with its own scope (`twin`: as a twin). */
  nested<T>(isVararg: boolean, twin: boolean, body: (fn: FunctionScope) => T): T {
    const outer = this.fn;
    const outerRoot = this.twinRoot;
    this.fn = new FunctionScope(outer, isVararg, twin);
    if (twin) this.twinRoot = this.fn;
    try {
      return body(this.fn);
    } finally {
      this.fn = outer;
      this.twinRoot = outerRoot;
    }
  }

  /** How code here reads and writes a local. */
  ref(v: LocalVar): string {
    return this.twinRoot !== null && !v.fn.within(this.twinRoot) ? `U.${v.jsName}` : v.jsName;
  }

  /** A new site; returns the constant's name in generated code. */
  site(line: number, what?: string, name?: string, d1?: string, d2?: string, tail = false): string {
    this.sites.push(makeSite(this.chunk, line, what, name, d1, d2, tail));
    return `$s${this.sites.length - 1}`;
  }

  temp(): string {
    return this.fn.temp();
  }

  /** The line a node starts on. */
  startLine(node: Node): number {
    const range = (node as Located).range;
    return range === undefined ? 0 : this.lines.lineAt(range[0]);
  }

  /** The line a node ends on (of its last token's end: a long string may span lines). */
  endLine(node: Node): number {
    const range = (node as Located).range;
    return range === undefined ? 0 : this.lines.lineAt(range[1]);
  }
}

export function rangeStart(node: Node): number {
  return (node as Located).range?.[0] ?? 0;
}
