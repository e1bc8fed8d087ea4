/**
 * Lexical scopes while compiling: every Lua local becomes a JavaScript
 * `let` with a name of its own (`x$4`, 4 being where it is declared in the
 * source), so shadowing (`local x = x`), JavaScript's reserved words and
 * the compiler's own names never clash, and a local has the same name in
 * every compilation of its function (the twins compile them again, see
 * twins.ts). Lua identifiers cannot contain '$'; the compiler's names start
 * with one or are the single letters the factory takes (see codegen.ts).
 */
export interface LocalVar {
  readonly luaName: string;
  readonly jsName: string;
  readonly fn: FunctionScope;
}

/** The locals visible at a point of the source, innermost first: what a function compiled later resolves its names by (see FrozenScope). */
export interface Visible {
  readonly v: LocalVar;
  readonly next: Visible | null;
}

export class FunctionScope {
  private readonly blocks: Map<string, LocalVar>[] = [new Map()];
  /** The locals visible here, in this function and around it, as an immutable list: a snapshot is its head. */
  visible: Visible | null;
  /** Where `visible` stood when each open block began. */
  private readonly blockStarts: (Visible | null)[] = [];
  private temps = 0;
  readonly tempNames: string[] = [];
  /** Locals of enclosing functions this function or a function inside it uses: its twin reaches them through accessors. */
  readonly upvalues = new Map<string, LocalVar>();
  /** Numeric constant 0 as first written in this function: Lua keeps one constant for 0 and -0. */
  zero: number | undefined = undefined;

  constructor(
    readonly parent: FunctionScope | null,
    readonly isVararg: boolean,
    /** Compiled as a twin (a generator function): its calls are `yield*`s. */
    readonly twin = false,
  ) {
    this.visible = parent?.visible ?? null;
  }

  openBlock(): void {
    this.blocks.push(new Map());
    this.blockStarts.push(this.visible);
  }

  closeBlock(): void {
    this.blocks.pop();
    this.visible = this.blockStarts.pop()!;
  }

  /** A local declared at source offset `pos` (unique to the declaration). */
  declare(luaName: string, pos: number): LocalVar {
    const v: LocalVar = { luaName, jsName: `${luaName}$${pos}`, fn: this };
    this.blocks[this.blocks.length - 1].set(luaName, v);
    this.visible = { v, next: this.visible };
    return v;
  }

  /** The local a name refers to here (in this function or an enclosing one), or null for a global. */
  resolve(luaName: string): LocalVar | null {
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const v = this.blocks[i].get(luaName);
      if (v !== undefined) return v;
    }
    if (this.parent === null) return null;
    const v = this.parent.resolve(luaName);
    if (v !== null) this.upvalues.set(v.jsName, v);
    return v;
  }

  /** Whether this scope is `fn` or inside it. */
  within(fn: FunctionScope): boolean {
    for (let s: FunctionScope | null = this; s !== null; s = s.parent) if (s === fn) return true;
    return false;
  }

  /** A temporary of this function no code being generated holds, declared at its top. */
  temp(): string {
    const name = `$t${this.temps++}`;
    if (this.temps > this.tempNames.length) this.tempNames.push(name);
    return name;
  }

  /** How many temporaries are held now: what releaseTemps(mark) returns to. */
  tempMark(): number {
    return this.temps;
  }

  /**
   * Frees the temporaries taken since `mark`, for the next statement to use
   * again: a statement's temporaries hold values only while it runs, and a
   * compound statement takes those that live across its body before the
   * body's own. Fewer of them make a smaller scope for V8 to parse.
   */
  releaseTemps(mark: number): void {
    this.temps = mark;
  }
}

/**
 * The scope around a function compiled on its first call (compiler/lazy.ts):
 * the locals that were visible where the function is written, as the chunk's
 * first compile saw them. Its own locals and blocks are the nested scope's.
 */
export class FrozenScope extends FunctionScope {
  constructor(at: Visible | null) {
    super(null, false);
    this.visible = at;
  }

  override resolve(luaName: string): LocalVar | null {
    for (let b = this.visible; b !== null; b = b.next) if (b.v.luaName === luaName) return b.v;
    return null;
  }
}
