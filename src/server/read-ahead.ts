import type { KeyTable } from '../keyspace/key-table.js';
import type { Command } from './command-types.js';
import type { Dispatcher } from './dispatcher.js';

/** The most keys read ahead at once; past them keys are looked up as usual. */
const MOST_KEYS = 64;
/** Scratch for prefetchKeys, emptied after each use so that it keeps no client's key (which may be large) alive. */
const keys: string[] = new Array<string>(MOST_KEYS).fill('');

function prefetchAndForget(dict: KeyTable, n: number): void {
  if (n > 1) dict.prefetchKeys(keys, n);
  keys.fill('', 0, n);
}

/** Whether the command a client calls `name` takes its first key as its first argument. */
export function firstKeyFirst(dispatcher: Dispatcher, name: string): boolean {
  const cmd = dispatcher.named(name);
  return cmd !== undefined && cmd.keyRange[0] === 1;
}

/**
 * A command naming several keys at fixed places (MGET, MSET, DEL, EXISTS,
 * SINTER…) in a table larger than the cache: the table reads where they
 * all sit before the handler looks them up one after another, so that
 * their cache misses overlap (KeyTable.prefetch). Changes nothing.
 */
export function readKeysAhead(dict: KeyTable, cmd: Command, argv: readonly string[]): void {
  const [first, lastAt, step] = cmd.keyRange;
  if (first <= 0 || lastAt === first || step <= 0 || cmd.movableKeys || !dict.prefetchPays) return;
  const last = lastAt < 0 ? argv.length + lastAt : Math.min(lastAt, argv.length - 1);
  let n = 0;
  for (let i = first; i <= last && n < MOST_KEYS; i += step) keys[n++] = argv[i];
  prefetchAndForget(dict, n);
}

/** The first keys of the commands `argvs[from, to)`, which a replica is about to apply, read ahead the same way. */
export function readFirstKeysAhead(dict: KeyTable, dispatcher: Dispatcher, argvs: readonly string[][], from: number, to: number): void {
  if (!dict.prefetchPays) return;
  let n = 0;
  for (let i = from; i < to && n < MOST_KEYS; i++) {
    const argv = argvs[i];
    if (argv.length > 1 && firstKeyFirst(dispatcher, argv[0])) keys[n++] = argv[1];
  }
  prefetchAndForget(dict, n);
}
