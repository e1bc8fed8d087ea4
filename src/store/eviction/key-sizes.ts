import type { Database } from '../../keyspace/database.js';
import { keyEntrySize, valueSize } from '../../keyspace/heap-size.js';
import type { KeySizes } from '../../keyspace/key-meters.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import type { Value } from '../../keyspace/value.js';

/** Elements a collection's estimate looks at: MEMORY USAGE's default, so both agree. */
const SAMPLES = 5;

/**
 * maxmemory's measure of the dataset: the sum, kept current on every
 * write, of each key's entry and its value's own estimate (heap-size.ts),
 * per database. A string's size follows from its length; a collection
 * changes in place, so the size it was last counted at is remembered
 * beside it (a WeakMap on the value object) and the difference applied
 * when it changes. Started on a keyspace that already holds keys, it
 * counts them all once.
 */
export class KeySizeTotals implements KeySizes {
  private perDb: number[];
  total = 0;
  private counted = new WeakMap<object, number>();

  constructor(ks: Keyspace) {
    this.perDb = ks.dbs.map(() => 0);
    for (const db of ks.dbs) for (const [key, v] of db.dict.entries()) this.add(db, keyEntrySize(key) + this.measure(v));
  }

  /** A value's size now, remembered for a collection so that a later change can be told apart. */
  private measure(v: Value): number {
    if (typeof v !== 'object') return valueSize(v, SAMPLES);
    const n = valueSize(v, SAMPLES);
    this.counted.set(v, n);
    return n;
  }

  private countedSize(v: Value): number {
    return typeof v !== 'object' ? valueSize(v, SAMPLES) : (this.counted.get(v) ?? 0);
  }

  private add(db: Database, n: number): void {
    this.perDb[db.index] += n;
    this.total += n;
  }

  stored(db: Database, key: string, old: Value | undefined, value: Value): void {
    if (old === undefined) this.add(db, keyEntrySize(key) + this.measure(value));
    else this.add(db, this.measure(value) - this.countedSize(old));
  }

  removed(db: Database, key: string, old: Value): void {
    this.add(db, -(keyEntrySize(key) + this.countedSize(old)));
  }

  changed(db: Database, key: string): void {
    const v = db.dict.get(key);
    if (v === undefined || typeof v !== 'object') return;
    const before = this.counted.get(v) ?? 0;
    this.add(db, this.measure(v) - before);
  }

  flushed(db: Database): void {
    this.total -= this.perDb[db.index];
    this.perDb[db.index] = 0;
  }

  swapped(a: Database, b: Database): void {
    const t = this.perDb;
    [t[a.index], t[b.index]] = [t[b.index], t[a.index]];
  }

  /** The bytes counted for one database (MEMORY STATS). */
  ofDb(db: Database): number {
    return this.perDb[db.index];
  }
}
