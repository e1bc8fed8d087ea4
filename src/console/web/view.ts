/** What a view is given: where to draw, the database picked, and timers that stop when the view is left. */
export interface ViewContext {
  main: HTMLElement;
  db: number;
  params: URLSearchParams;
  /** Runs `f` every `ms` while the view is shown. */
  every(ms: number, f: () => Promise<void> | void): void;
  /** Whether the view is still the one shown (a slow answer for a view left is dropped). */
  live(): boolean;
  /** Goes to another route (`#/keys?...`). */
  go(route: string): void;
}

export type View = (ctx: ViewContext) => Promise<void>;
