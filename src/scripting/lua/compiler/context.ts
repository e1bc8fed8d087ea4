import type { Node } from 'luaparse';
import { makeSite, type ChunkInfo, type Site } from '../site.js';
import type { ParenFinder } from './parens.js';
import { FunctionScope } from './scope.js';

/** A node as luaparse gives it with `locations` and `ranges` on. */
export type Located = Node & { loc?: { start: { line: number }; end: { line: number } }; range?: [number, number] };

/**
 * What the code generator carries through one chunk: the sites made so far
 * (the factory receives them as K and binds each to a constant `$sN`), the
 * function being compiled, and the source for the parenthesis question.
 */
export class Context {
  readonly sites: Site[] = [];
  private readonly names = { next: 0 };
  fn: FunctionScope;

  constructor(
    readonly chunk: ChunkInfo,
    readonly parens: ParenFinder,
  ) {
    this.fn = new FunctionScope(null, true, this.names);
  }

  /** Runs `body` compiling a nested function with its own scope. */
  nested<T>(isVararg: boolean, body: (fn: FunctionScope) => T): T {
    const outer = this.fn;
    this.fn = new FunctionScope(outer, isVararg, this.names);
    try {
      return body(this.fn);
    } finally {
      this.fn = outer;
    }
  }

  /** A new site; returns the constant's name in generated code. */
  site(line: number, what?: string, name?: string, d1?: string, d2?: string): string {
    this.sites.push(makeSite(this.chunk, line, what, name, d1, d2));
    return `$s${this.sites.length - 1}`;
  }

  temp(): string {
    return this.fn.temp();
  }
}

export function startLine(node: Node): number {
  return (node as Located).loc?.start.line ?? 0;
}

export function endLine(node: Node): number {
  return (node as Located).loc?.end.line ?? 0;
}

export function rangeStart(node: Node): number {
  return (node as Located).range?.[0] ?? 0;
}
