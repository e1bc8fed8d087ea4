import type { ListValue } from '../../queues/list/list-value.js';
import type { StreamValue } from '../../queues/stream/stream-value.js';
import type { HashValue } from '../../store/hash/hash-value.js';
import { isString, type Value } from '../../keyspace/value.js';
import type { SetValue } from '../../store/set/set-value.js';
import type { ZSetValue } from '../../store/zset/zset-value.js';
import type { RdbWriter } from '../../codecs/rdb/writer.js';
import { TYPE_HASH, TYPE_ZSET_2 } from './format.js';
import type { RdbOutput } from './rdb-save.js';

/** A value kept as it was for a background save, written out later. */
export interface FrozenEntry {
  /** Writes the key as it was frozen into the selected database, with the access hint it had then. */
  write(out: RdbOutput, key: string, deadline: number, hint: number): void;
}

/** Encodings whose RDB form costs about as little to write as to copy: they are written at once. */
const COMPACT = new Set(['listpack', 'listpackex', 'intset']);

/**
 * What a background save keeps of a value a client is about to change:
 * null when writing it at once is as cheap as keeping it (strings, which
 * are immutable or copied on write anyway, and compact encodings), else a
 * frozen view that costs little whatever the size: a list's or a set's
 * chunks and a stream's blocks shared copy-on-write, a sorted set's tree
 * or a hash's shards frozen (TypedValue.snapshot, which the AOF rewrite
 * uses too) and read back through their rebuild commands. A hash whose
 * fields have deadlines is written at once: its RDB form needs every
 * deadline before the first field.
 */
export function freeze(v: Value): FrozenEntry | null {
  if (isString(v) || COMPACT.has(v.encoding())) return null;
  switch (v.type) {
    case 'list':
      return asValue((v as ListValue).snapshot());
    case 'stream':
      return asValue((v as StreamValue).clone());
    case 'set':
      return asValue((v as SetValue).clone());
    case 'zset': {
      const z = v as ZSetValue;
      return fromRebuild(TYPE_ZSET_2, z.size, z.snapshot().rebuildCommands(''), writeScoredPairs);
    }
    case 'hash': {
      const h = v as HashValue;
      if (h.nextDeadline() !== -1) return null;
      return fromRebuild(TYPE_HASH, h.size, h.snapshot().rebuildCommands(''), writePairs);
    }
  }
}

function asValue(frozen: Value): FrozenEntry {
  return { write: (out, key, deadline, hint) => out.entry(key, frozen, deadline, hint) };
}

/**
 * A hashtable-encoded value written from the commands that rebuild it
 * (HSET, ZADD: the key, then the items): the length it had when frozen,
 * then its items in whatever order the commands give, which loaders accept.
 */
function fromRebuild(
  type: number,
  size: number,
  commands: Iterator<string[]>,
  items: (w: RdbWriter, argv: string[]) => void,
): FrozenEntry {
  return {
    write: (out, key, deadline, hint) => {
      out.typed(key, deadline, hint, type, (w) => {
        w.length(size);
        for (let c = commands.next(); !c.done; c = commands.next()) items(w, c.value);
      });
    },
  };
}

/** HSET key field value …: field and value, as RDB_TYPE_HASH has them. */
function writePairs(w: RdbWriter, argv: string[]): void {
  for (let i = 2; i < argv.length; i++) w.string(argv[i]);
}

/** ZADD key score member …: the member, then its score as a binary double (RDB_TYPE_ZSET_2). */
function writeScoredPairs(w: RdbWriter, argv: string[]): void {
  for (let i = 2; i < argv.length; i += 2) {
    w.string(argv[i + 1]);
    w.binaryDouble(scoreOf(argv[i]));
  }
}

/** A score as the rebuild commands print it: Redis's text, which reads back exactly. */
function scoreOf(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}
