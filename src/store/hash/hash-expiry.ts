import type { Database } from '../../keyspace/database.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import type { HashValue } from './hash-value.js';

/**
 * What expiring hash fields means, the same on access (lazy) and from the
 * active cycle, as Redis 7.4 does it: each field removed is propagated as
 * `HDEL key field`, the hash raises `hexpired`, and a hash left empty is
 * deleted (raising `del`). WATCH breaks; no change is counted. While the
 * dataset loads nothing is removed: an expired field only reads as absent.
 */

/**
 * How a field read on access turned out: there and not past its deadline;
 * missing; expired (gone now or, while loading, reading as gone); or
 * expired as the last field, the key gone too.
 */
export type FieldState = 'live' | 'missing' | 'expired' | 'emptied';

/**
 * Redis's hashTypeGetValue with lazy expiry: a field whose deadline has
 * passed (strictly: one due exactly now still reads) is removed first.
 * With `notify` false the caller raises the events itself (HMGET raises
 * one `hexpired` for all its fields).
 */
export function touchField(ks: Keyspace, db: Database, key: string, hash: HashValue, field: string, notify = true): FieldState {
  if (!hash.hasDeadlines()) return hash.has(field) ? 'live' : 'missing';
  const d = hash.deadline(field);
  if (d === -2) return 'missing';
  if (d === -1 || d >= ks.now) return 'live';
  if (ks.readOnlyExpiry) return 'expired';
  hash.delete(field);
  ks.listener.propagate(db, ['HDEL', key, field]);
  if (notify) ks.notify(db, 'h', 'hexpired', key);
  let state: FieldState = 'expired';
  if (hash.size === 0) {
    if (notify) ks.notify(db, 'g', 'del', key);
    db.remove(key);
    state = 'emptied';
  }
  db.signal(key);
  return state;
}

/**
 * Removes the fields due at `now` (deadline at or before it), at most
 * `budget`, earliest first: the active cycle's work on one hash (Redis's
 * hashTypeExpire), and HRANDFIELD's before it draws. Records the hash's
 * next deadline in the database's index. Returns how many went.
 */
export function expireDueFields(ks: Keyspace, db: Database, key: string, hash: HashValue, now: number, budget: number): number {
  const fields = hash.takeDue(now, budget);
  for (const f of fields) {
    hash.delete(f);
    ks.listener.propagate(db, ['HDEL', key, f]);
  }
  if (fields.length !== 0) {
    ks.notify(db, 'h', 'hexpired', key);
    if (hash.size === 0) {
      db.remove(key);
      ks.notify(db, 'g', 'del', key);
    }
    db.signal(key);
  }
  if (hash.size !== 0) db.partsExpireAt(key, hash.nextDeadline());
  return fields.length;
}
