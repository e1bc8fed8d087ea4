import { Database } from './database.js';
import type { KeyAccess, KeySizes } from './key-meters.js';
import { isString } from './value.js';

/** What the keyspace reports upward; the server wires it to propagation and notifications. */
export interface KeyspaceListener {
  /** A key was removed because its deadline passed (lazily or by the active cycle). */
  expired(db: Database, key: string): void;
  /** A keyspace event for notify-keyspace-events (the broker decides whether anyone hears it). */
  notify(db: Database, type: EventClass, event: string, key: string): void;
  /**
   * An effect of the keyspace's own doing beyond a key's expiry (HDEL of a
   * hash field that expired): part of the running command's effects, or
   * on its own from the active cycle.
   */
  propagate(db: Database, argv: string[]): void;
  /**
   * FLUSHALL emptied every database: persistence stops a BGSAVE and, when
   * there are save points, saves the empty dataset (Redis's
   * flushAllDataAndResetRDB).
   */
  flushedAll(): void;
}

/**
 * The blocking-operation registry as the keyspace sees it: told when a key
 * may now serve clients blocked on it.
 */
export interface KeyWaiters {
  /** A key was stored holding a collection (Redis signals it ready from dbAdd). */
  keyAdded(db: Database, key: string): void;
  /** A collection changed in a way that may serve clients blocked on it (XADD to a stream that exists). */
  signalKeyAsReady(db: Database, key: string): void;
  /**
   * A key was deleted or overwritten (Redis's signalDeletedKeyAsReady):
   * clients that must hear of it (XREADGROUP) run again.
   */
  keyRemoved(db: Database, key: string): void;
  /** SWAPDB traded two databases' contents: keys waited on in either may exist now. */
  swapped(a: Database, b: Database): void;
  /** The database was emptied (FLUSHDB, FLUSHALL): every waited-on key that `existed` was deleted. */
  flushed(db: Database, existed: (key: string) => boolean): void;
}

/**
 * Client-side caching as the keyspace sees it (Redis's tracking table):
 * told of every key a write or an expiry changes, and of every flush.
 * Keys are global to tracking, whatever their database.
 */
export interface KeyTracker {
  keyModified(key: string): void;
  flushed(): void;
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

const NOOP_LISTENER: KeyspaceListener = { expired() {}, notify() {}, propagate() {}, flushedAll() {} };
/** Keys the active cycle looks at per sample, as Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP. */
const SAMPLE = 20;
/**
 * Parts (hash fields) one slice expires in a database at most: Redis's
 * HFE_DB_BASE_ACTIVE_EXPIRE_FIELDS_PER_SEC (10,000) at its default hz of 10.
 */
const PART_QUOTA = 1000;
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
  /** While true, expired keys read as absent but are not deleted (CLIENT PAUSE, and loading). */
  get readOnlyExpiry(): boolean {
    return this.heldExpiry || this.replicaExpiry;
  }

  set readOnlyExpiry(on: boolean) {
    this.heldExpiry = on;
  }

  private heldExpiry = false;
  /** A replica's keys expire only by its master's DEL: until then, one past its deadline reads as absent. */
  replicaExpiry = false;
  /**
   * While true (the dataset loading), no key is expired at all: a replayed
   * command finds a key whose deadline has passed as it found it when it
   * first ran, as Redis's keyIsExpired answers while loading. Keys due are
   * expired once the load is over.
   */
  loadingNoExpiry = false;
  listener: KeyspaceListener = NOOP_LISTENER;
  /**
   * Whether anyone hears 'new' events (notify-keyspace-events with n): only
   * then does storing a value check whether its key is new.
   */
  notifyNew = false;
  /** maxmemory's accounting of key and value sizes; null while no limit is set. */
  sizes: KeySizes | null = null;
  /** The keys' access clocks (a server always keeps them); null in a keyspace used on its own. */
  access: KeyAccess | null = null;
  /** Whether lookups refresh access clocks now: `access` is set and the running command touches keys (not OBJECT, TYPE, TTL…). */
  touching = false;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE and FUNCTION RESTORE take a payload whatever its CRC-64 (Redis's testing aid; the version is still checked). */
  skipDumpChecksum = false;
  /** Set once a client blocks on a key (BLPOP…); null until then. */
  waiters: KeyWaiters | null = null;
  /** Set while any client tracks keys (or the tracking table still holds some); null otherwise. */
  tracker: KeyTracker | null = null;
  stats: KeyspaceStats = { hits: 0, misses: 0, expiredKeys: 0, activeExpired: 0, activeSampled: 0 };
  /**
   * True when the last active-expiry slice ran out of time while still
   * finding many expired keys: the server runs further slices soon.
   */
  expireBacklog = false;
  /** The database the active cycle works on next. */
  private expireDb = 0;
  /** Whether database 0's keys are indexed by hash slot (enableSlotIndex). */
  private slotIndexed = false;
  /** Per database, where the active cycle stopped walking its deadlines. */
  private expireIterators: (Iterator<[string, number]> | null)[];

  constructor(count = 16) {
    this.dbs = [];
    for (let i = 0; i < count; i++) this.dbs.push(new Database(i, this));
    this.expireIterators = new Array(count).fill(null);
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

  /**
   * Makes this a cluster node's keyspace: database 0's keys are indexed by
   * hash slot from now on, those already there included, and through
   * FLUSHDB and FLUSHALL. Called once at start, before data is loaded.
   */
  enableSlotIndex(): void {
    this.slotIndexed = true;
    this.dbs[0].dict.indexSlots();
  }

  /** A cluster node's keyspace (enableSlotIndex): MOVE and COPY … DB refuse, as Redis's do under cluster_enabled. */
  get clusterMode(): boolean {
    return this.slotIndexed;
  }

  /** CLUSTER COUNTKEYSINSLOT: database 0's keys in `slot`, expired ones not yet deleted included, as Redis counts them. */
  countKeysInSlot(slot: number): number {
    return this.dbs[0].dict.bySlot?.count(slot) ?? 0;
  }

  /** CLUSTER GETKEYSINSLOT: up to `count` of database 0's keys in `slot`, the newest first. */
  getKeysInSlot(slot: number, count: number): string[] {
    const dict = this.dbs[0].dict;
    const index = dict.bySlot;
    return index === null ? [] : dict.keysAt(index.newest(slot, count));
  }

  /**
   * Deletes database 0's keys in `slot`, a slot this node no longer serves
   * (Redis's delKeysInSlot): each is a change that breaks WATCH, wakes the
   * clients that must hear of it and propagates as DEL (UNLINK when
   * `lazy`, lazyfree-lazy-server-del); no keyspace event, as Redis tells
   * only modules. Returns how many went.
   */
  deleteKeysInSlot(slot: number, lazy = false): number {
    const db = this.dbs[0];
    const index = db.dict.bySlot;
    if (index === null) return 0;
    let deleted = 0;
    // A removal moves another key into the hole, so the head is read again each time.
    for (let pos = index.first(slot); pos !== -1; pos = index.first(slot)) {
      const key = db.dict.keyAt(pos);
      db.remove(key);
      db.signal(key);
      this.dirty++;
      this.listener.propagate(db, [lazy ? 'UNLINK' : 'DEL', key]);
      deleted++;
    }
    return deleted;
  }

  /** SWAPDB: the Database objects keep their index, their contents trade places. */
  swap(a: number, b: number): void {
    const da = this.dbs[a];
    const db = this.dbs[b];
    da.touchAllWatched(db);
    db.touchAllWatched(da);
    [da.dict, db.dict] = [db.dict, da.dict];
    [da.expires, db.expires] = [db.expires, da.expires];
    [da.partExpires, db.partExpires] = [db.partExpires, da.partExpires];
    [da.partHeap, db.partHeap] = [db.partHeap, da.partHeap];
    [da.guard, db.guard] = [db.guard, da.guard];
    this.expireIterators[a] = this.expireIterators[b] = null;
    // Cluster mode refuses SWAPDB; were contents swapped anyway, the index stays with database 0.
    if (this.slotIndexed && (a === 0) !== (b === 0)) {
      this.dbs[0].dict.indexSlots();
      this.dbs[a === 0 ? b : a].dict.dropSlots();
    }
    this.waiters?.swapped(da, db);
    this.sizes?.swapped(da, db);
    this.access?.swapped(da, db);
  }

  /**
   * Puts `staged`'s databases' contents in place of these (just flushed):
   * the keys of a snapshot loaded aside go in at once, whatever their
   * number. `staged` is not used again.
   */
  adopt(staged: Keyspace): void {
    for (let i = 0; i < this.dbs.length; i++) {
      this.dbs[i].adopt(staged.dbs[i]);
      this.expireIterators[i] = null;
    }
  }

  flushDb(index: number): number {
    const removed = this.emptyDb(index);
    if (this.tracker !== null) this.tracker.flushed();
    return removed;
  }

  flushAll(): number {
    let removed = 0;
    for (let i = 0; i < this.dbs.length; i++) removed += this.emptyDb(i);
    if (this.tracker !== null) this.tracker.flushed();
    return removed;
  }

  private emptyDb(index: number): number {
    this.expireIterators[index] = null;
    return this.dbs[index].flush();
  }

  /**
   * A uniformly random live key of a database, or undefined when it is
   * empty. An expired key it lands on is deleted and another is drawn, as
   * Redis does; while expiry is read-only (loading) the draws are bounded.
   */
  randomKey(index: number): string | undefined {
    const d = this.dbs[index];
    for (let tries = 0; d.size > 0 && (tries < 100 || !this.readOnlyExpiry); tries++) {
      const key = d.dict.randomKey()!;
      if (d.get(key) !== undefined) return key;
    }
    return undefined;
  }

  /**
   * Expires the due parts (hash fields) of one database's values, earliest
   * deadline first, at most PART_QUOTA of them; true when the quota ran out
   * before every due part was reached.
   */
  private expireParts(d: Database): boolean {
    const heap = d.partHeap;
    let quota = PART_QUOTA;
    while (quota > 0 && heap.peekTime() <= this.now) {
      const key = heap.peekItem();
      const when = heap.peekTime();
      heap.pop();
      if (d.partExpires.get(key) !== when) continue;
      // The value records its next deadline itself, which pushes a fresh entry.
      d.partExpires.delete(key);
      if (d.guard !== null) d.guard.before(key);
      const v = d.dict.get(key);
      if (v === undefined || isString(v) || v.expireParts === undefined) continue;
      quota -= v.expireParts(this, d, key, this.now, quota);
    }
    return quota === 0;
  }

  /**
   * One slice of the active expiry cycle, after Redis's: a database at a
   * time, first its due parts (hash fields, as Redis 7.4 does before keys),
   * then sample up to 20 keys that have a deadline (continuing where the
   * previous slice stopped, so every key is reached), delete the expired
   * ones, and stay on that database while more than a tenth of a sample was
   * expired. Stops when every database had its turn or `budgetMs` is spent.
   * Returns the number of keys deleted.
   */
  activeExpireCycle(budgetMs: number): number {
    const start = Date.now();
    this.now = start;
    let deleted = 0;
    let partsLeft = false;
    this.expireBacklog = false;
    for (let turns = 0; turns < this.dbs.length; turns++) {
      const index = this.expireDb;
      const d = this.dbs[index];
      if (d.partHeap.length !== 0 && this.expireParts(d)) partsLeft = true;
      let busy = d.expires.size !== 0;
      if (!busy) this.expireIterators[index] = null;
      while (busy) {
        let it = this.expireIterators[index];
        if (it === null) it = this.expireIterators[index] = d.expires.entries();
        let sampled = 0;
        let expired = 0;
        while (sampled < SAMPLE) {
          const r = it.next();
          if (r.done) {
            this.expireIterators[index] = null;
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
        busy = d.expires.size !== 0 && expired * 10 > sampled;
        if (Date.now() - start >= budgetMs) {
          this.expireBacklog = busy || partsLeft;
          return deleted;
        }
      }
      this.expireDb = (index + 1) % this.dbs.length;
    }
    this.expireBacklog = partsLeft;
    return deleted;
  }

  /** Number of keys with a deadline, over all databases. */
  get expiringKeys(): number {
    let n = 0;
    for (const d of this.dbs) n += d.expires.size;
    return n;
  }
}
