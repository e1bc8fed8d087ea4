/**
 * Lexical scopes while compiling: every Lua local becomes a JavaScript
 * `let` with a name of its own (`x$4`), so shadowing (`local x = x`),
 * JavaScript's reserved words and the compiler's own names never clash.
 * Lua identifiers cannot contain '$'; the compiler's names start with one
 * or are the single letters the factory takes (see codegen.ts).
 */
export interface LocalVar {
  readonly luaName: string;
  readonly jsName: string;
  readonly fn: FunctionScope;
}

export class FunctionScope {
  private readonly blocks: Map<string, LocalVar>[] = [new Map()];
  private temps = 0;
  readonly tempNames: string[] = [];
  /** Numeric constant 0 as first written in this function: Lua keeps one constant for 0 and -0. */
  zero: number | undefined = undefined;

  constructor(
    readonly parent: FunctionScope | null,
    readonly isVararg: boolean,
    private readonly names: { next: number },
  ) {}

  openBlock(): void {
    this.blocks.push(new Map());
  }

  closeBlock(): void {
    this.blocks.pop();
  }

  declare(luaName: string): LocalVar {
    const v: LocalVar = { luaName, jsName: `${luaName}$${this.names.next++}`, fn: this };
    this.blocks[this.blocks.length - 1].set(luaName, v);
    return v;
  }

  /** The local a name refers to here (in this function or an enclosing one), or null for a global. */
  resolve(luaName: string): LocalVar | null {
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const v = this.blocks[i].get(luaName);
      if (v !== undefined) return v;
    }
    return this.parent === null ? null : this.parent.resolve(luaName);
  }

  /** A fresh temporary of this function, declared at its top. */
  temp(): string {
    const name = `$t${this.temps++}`;
    this.tempNames.push(name);
    return name;
  }
}
