import { Deadlines } from './deadlines.js';
import { KeyDeadlines } from './key-deadlines.js';
import { DeadlineHeap } from './deadline-heap.js';
import { discard, KeyTable } from './key-table.js';
import { isString, type Value } from './value.js';
import type { Keyspace } from './keyspace.js';

/**
 * Told before anything reads or changes a key of a database whose contents
 * are being saved in the background (BGSAVE): it keeps the key as it is
 * at that moment, while it still is.
 */
export interface KeyGuard {
  before(key: string): void;
}

/** Anything that wants to know when a watched key changes (a client in WATCH). */
export interface Watcher {
  casDirty: boolean;
}

/**
 * One WATCH of one key by one watcher (Redis's watchedKey). `stale` when
 * the key was there but past its deadline at WATCH time, or a SWAPDB put
 * such a key in its place: the key counts as missing, so its deletion is
 * no change, and it does not count as having expired since.
 */
export interface WatchedKey {
  readonly db: Database;
  readonly key: string;
  readonly watcher: Watcher;
  stale: boolean;
}

/** What storing over an existing key does to its access clock (see Database.write). */
type Replaced = 0 | 1 | 2;
const KEEP = 0;
const TOUCH = 1;
const FRESH = 2;

/**
 * One of the numbered databases: the key→value dictionary, the key→deadline
 * dictionary (ms since epoch) for keys with a TTL, and the WATCH registry.
 * Expired keys are removed lazily on access and by the keyspace's active cycle.
 */
export class Database {
  dict = new KeyTable();
  expires = new KeyDeadlines(this.dict);
  /**
   * Keys whose values have parts that expire on their own (hash fields
   * with a TTL; Redis 7.4's db->hexpires) → the earliest part deadline, or
   * an earlier one: the active cycle finds them through `partHeap`, asks
   * the value, and records what it answers. An entry may outlive its key
   * or its parts' deadlines; the cycle drops it when it comes due.
   */
  partExpires = new Deadlines();
  /** partExpires' deadlines in order; entries that no longer match it are stale. */
  partHeap = new DeadlineHeap<string>();
  /** The watches of each key; null while nobody watches anything here. */
  watched: Map<string, Set<WatchedKey>> | null = null;
  /**
   * Set while a background save has not yet written every key of these
   * contents: every path that changes a key (in place after get, or by
   * set, put, remove, a deadline) tells it first. It follows the contents
   * through SWAPDB and is dropped when FLUSHDB replaces them.
   */
  guard: KeyGuard | null = null;

  constructor(
    public index: number,
    private readonly ks: Keyspace,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** The live value of a key, expiring it first if its deadline has passed. */
  get(key: string): Value | undefined {
    if (this.guard !== null) this.guard.before(key);
    const v = this.dict.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    if (this.ks.touching) this.ks.access!.touch(this);
    return v;
  }

  /**
   * Like get, and counts a keyspace hit or miss for INFO; a miss also
   * raises the 'keymiss' event unless `notifyMiss` is false (OBJECT).
   */
  read(key: string, notifyMiss = true): Value | undefined {
    const v = this.get(key);
    if (v === undefined) {
      this.ks.stats.misses++;
      if (notifyMiss) this.ks.notify(this, 'm', 'keymiss', key);
    } else {
      this.ks.stats.hits++;
    }
    return v;
  }

  /** True when the key exists but its deadline has passed; deletes nothing (KEYS). */
  isExpired(key: string): boolean {
    if (this.expires.size === 0 || this.ks.loadingNoExpiry) return false;
    const when = this.expires.get(key);
    return when !== undefined && when <= this.ks.now;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Stores a value; the key's TTL is dropped unless keepTtl. Creating a key
   * raises the 'new' event (Redis's dbAdd), before the caller's own event.
   * Storing a collection tells the blocking registry, which serves clients
   * blocked on the key once the command is over.
   */
  set(key: string, value: Value, keepTtl = false, touch = false): void {
    if (this.guard !== null) this.guard.before(key);
    if (this.ks.notifyNew && !this.dict.has(key)) this.ks.notify(this, 'n', 'new', key);
    this.write(key, value, touch ? TOUCH : KEEP);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    // modified() less the size hook: write() has counted the new value already.
    this.ks.dirty++;
    this.signal(key);
    if (this.ks.waiters !== null) this.stored(key, value);
  }

  /**
   * Redis's setKey: set, where the key is first looked up to be written
   * (lookupKeyWrite), so a stale key expires and an existing one counts an
   * access (its LRU clock or LFU counter moves); set alone keeps the clock
   * of the value it replaces, as Redis's dbReplaceValue does.
   */
  setKey(key: string, value: Value, keepTtl = false): void {
    if (this.expires.size !== 0) {
      this.get(key);
      this.set(key, value, keepTtl);
    } else {
      this.set(key, value, keepTtl, this.ks.touching);
    }
  }

  /**
   * Stores in the dictionary, and maxmemory's accounting and the access
   * clocks hear of it: a new key's clock starts, a replaced value's is
   * kept, moved by an access or started again, as `replaced` says. Only
   * the accounting needs the value replaced, which the dictionary makes a
   * string of when it kept it as bytes.
   */
  private write(key: string, value: Value, replaced: Replaced): void {
    const sizes = this.ks.sizes;
    let created: boolean;
    if (sizes === null) {
      created = this.dict.store(key, value);
    } else {
      const old = this.dict.set(key, value);
      sizes.stored(this, key, old, value);
      created = old === undefined;
      if (!created && old !== value) discard(old);
    }
    const access = this.ks.access;
    if (access === null) return;
    if (created || replaced === FRESH) access.created(this);
    else if (replaced === TOUCH) access.touch(this);
  }

  /** Tells the blocking registry a key now holds `value`: a collection may serve waiters, a string ends a stream. */
  private stored(key: string, value: Value): void {
    if (isString(value)) this.ks.waiters!.keyRemoved(this, key);
    else this.ks.waiters!.keyAdded(this, key);
  }

  /** Deletes a key if it exists (expired keys count as absent). */
  delete(key: string): boolean {
    if (this.get(key) === undefined) return false;
    this.remove(key);
    this.modified(key);
    return true;
  }

  /**
   * Puts an equivalent form of a key's value in its place (a plain string
   * by its MutableString, as Redis's dbUnshareStringValue): the key keeps
   * its TTL, and nothing counts a change, breaks WATCH or wakes a waiter,
   * since the value reads the same.
   */
  replaceForm(key: string, value: Value): void {
    if (this.guard !== null) this.guard.before(key);
    if (this.ks.sizes === null) this.dict.store(key, value);
    else this.ks.sizes.stored(this, key, this.dict.set(key, value), value);
  }

  /**
   * Stores a value with a deadline (-1: none) without breaking WATCH, for
   * commands that move keys (RENAME, MOVE, COPY) and signal themselves.
   * Like Redis, which deletes the target and adds it anew, the key counts
   * as new even when it replaces one, its access clock started again.
   */
  put(key: string, value: Value, deadline: number): void {
    if (this.guard !== null) this.guard.before(key);
    if (this.ks.notifyNew) this.ks.notify(this, 'n', 'new', key);
    this.write(key, value, FRESH);
    if (this.ks.waiters !== null) this.stored(key, value);
    if (deadline !== -1) this.expires.set(key, deadline);
    else if (this.expires.size !== 0) this.expires.delete(key);
    this.partsExpireAt(key, isString(value) || value.partDeadline === undefined ? -1 : value.partDeadline());
  }

  /**
   * put of a plain string key without a deadline given as bytes (a load's
   * keys: see KeyTable.storeBytes), for a database nothing else watches
   * (unwatched): 1 added, 0 when the key was there already (nothing
   * changes), -1 when the caller is to put it as strings (something would
   * hear of the key, or it does not fit a record). `deferred`: added
   * without looking for it (KeyTable.addDeferred).
   */
  putBytes(kb: Buffer, ko: number, kn: number, vb: Buffer, vo: number, vn: number, deferred = false): number {
    if (!this.unwatched()) return -1;
    const added = this.dict.storeBytes(kb, ko, kn, vb, vo, vn, deferred);
    if (added === 1) this.started();
    return added;
  }

  /**
   * put of a key without a deadline, of a value without part deadlines,
   * into a database nothing else watches (unwatched), without looking for
   * the key (KeyTable.addDeferred: the caller knows it is not there, or
   * asks duplicateFound later); false, nothing done, when it cannot be.
   */
  putDeferred(key: string, value: Value): boolean {
    if (!this.unwatched() || (!isString(value) && value.partDeadline !== undefined && value.partDeadline() !== -1)) return false;
    this.dict.addDeferred(key, value);
    this.started();
    return true;
  }

  /** No guard, notification, waiter, memory accounting or deadline hears of a key added. */
  private unwatched(): boolean {
    const ks = this.ks;
    return this.guard === null && !ks.notifyNew && ks.sizes === null && ks.waiters === null && this.expires.size === 0 && this.partExpires.size === 0;
  }

  /** As write() does for a new key: its clock starts (the dictionary's `found` is where it went). */
  private started(): void {
    if (this.ks.access !== null) this.ks.access.created(this);
  }

  /** Records when the first part of the value at `key` expires (-1: none does). */
  partsExpireAt(key: string, when: number): void {
    if (when === -1) {
      if (this.partExpires.size !== 0) this.partExpires.delete(key);
      return;
    }
    if (this.partExpires.get(key) === when) return;
    this.partExpires.set(key, when);
    const heap = this.partHeap;
    heap.push(when, key);
    if (heap.length > 2 * this.partExpires.size + 64) heap.compact((k, t) => this.partExpires.get(k) === t);
  }

  /**
   * Removes without breaking WATCH or counting a change: for callers that
   * do so themselves. The value is gone for good (TypedValue.discard).
   */
  remove(key: string): void {
    if (this.guard !== null) this.guard.before(key);
    const sizes = this.ks.sizes;
    if (sizes === null) this.dict.delete(key);
    else {
      const old = this.dict.take(key);
      if (old !== undefined) {
        sizes.removed(this, key, old);
        discard(old);
      }
    }
    this.forget(key);
  }

  /** remove() for a value that lives on under another key or in another database (RENAME, MOVE). */
  detach(key: string): void {
    if (this.guard !== null) this.guard.before(key);
    const old = this.dict.take(key);
    if (old !== undefined) this.ks.sizes?.removed(this, key, old);
    this.forget(key);
  }

  /** A removed key's deadlines, and clients blocked on it, are forgotten. */
  private forget(key: string): void {
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.partExpires.size !== 0) this.partExpires.delete(key);
    if (this.ks.waiters !== null) this.ks.waiters.keyRemoved(this, key);
  }

  /** The deadline in ms, or -1 when the key has none. Assumes the key exists. */
  deadline(key: string): number {
    return this.expires.size === 0 ? -1 : this.expires.get(key) ?? -1;
  }

  setDeadline(key: string, when: number): void {
    if (this.guard !== null) this.guard.before(key);
    this.expires.set(key, when);
    this.modified(key);
  }

  /** Drops a key's deadline; true if it had one. */
  persist(key: string): boolean {
    if (this.guard !== null) this.guard.before(key);
    if (this.expires.size === 0 || !this.expires.delete(key)) return false;
    this.modified(key);
    return true;
  }

  /**
   * Records that a key's value changed in place: breaks WATCH and counts a
   * change. Every write path ends here (Redis's signalModifiedKey + dirty++).
   */
  modified(key: string): void {
    this.ks.dirty++;
    if (this.ks.sizes !== null) this.ks.sizes.changed(this, key);
    this.signal(key);
  }

  /**
   * Breaks WATCH on a key and invalidates it for client-side caching,
   * without counting a change (expiry is not a client's write).
   */
  signal(key: string): void {
    const watched = this.watched;
    if (watched !== null) {
      const set = watched.get(key);
      if (set !== undefined) {
        for (const w of set) {
          if (w.stale) {
            // The stale key was deleted (its expiry, or a write that expired it first): logically no change.
            if (!this.dict.has(key)) w.stale = false;
            continue;
          }
          w.watcher.casDirty = true;
        }
      }
    }
    const tracker = this.ks.tracker;
    if (tracker !== null) tracker.keyModified(key);
  }

  /** True (and the key gone) when the key's deadline has passed. */
  expireIfNeeded(key: string): boolean {
    const when = this.expires.get(key);
    if (when === undefined || when > this.ks.now || this.ks.loadingNoExpiry) return false;
    if (this.ks.readOnlyExpiry) return true;
    this.expireNow(key);
    return true;
  }

  /** Deletes an expired key and tells the keyspace's listener. */
  expireNow(key: string): void {
    this.remove(key);
    this.signal(key);
    this.ks.stats.expiredKeys++;
    this.ks.listener.expired(this, key);
  }

  /** Empties the database, breaking WATCH on every watched key that existed. Call through Keyspace.flushDb. */
  flush(): number {
    const removed = this.dict.size;
    this.touchAllWatched(null);
    // The save goes on writing the old contents, which nothing changes any more.
    this.guard = null;
    const old = this.dict;
    if (this.ks.waiters !== null) this.ks.waiters.flushed(this, (key) => old.has(key));
    this.ks.sizes?.flushed(this);
    // A cursor from before the flush counts more positions than are left, so it walks every key made after it.
    this.dict = new KeyTable();
    if (old.bySlot !== null) this.dict.indexSlots();
    this.ks.access?.flushed(this);
    this.expires = new KeyDeadlines(this.dict);
    this.partExpires = new Deadlines();
    this.partHeap = new DeadlineHeap();
    this.ks.dirty += removed;
    return removed;
  }

  /**
   * Takes `from`'s contents (a database of a keyspace loaded aside: a
   * replica's snapshot parsed as it arrived) in place of this one's, which
   * was just flushed: its keys start with fresh clocks and are counted for
   * maxmemory, as keys loaded one by one would be.
   */
  adopt(from: Database): void {
    const slots = this.dict.bySlot !== null;
    this.dict = from.dict;
    this.expires = from.expires;
    this.partExpires = from.partExpires;
    this.partHeap = from.partHeap;
    this.guard = null;
    if (slots) this.dict.indexSlots();
    this.ks.access?.flushed(this);
    const sizes = this.ks.sizes;
    if (sizes !== null) for (const [key, value] of this.dict.entries()) sizes.stored(this, key, undefined, value);
  }

  /**
   * Redis's touchAllWatchedKeysInDb, before this database is emptied
   * (FLUSHDB, FLUSHALL: `other` null) or its contents replaced with
   * `other`'s (SWAPDB): the watchers of keys here or there are marked
   * dirty, except where a key missing or stale stays logically missing.
   */
  touchAllWatched(other: Database | null): void {
    if (this.watched === null) return;
    for (const [key, set] of this.watched) {
      const here = this.dict.has(key);
      const there = other !== null && other.dict.has(key);
      if (!here && !there) continue;
      for (const w of set) {
        if (w.stale) {
          if (!there) {
            w.stale = false;
            continue;
          }
          if (other!.isExpired(key)) continue;
        } else if (!here && other!.isExpired(key)) {
          w.stale = true;
          continue;
        }
        w.watcher.casDirty = true;
      }
    }
  }

  /** Starts a watch of `key` here (WATCH): stale when the key is here but past its deadline, which WATCH does not delete. */
  watch(key: string, watcher: Watcher): WatchedKey {
    const w: WatchedKey = { db: this, key, watcher, stale: this.isExpired(key) };
    if (this.watched === null) this.watched = new Map();
    let set = this.watched.get(key);
    if (set === undefined) this.watched.set(key, (set = new Set()));
    set.add(w);
    return w;
  }

  unwatch(w: WatchedKey): void {
    const key = w.key;
    const set = this.watched?.get(key);
    if (set === undefined) return;
    set.delete(w);
    if (set.size === 0) {
      this.watched!.delete(key);
      if (this.watched!.size === 0) this.watched = null;
    }
  }
}
