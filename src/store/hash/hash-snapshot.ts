import { frozenPairs } from '../../keyspace/compact/dense-map.js';
import type { FrozenChunks } from '../../keyspace/compact/dense-table.js';
import type { Packed } from '../../keyspace/compact/packed.js';
import { REBUILD_ITEMS_PER_COMMAND, type ValueSnapshot } from '../../keyspace/value.js';
import { forEachTuple } from './packed-tuples.js';

/**
 * The rebuild commands of a hash: HSETs of at most REBUILD_ITEMS_PER_COMMAND
 * pairs, then HPEXPIREAT for the fields with a deadline, a run of fields
 * sharing one together (up to the same number a command; a packed hash
 * keeps them in deadline order, a table's are not sorted, which would cost
 * one slice of the rewrite all their sorting). The deadlines are absolute,
 * so the AOF replays them as they were.
 */
function* rebuild(key: string, pairs: Iterable<[string, string]>, deadlines: Iterable<[string, number]>): Iterator<string[]> {
  let cmd: string[] = ['HSET', key];
  for (const [f, v] of pairs) {
    cmd.push(f, v);
    if (cmd.length === 2 + 2 * REBUILD_ITEMS_PER_COMMAND) {
      yield cmd;
      cmd = ['HSET', key];
    }
  }
  if (cmd.length > 2) yield cmd;
  let when = -1;
  let fields: string[] = [];
  const expire = () => ['HPEXPIREAT', key, String(when), 'FIELDS', String(fields.length), ...fields];
  for (const [f, d] of deadlines) {
    if (fields.length !== 0 && (d !== when || fields.length === REBUILD_ITEMS_PER_COMMAND)) {
      yield expire();
      fields = [];
    }
    when = d;
    fields.push(f);
  }
  if (fields.length !== 0) yield expire();
}

/** A packed hash's snapshot: its string, which no write changes (writes make a new one). */
export class PackedSnapshot implements ValueSnapshot {
  constructor(
    private readonly packed: Packed,
    private readonly stride: number,
  ) {}

  rebuildCommands(key: string): Iterator<string[]> {
    const pairs: [string, string][] = [];
    const deadlines: [string, number][] = [];
    forEachTuple(this.packed, this.stride, (f, v, d) => {
      pairs.push([f, v]);
      if (d !== -1) deadlines.push([f, d]);
    });
    return rebuild(key, pairs, deadlines);
  }
}

/** A table's snapshot: its chunks and its deadlines' chunks, frozen (see DenseMap.freeze). */
export class TableSnapshot implements ValueSnapshot {
  constructor(
    private readonly chunks: FrozenChunks,
    private readonly deadlines: FrozenChunks,
  ) {}

  rebuildCommands(key: string): Iterator<string[]> {
    return rebuild(key, frozenPairs<string>(this.chunks), frozenPairs<number>(this.deadlines));
  }
}
