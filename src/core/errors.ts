/** Error replies shared across command families, worded as Redis words them. */
export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const SYNTAX = 'ERR syntax error';
export const NOT_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_FLOAT = 'ERR value is not a valid float';
export const NO_SUCH_KEY = 'ERR no such key';
export const OVERFLOW = 'ERR increment or decrement would overflow';
export const DB_INDEX_RANGE = 'ERR DB index is out of range';
export const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
/** min-replicas-to-write with fewer good replicas (Sluice: with any, as it has none). */
export const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';
/** A replica whose link is down, with replica-serve-stale-data no, to a command not flagged stale. */
export const MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
/** A write to a read-only replica. */
export const READONLY_REPLICA = "READONLY You can't write against a read only replica.";

export function wrongArity(fullName: string): string {
  return `ERR wrong number of arguments for '${fullName}' command`;
}

/** Thrown by argument parsers inside handlers; the dispatcher replies with it. */
export class CommandError extends Error {
  constructor(message: string) {
    // An error reply, not a fault: its stack is never read, and capturing one cost more than the rest of a failing command.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}
