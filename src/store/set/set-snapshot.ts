import { frozenSlots, type FrozenChunks } from '../../keyspace/compact/dense-table.js';
import { entryAt, nextEntry } from '../../keyspace/compact/packed.js';
import { REBUILD_ITEMS_PER_COMMAND, type ValueSnapshot } from '../../keyspace/value.js';
import { intAt } from './intset.js';
import { LISTPACK } from './set-encoding.js';

/** A set as it was when the AOF rewrite took it. */
export class SetSnapshot implements ValueSnapshot {
  constructor(
    private readonly enc: number,
    private readonly packed: string,
    private readonly width: number,
    private readonly n: number,
    private readonly chunks: FrozenChunks | null,
  ) {}

  /** SADD commands of at most REBUILD_ITEMS_PER_COMMAND members each. */
  *rebuildCommands(key: string): Iterator<string[]> {
    let cmd = ['SADD', key];
    for (const m of this.members()) {
      cmd.push(m);
      if (cmd.length === REBUILD_ITEMS_PER_COMMAND + 2) {
        yield cmd;
        cmd = ['SADD', key];
      }
    }
    if (cmd.length > 2) yield cmd;
  }

  private *members(): Generator<string> {
    if (this.chunks !== null) {
      yield* frozenSlots(this.chunks) as Iterable<string>;
    } else if (this.enc === LISTPACK) {
      const p = this.packed;
      for (let pos = 0; pos < p.length; pos = nextEntry(p, pos)) yield entryAt(p, pos);
    } else {
      for (let i = 0; i < this.n; i++) yield String(intAt(this.packed, this.width, i));
    }
  }
}
