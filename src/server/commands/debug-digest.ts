import { createHash } from 'node:crypto';
import { ListValue } from '../../queues/list/list-value.js';
import { StreamValue } from '../../queues/stream/stream-value.js';
import { shortestDouble } from '../../protocol/double.js';
import { HashValue } from '../../store/hash/hash-value.js';
import type { Database } from '../../keyspace/database.js';
import { MutableString } from '../../keyspace/mutable-string.js';
import { typeOf, type Value } from '../../keyspace/value.js';
import { stringText } from '../../store/string/string-access.js';
import { SetValue } from '../../store/set/set-value.js';
import { ZSetValue } from '../../store/zset/zset-value.js';

/*
 * DEBUG DIGEST and DIGEST-VALUE, computed as Redis 7.2 computes them, so
 * that a dataset has the same digest in Sluice and in Redis. Order matters
 * where the type has one (a list's elements, a stream's entries): those are
 * mixed in, digest = SHA1(digest xor SHA1(data)); where it has none (a set's
 * members, a hash's pairs, the keys of a database) the parts' digests are
 * xored together.
 */

/** Redis's object type numbers (OBJ_STRING …), the first thing mixed into a value's digest. */
const TYPE_CODES = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 } as const;

const DIGEST_BYTES = 20;

function sha1(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? createHash('sha1').update(data, 'latin1').digest() : createHash('sha1').update(data).digest();
}

function xorDigest(digest: Buffer, data: string | Uint8Array): void {
  const h = sha1(data);
  for (let i = 0; i < DIGEST_BYTES; i++) digest[i] ^= h[i];
}

function mixDigest(digest: Buffer, data: string | Uint8Array): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

function bigEndian32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The digest of one (member, score) or (field, value) pair, xored into `digest`. */
function xorPair(digest: Buffer, a: string, b: string): void {
  const pair = Buffer.alloc(DIGEST_BYTES);
  mixDigest(pair, a);
  mixDigest(pair, b);
  xorDigest(digest, pair);
}

/** Redis's xorObjectDigest: the value's type and contents, and whether the key has a TTL, added to `digest`. */
function mixValueDigest(digest: Buffer, db: Database, key: string, v: Value): void {
  mixDigest(digest, bigEndian32(TYPE_CODES[typeOf(v)]));
  if (typeof v !== 'object') {
    mixDigest(digest, stringText(v));
  } else if (v instanceof MutableString) {
    // Its bytes are hashed where they are: such a value may be longer than V8's longest string.
    mixDigest(digest, v.view());
  } else if (v instanceof ListValue) {
    v.each((e) => mixDigest(digest, e));
  } else if (v instanceof SetValue) {
    v.each((m) => {
      xorDigest(digest, m);
    });
  } else if (v instanceof ZSetValue) {
    v.forRange(0, v.size, false, (m, s) => xorPair(digest, m, shortestDouble(s)));
  } else if (v instanceof HashValue) {
    v.forEach((f, value) => xorPair(digest, f, value));
  } else if (v instanceof StreamValue) {
    for (const entry of v.range()) {
      mixDigest(digest, `${entry.id.ms}.${entry.id.seq}`);
      for (const part of entry.reader.pairs()) mixDigest(digest, part);
    }
  }
  if (db.deadline(key) !== -1) xorDigest(digest, '!!expire!!');
}

/** DEBUG DIGEST-VALUE's answer for one key: zeros for a key that does not exist. */
export function valueDigest(db: Database, key: string): string {
  const digest = Buffer.alloc(DIGEST_BYTES);
  const v = db.dict.get(key);
  if (v !== undefined) mixValueDigest(digest, db, key, v);
  return digest.toString('hex');
}

/**
 * Redis's computeDatasetDigest: per non-empty database its number mixed in,
 * then each key's digest (its name mixed with its value's) xored in. Keys
 * past their deadline but not yet deleted count, as in Redis.
 */
export function datasetDigest(dbs: readonly Database[]): string {
  const final = Buffer.alloc(DIGEST_BYTES);
  const digest = Buffer.alloc(DIGEST_BYTES);
  dbs.forEach((db, id) => {
    if (db.dict.size === 0) return;
    mixDigest(final, bigEndian32(id));
    for (const [key, v] of db.dict.entries()) {
      digest.fill(0);
      mixDigest(digest, key);
      mixValueDigest(digest, db, key, v);
      xorDigest(final, digest);
    }
  });
  return final.toString('hex');
}
