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
