import type { KeyTable } from '../keyspace/key-table.js';
import type { Command } from './command-types.js';

/** The most keys of one command read ahead; past them a command's keys are looked up as usual. */
const MOST_KEYS = 64;
const keys: string[] = new Array<string>(MOST_KEYS).fill('');

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
  if (n > 1) dict.prefetchKeys(keys, n);
}
