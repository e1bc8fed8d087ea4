/** A log call: a message, or fields then a message. */
export interface LogFn {
  (message: string): void;
  (fields: object, message: string): void;
}

/** The server's log at Redis's levels, as the parts below the server write to it. */
export interface Log {
  debug: LogFn;
  verbose: LogFn;
  notice: LogFn;
  warning: LogFn;
}

/** An error as a log line can hold it: its name and message, and where it was thrown (the JSON format has the whole stack in `err`). */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const at = e.stack?.split('\n').find((l) => l.trimStart().startsWith('at '))?.trim();
  return `${e.name}: ${e.message}${at === undefined ? '' : ` (${at})`}`;
}
