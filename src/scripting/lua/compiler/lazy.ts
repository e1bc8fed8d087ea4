import type * as L from 'luaparse';
import type { ChunkInfo, Site } from '../site.js';
import { Context, type Located } from './context.js';
import { compileFunction } from './functions.js';
import type { LineIndex } from './lines.js';
import type { ParenFinder } from './parens.js';
import { FrozenScope, type Visible } from './scope.js';

/**
 * A chunk's first form generates its nested functions only when each is
 * first called. A script's first call waits for its compile, and most of a
 * large script is functions that call does not run (BullMQ's scripts carry
 * every helper they might need); generating and compiling them all made
 * most of that wait.
 *
 * A function left for later is a stub in the generated code,
 * `C.lazy(id, ($c) => eval($c))`: the arrow evaluates code in the scope
 * where the function is written (a direct eval), so the function generated
 * later is a closure over the very variables the eagerly generated one
 * would capture, and resolves names as it would, from the locals that were
 * visible there (`at`, a FrozenScope). The eval keeps every variable
 * around it on the heap, which costs the first form some speed; the chunk
 * is generated whole once it has run a few times or the server is idle
 * (compile.ts).
 *
 * A function's tree is kept only until releaseTrees(), which the chunk
 * asks for once the turn that compiled it is over: the run that follows a
 * compile generates its functions from the chunk's own parse, but trees
 * kept alive longer were copied by every young-generation collection of a
 * burst of first calls and cost more than they saved. Later, a function is
 * parsed again on its first call, alone, at its own offsets (so its sites
 * and ids are the chunk's), in the time its own text takes.
 */
interface Deferred {
  /** The function's range in the source, and whether it is an expression (`function (...) ... end`) rather than a statement. */
  readonly start: number;
  readonly end: number;
  readonly expression: boolean;
  readonly selfParam: boolean;
  readonly at: Visible | null;
}

/** Parses the function written at [from, to) of the chunk's source alone (parser.ts's parseFunctionQuickly). */
export type Parse = (from: number, to: number, expression: boolean) => L.FunctionDeclaration;

/** A function generated on its first call: `code` evaluates to an arrow taking ($E, $K) that returns it; $K are its sites. */
export interface GeneratedFunction {
  readonly code: string;
  readonly sites: Site[];
}

export class LazyFunctions {
  private readonly deferred = new Map<number, Deferred>();
  private readonly generated = new Map<number, GeneratedFunction>();
  private trees: Map<number, L.FunctionDeclaration> | null = new Map();

  constructor(
    private readonly chunk: ChunkInfo,
    private readonly parse: Parse,
    private readonly parens: ParenFinder,
    private readonly lines: LineIndex,
  ) {}

  /** Leaves a function for its first call; returns the stub's code. Its id is its offset in the source, as the twins' are. */
  defer(node: L.FunctionDeclaration, selfParam: boolean, at: Visible | null): string {
    const [start, end] = (node as Located).range!;
    this.deferred.set(start, { start, end, expression: node.identifier === null, selfParam, at });
    this.trees?.set(start, node);
    return `C.lazy(${start}, ($c) => eval($c))`;
  }

  /** Lets the functions' trees go: those generated from now on parse their text again. */
  releaseTrees(): void {
    this.trees = null;
  }

  /** The code of function `id`, generated the first time it is asked for. */
  code(id: number): GeneratedFunction {
    let g = this.generated.get(id);
    if (g === undefined) {
      const d = this.deferred.get(id);
      if (d === undefined) throw new Error(`no function of this chunk starts at ${id}`);
      const cx = new Context(this.chunk, this.parens, this.lines, null, this);
      cx.fn = new FrozenScope(d.at);
      const fn = compileFunction(cx, this.node(d), d.selfParam, false);
      const bound = cx.sites.map((_, i) => `$s${i} = $K[${i}]`);
      const sites = bound.length > 0 ? `const ${bound.join(', ')};\n` : '';
      g = { code: `(($E, $K) => {\n${sites}return ${fn};\n})`, sites: cx.sites };
      this.generated.set(id, g);
    }
    return g;
  }

  /** The function's tree: the chunk's own while it is kept, else the function's text parsed again alone. */
  private node(d: Deferred): L.FunctionDeclaration {
    return this.trees?.get(d.start) ?? this.parse(d.start, d.end, d.expression);
  }
}
