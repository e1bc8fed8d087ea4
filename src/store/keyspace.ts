import { Database } from './database.js';

/** What the keyspace reports upward; the server wires it to propagation and notifications. */
export interface KeyspaceListener {
  /** A key was removed because its deadline passed (lazily or by the active cycle). */
  expired(db: Database, key: string): void;
  /** A keyspace event for notify-keyspace-events (the broker decides whether anyone hears it). */
  notify(db: Database, type: EventClass, event: string, key: string): void;
}

/**
 * The class of a keyspace event, as notify-keyspace-events names them:
 * g generic, $ string, l list, s set, h hash, z sorted set, x expired,
 * e evicted, t stream, m key miss, n new key.
 */
export type EventClass = 'g' | '$' | 'l' | 's' | 'h' | 'z' | 'x' | 'e' | 't' | 'm' | 'n';

export interface KeyspaceStats {
  hits: number;
  misses: number;
  expiredKeys: number;
  /** Keys the active cycle found expired / looked at, for INFO's stale-key estimate. */
  activeExpired: number;
  activeSampled: number;
}

const NOOP_LISTENER: KeyspaceListener = { expired() {}, notify() {} };

/**
 * The numbered databases and what they share: the command clock (frozen for
 * the length of a command, transaction or script, as Redis does, so a key
 * cannot expire halfway through one), the change counter and hit statistics.
 */
export class Keyspace {
  readonly dbs: Database[];
  /** Milliseconds since the epoch as seen by the running command. */
  now = Date.now();
  /** Changes since the last save: INFO's rdb_changes_since_last_save, and how propagation knows a command wrote. */
  dirty = 0;
  /** While true, expired keys read as absent but are not deleted (used during loading). */
  readOnlyExpiry = false;
  listener: KeyspaceListener = NOOP_LISTENER;
  stats: KeyspaceStats = { hits: 0, misses: 0, expiredKeys: 0, activeExpired: 0, activeSampled: 0 };
  private expireCursor: { db: number; it: Iterator<[string, number]> | null } = { db: 0, it: null };
  private randomCursors: (Iterator<string> | null)[];

  constructor(count = 16) {
    this.dbs = [];
    for (let i = 0; i < count; i++) this.dbs.push(new Database(i, this));
    this.randomCursors = new Array(count).fill(null);
  }

  db(index: number): Database {
    return this.dbs[index];
  }

  /**
   * Reports a keyspace event, e.g. notify(db, '$', 'set', key). Every command
   * that changes a key calls this with Redis's event name.
   */
  notify(db: Database, type: EventClass, event: string, key: string): void {
    this.listener.notify(db, type, event, key);
  }

  /** SWAPDB: the Database objects keep their index, their contents trade places. */
  swap(a: number, b: number): void {
    const da = this.dbs[a];
    const db = this.dbs[b];
    da.touchAllWatched(db);
    db.touchAllWatched(da);
    [da.dict, db.dict] = [db.dict, da.dict];
    [da.expires, db.expires] = [db.expires, da.expires];
    this.randomCursors[a] = this.randomCursors[b] = null;
    this.expireCursor.it = null;
  }

  flushDb(index: number): number {
    if (this.expireCursor.db === index) this.expireCursor.it = null;
    this.randomCursors[index] = null;
    return this.dbs[index].flush();
  }

  flushAll(): number {
    let removed = 0;
    for (let i = 0; i < this.dbs.length; i++) removed += this.flushDb(i);
    return removed;
  }

  /**
   * A random live key of a database, or undefined when it is empty. A Map has
   * no random access, so this walks a persistent iterator a random 0-15 steps:
   * O(1) amortised, uniform enough for RANDOMKEY's uses, not a true sample.
   */
  randomKey(index: number): string | undefined {
    const d = this.dbs[index];
    for (let tries = 0; d.size > 0 && tries < 100; tries++) {
      let skip = Math.floor(Math.random() * 16);
      let key: string | undefined;
      while (true) {
        let it = this.randomCursors[index];
        if (it === null) it = this.randomCursors[index] = d.dict.keys();
        const r = it.next();
        if (r.done) {
          this.randomCursors[index] = null;
          if (skip > d.size) skip = skip % d.size;
          continue;
        }
        key = r.value;
        if (skip-- <= 0) break;
      }
      if (d.get(key) !== undefined) return key;
    }
    return undefined;
  }

  /**
   * One slice of the active expiry cycle: walks the keys that have a TTL,
   * a database at a time, deleting expired ones, until `budgetMs` is spent
   * or the walk finds few expired keys. Returns the number deleted.
   */
  activeExpireCycle(budgetMs: number): number {
    const start = Date.now();
    this.now = start;
    let deleted = 0;
    let visitedDbs = 0;
    const cur = this.expireCursor;
    while (visitedDbs < this.dbs.length) {
      const d = this.dbs[cur.db];
      if (d.expires.size === 0) {
        cur.db = (cur.db + 1) % this.dbs.length;
        cur.it = null;
        visitedDbs++;
        continue;
      }
      if (cur.it === null) cur.it = d.expires.entries();
      let sampled = 0;
      let expired = 0;
      let finished = false;
      while (sampled < 20) {
        const r = cur.it.next();
        if (r.done) {
          finished = true;
          break;
        }
        sampled++;
        const [key, when] = r.value;
        if (when <= this.now) {
          d.expireNow(key);
          expired++;
        }
      }
      deleted += expired;
      this.stats.activeSampled += sampled;
      this.stats.activeExpired += expired;
      if (finished || expired * 10 < sampled) {
        cur.db = (cur.db + 1) % this.dbs.length;
        cur.it = null;
        visitedDbs++;
      }
      if (Date.now() - start >= budgetMs) break;
    }
    return deleted;
  }

  /** Number of keys with a deadline, over all databases. */
  get expiringKeys(): number {
    let n = 0;
    for (const d of this.dbs) n += d.expires.size;
    return n;
  }
}
