import type { ConfigReader, Ctx } from '../../core/context.js';
import { CommandError, WRONGTYPE } from '../../core/errors.js';
import type { Value } from '../../keyspace/value.js';
import type { SetLimits } from './set-encoding.js';
import { SetValue } from './set-value.js';

/** A looked-up value as a set (undefined when absent), or WRONGTYPE. */
export function asSet(v: Value | undefined): SetValue | undefined {
  if (v === undefined || v instanceof SetValue) return v;
  throw new CommandError(WRONGTYPE);
}

/** The set at key for a read command (counts a hit or miss); undefined when absent. */
export function readSet(c: Ctx, key: string): SetValue | undefined {
  return asSet(c.db.read(key));
}

/** The set at key for a write command; undefined when absent. */
export function writableSet(c: Ctx, key: string): SetValue | undefined {
  return asSet(c.db.get(key));
}

/**
 * The sets at argv[from..] as SINTER, SUNION and SDIFF look them up: a read
 * each, in order (hits, misses and keymiss events counted), failing at the
 * first key that holds another type.
 */
export function readSets(c: Ctx, argv: string[], from: number, to = argv.length): (SetValue | undefined)[] {
  const sets: (SetValue | undefined)[] = [];
  for (let i = from; i < to; i++) sets.push(readSet(c, argv[i]));
  return sets;
}

/** The encoding limits as the parameters set them now. */
export function readSetLimits(config: Pick<ConfigReader, 'num'>): SetLimits {
  return Object.freeze({
    intsetEntries: config.num('set-max-intset-entries'),
    listpackEntries: config.num('set-max-listpack-entries'),
    listpackValue: config.num('set-max-listpack-value'),
  });
}

/** The encoding limits a write follows, read once per change of the parameters. */
export function setLimits(c: Pick<Ctx, 'config'>): SetLimits {
  return c.config.derived(readSetLimits, readSetLimits);
}

/** Writes members as a set reply (RESP3 `~`, RESP2 an array). */
export function replyMembers(c: Ctx, members: readonly string[]): void {
  c.reply.set(members.length);
  for (const m of members) c.reply.bulk(m);
}

/** Writes every member of a set, in its order, as a set reply. */
export function replySet(c: Ctx, set: SetValue): void {
  c.reply.set(set.size);
  set.each((m) => {
    c.reply.bulk(m);
  });
}

/**
 * A *STORE command's ending: a non-empty result replaces whatever `dst`
 * held (its TTL dropped) and raises `event`; an empty one deletes `dst`
 * (raising del if it existed). One change is counted either way, none when
 * there was nothing to delete. Replies with the result's size.
 */
export function storeResult(c: Ctx, dst: string, result: SetValue, event: string): void {
  const n = result.size;
  if (n > 0) {
    c.db.setKey(dst, result);
    c.reply.integer(n);
    c.keyspace.notify(c.db, 's', event, dst);
  } else {
    c.reply.integer(0);
    if (c.db.delete(dst)) c.keyspace.notify(c.db, 'g', 'del', dst);
  }
}
