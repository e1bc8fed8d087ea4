import { ListValue } from '../../queues/list/list-value.js';
import { nodeEnds } from '../../queues/list/listpack-size.js';
import { StreamValue } from '../../queues/stream/stream-value.js';
import { HashValue } from '../../store/hash/hash-value.js';
import { isString, type Value } from '../../keyspace/value.js';
import { stringText } from '../../store/string/string-access.js';
import { parseIntMember } from '../../store/set/intset.js';
import type { SetValue } from '../../store/set/set-value.js';
import { packedScoreText } from '../../store/zset/score.js';
import type { ZSetValue } from '../../store/zset/zset-value.js';
import {
  CONTAINER_PACKED, TYPE_HASH, TYPE_HASH_LISTPACK, TYPE_HASH_LISTPACK_EX, TYPE_HASH_METADATA, TYPE_LIST_QUICKLIST_2,
  TYPE_SET, TYPE_SET_INTSET, TYPE_SET_LISTPACK, TYPE_STREAM_LISTPACKS_3, TYPE_STRING, TYPE_ZSET_2, TYPE_ZSET_LISTPACK,
} from './format.js';
import { writeIntset } from './intset-blob.js';
import { ListpackBuilder } from './listpack.js';
import { writeStream } from './stream-codec.js';
import type { RdbWriter } from '../../codecs/rdb/writer.js';

/**
 * Writes a value as Redis 7.2's rdbSaveObjectType and rdbSaveObject do:
 * the type byte that names the encoding the value has now (OBJECT
 * ENCODING's), the key when writing a file, then the body. `listFill` is
 * list-max-listpack-size, which sets where a quicklist's nodes end.
 */
export function writeValue(w: RdbWriter, v: Value, listFill: number, key?: string): void {
  if (isString(v)) {
    begin(w, TYPE_STRING, key);
    w.string(stringText(v));
    return;
  }
  switch (v.type) {
    case 'list':
      return writeList(w, v as ListValue, listFill, key);
    case 'set':
      return writeSet(w, v as SetValue, key);
    case 'zset':
      return writeZset(w, v as ZSetValue, key);
    case 'hash':
      return writeHash(w, v as HashValue, key);
    case 'stream':
      begin(w, TYPE_STREAM_LISTPACKS_3, key);
      return writeStream(w, v as StreamValue);
  }
}

/** The type byte, and in a file the key, which comes between the type and the value. */
function begin(w: RdbWriter, type: number, key: string | undefined): void {
  w.byte(type);
  if (key !== undefined) w.string(key);
}

/**
 * A quicklist of listpacks (RDB_TYPE_LIST_QUICKLIST_2). A listpack-encoded
 * list is one node; a quicklist's nodes end where they would had its
 * elements been pushed from the tail under list-max-listpack-size (Sluice
 * keeps no node boundaries; any split loads the same list).
 */
function writeList(w: RdbWriter, list: ListValue, fill: number, key: string | undefined): void {
  begin(w, TYPE_LIST_QUICKLIST_2, key);
  const n = list.length;
  const ends = list.encoding() === 'listpack' ? [n] : nodeEnds((take) => list.each(take), fill);
  w.length(ends.length);
  let i = 0;
  let node = 0;
  let lp = new ListpackBuilder();
  list.each((e) => {
    lp.add(e);
    if (++i === ends[node]) {
      w.length(CONTAINER_PACKED);
      w.blob(lp.finish());
      lp = new ListpackBuilder();
      node++;
    }
  });
}

function writeSet(w: RdbWriter, set: SetValue, key: string | undefined): void {
  const enc = set.encoding();
  if (enc === 'intset') {
    begin(w, TYPE_SET_INTSET, key);
    w.blob(writeIntset(set.members().map((m) => parseIntMember(m)!), set.intsetWidth));
  } else if (enc === 'listpack') {
    begin(w, TYPE_SET_LISTPACK, key);
    const lp = new ListpackBuilder();
    set.each((m) => {
      lp.add(m);
    });
    w.blob(lp.finish());
  } else {
    begin(w, TYPE_SET, key);
    w.length(set.size);
    set.each((m) => {
      w.string(m);
    });
  }
}

/** A listpack of member and score, ascending; or a skiplist's members from the highest score down, scores as binary doubles. */
function writeZset(w: RdbWriter, z: ZSetValue, key: string | undefined): void {
  if (z.packed) {
    begin(w, TYPE_ZSET_LISTPACK, key);
    const lp = new ListpackBuilder();
    z.forRange(0, z.size, false, (m, s) => {
      lp.add(m).add(packedScoreText(s));
    });
    w.blob(lp.finish());
    return;
  }
  begin(w, TYPE_ZSET_2, key);
  w.length(z.size);
  z.forRange(z.size - 1, z.size, true, (m, s) => {
    w.string(m);
    w.binaryDouble(s);
  });
}

/**
 * Redis 7.2's two hash forms; a hash with field deadlines in Redis 7.4's
 * (a listpack of field, value, deadline after the earliest deadline, or a
 * table whose fields carry their deadline relative to it), which only 7.4
 * and later read.
 */
function writeHash(w: RdbWriter, h: HashValue, key: string | undefined): void {
  const enc = h.encoding();
  if (enc !== 'hashtable') {
    const withDeadlines = enc === 'listpackex';
    begin(w, withDeadlines ? TYPE_HASH_LISTPACK_EX : TYPE_HASH_LISTPACK, key);
    if (withDeadlines) w.msTime(Math.max(0, h.nextDeadline()));
    const lp = new ListpackBuilder();
    h.forEach((f, v) => {
      lp.add(f).add(v);
      if (withDeadlines) lp.addInt(Math.max(0, h.deadline(f)));
    });
    w.blob(lp.finish());
    return;
  }
  const min = h.nextDeadline();
  begin(w, min === -1 ? TYPE_HASH : TYPE_HASH_METADATA, key);
  if (min !== -1) w.msTime(min);
  w.length(h.size);
  h.forEach((f, v) => {
    if (min !== -1) {
      const d = h.deadline(f);
      w.length(d < 0 ? 0 : d - min + 1);
    }
    w.string(f);
    w.string(v);
  });
}
