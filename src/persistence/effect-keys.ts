import type { Effect } from '../core/propagation.js';
import { extractKeys, type Command } from '../core/command.js';

/**
 * What one propagated effect touches, as the rewrite needs to know it:
 * keys (database and name), or one of the operations that act on whole
 * databases.
 */
export type Touch =
  | { kind: 'keys'; keys: [db: number, key: string][] }
  /** MULTI / EXEC around a batch. */
  | { kind: 'wrapper' }
  | { kind: 'flushall' }
  | { kind: 'flushdb'; db: number }
  | { kind: 'swapdb'; a: number; b: number }
  /** A write with no key (FUNCTION LOAD, say): it touches no key's state. */
  | { kind: 'keyless' }
  /** Not a command Sluice knows: the rewrite cannot reason about it. */
  | { kind: 'unknown' };

const WRAPPER: Touch = { kind: 'wrapper' };
const KEYLESS: Touch = { kind: 'keyless' };
const UNKNOWN: Touch = { kind: 'unknown' };

/** Finds the command a request names. */
export type CommandLookup = (argv: string[]) => Command<never> | undefined;

/** A database index as SELECT/MOVE/SWAPDB spell it, or -1. */
function dbIndex(s: string): number {
  return /^\d{1,9}$/.test(s) ? Number(s) : -1;
}

/**
 * What an effect touches (see Touch).
 */
export function effectTouch(lookup: CommandLookup, e: Effect): Touch {
  const argv = e.argv;
  const cmd = lookup(argv);
  if (cmd === undefined) return UNKNOWN;
  switch (cmd.fullName) {
    case 'multi':
    case 'exec':
      return WRAPPER;
    case 'flushall':
      return { kind: 'flushall' };
    case 'flushdb':
      return { kind: 'flushdb', db: e.db };
    case 'swapdb': {
      const a = dbIndex(argv[1]);
      const b = dbIndex(argv[2]);
      return a < 0 || b < 0 ? UNKNOWN : { kind: 'swapdb', a, b };
    }
  }
  const keys = commandKeys(e.db, cmd, argv);
  if (keys === null) return UNKNOWN;
  return keys.length === 0 ? KEYLESS : { kind: 'keys', keys };
}

/**
 * The keys a command names, with their databases: those its key specs find
 * in database `db`, plus the key it declares in another database (MOVE's
 * target, COPY … DB's destination). Null when that database is not a number.
 */
export function commandKeys(db: number, cmd: Command<never>, argv: string[]): [number, string][] | null {
  const keys: [number, string][] = extractKeys(cmd, argv).map((k) => [db, argv[k.pos]]);
  const other = cmd.spec.otherDbKey?.(argv);
  if (other) {
    const to = dbIndex(argv[other.db]);
    if (to < 0) return null;
    keys.push([to, argv[other.key]]);
  }
  return keys;
}
