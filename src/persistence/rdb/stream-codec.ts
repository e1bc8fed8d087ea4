import { Block, EntryReader } from '../../queues/stream/block.js';
import { Consumer, Group, sortedGroups } from '../../queues/stream/group.js';
import { compareIds, idKey, norm64, u64, type StreamId, type U64 } from '../../queues/stream/id.js';
import { entriesReadEstimate } from '../../queues/stream/lag.js';
import type { Nack } from '../../queues/stream/pending.js';
import { StreamValue } from '../../queues/stream/stream-value.js';
import { entryText, ListpackBuilder, readListpack, type ListpackEntry } from './listpack.js';
import type { RdbReader } from '../../codecs/rdb/reader.js';
import type { RdbWriter } from '../../codecs/rdb/writer.js';
import { TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3 } from './format.js';
import { PIECE } from './pieces.js';

/**
 * Streams in RDB (RDB_TYPE_STREAM_LISTPACKS 1 to 3): each node as its
 * master ID (16 bytes, big-endian) and a listpack laid out as t_stream.c
 * lays it out (live and deleted counts, the master fields, a 0, then per
 * entry its flags, ID deltas from the master, the values or the fields and
 * values, and a count of the entry's listpack elements), then the stream's
 * header and its consumer groups with their pending entries and consumers.
 * A Sluice block is such a node entry for entry, so nodes keep their
 * boundaries both ways.
 */

/** The stream ID flags of t_stream.c, the same bits Sluice's blocks use. */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;

/**
 * A stream's body, a pause (see pieces.ts) after each node and every PIECE
 * pending entries or consumers' claims. Without `activeTimes`
 * (RDB_TYPE_STREAM_LISTPACKS_2, Redis 7.0's) a consumer has its seen time
 * only: 7.0's consumers have no other, and 7.2 takes the seen time for the
 * active time when it loads that type.
 */
export function* streamPieces(w: RdbWriter, s: StreamValue, activeTimes: boolean): Generator<void, void> {
  w.length(s.blocks.length);
  for (const block of s.blocks) {
    w.blob(Buffer.from(idKey(block.masterId), 'latin1'));
    w.blob(nodeListpack(block));
    yield;
  }
  w.length(s.length);
  writeId(w, s.lastId);
  writeId(w, s.firstId);
  writeId(w, s.maxDeletedId);
  w.length(unsigned(s.entriesAdded));
  const groups = sortedGroups(s.groups);
  w.length(groups.length);
  let n = 0;
  for (const g of groups) {
    w.string(g.name);
    writeId(w, g.lastId);
    w.length(unsigned(g.entriesRead));
    w.length(g.pel.size);
    for (const nack of g.pel) {
      w.raw(Buffer.from(idKey(nack.id), 'latin1'));
      w.msTime(nack.deliveryTime);
      w.length(unsigned(nack.deliveryCount));
      if (++n % PIECE === 0) yield;
    }
    const consumers = g.sortedConsumers();
    w.length(consumers.length);
    for (const c of consumers) {
      w.string(c.name);
      w.msTime(c.seenTime);
      if (activeTimes) w.msTime(c.activeTime);
      w.length(c.pel.size);
      for (const nack of c.pel) {
        w.raw(Buffer.from(idKey(nack.id), 'latin1'));
        if (++n % PIECE === 0) yield;
      }
    }
  }
}

function writeId(w: RdbWriter, id: StreamId): void {
  w.length(id.ms);
  w.length(id.seq);
}

/** A signed 64-bit counter as rdbSaveLen writes it (two's complement). */
function unsigned(n: U64): number | bigint {
  return typeof n === 'number' && n >= 0 ? n : BigInt.asUintN(64, BigInt(n));
}

function nodeListpack(block: Block): Buffer {
  const lp = new ListpackBuilder();
  lp.addInt(block.live).addInt(block.deleted).addInt(block.fields.length);
  for (const f of block.fields) lp.add(f);
  lp.addInt(0);
  const reader = new EntryReader(block);
  for (let pos = 0; pos < block.data.length; pos = reader.next) {
    reader.at(pos);
    const same = (reader.flags & FLAG_SAMEFIELDS) !== 0;
    lp.addInt(reader.flags & (FLAG_DELETED | FLAG_SAMEFIELDS));
    lp.addInt(delta(reader.ms, block.ms));
    lp.addInt(delta(reader.seq, block.seq));
    const pairs = reader.pairs();
    const n = pairs.length >> 1;
    if (same) {
      for (let i = 1; i < pairs.length; i += 2) lp.add(pairs[i]);
      lp.addInt(n + 3);
    } else {
      lp.addInt(n);
      for (const x of pairs) lp.add(x);
      lp.addInt(2 * n + 4);
    }
  }
  return lp.finish();
}

/** An ID part minus the master's, as the int64 Redis stores. */
function delta(v: U64, base: U64): number | bigint {
  if (typeof v === 'number' && typeof base === 'number') return v - base;
  return BigInt.asIntN(64, BigInt(v) - BigInt(base));
}

export function readStream(r: RdbReader, type: number): StreamValue {
  const s = new StreamValue();
  const nodes = r.count(2);
  let prev: StreamId | null = null;
  let live = 0;
  for (let i = 0; i < nodes; i++) {
    const keyAt = r.pos;
    const key = r.stringBytes();
    if (key.length !== 16) r.fail('stream node key is not the size of a stream ID', keyAt);
    const master = idFromBytes(key);
    const lpAt = r.pos;
    const lp = r.stringBytes();
    const block = readNode(r, readListpack(lp, lpAt), master, s.epoch, lpAt);
    const first = new EntryReader(block).at(0).id;
    if (prev !== null && compareIds(first, prev) <= 0) r.fail('stream entries out of order', lpAt);
    prev = new EntryReader(block).at(block.lastPos).id;
    live += block.live;
    s.blocks.push(block);
  }
  const metaAt = r.pos;
  s.length = Number(r.lengthU64());
  s.lastId = readId(r);
  if (type >= TYPE_STREAM_LISTPACKS_2) {
    s.firstId = readId(r);
    s.maxDeletedId = readId(r);
    s.entriesAdded = signed(r.lengthU64());
  } else {
    s.entriesAdded = s.length;
    s.refreshFirstId();
  }
  if (s.length !== live) r.fail('stream length does not match its entries', metaAt);
  if (prev !== null && compareIds(prev, s.lastId) > 0) r.fail('stream entry after the last ID', metaAt);
  const groups = r.count(3);
  for (let i = 0; i < groups; i++) readGroup(r, s, type);
  return s;
}

function readGroup(r: RdbReader, s: StreamValue, type: number): void {
  const at = r.pos;
  const name = r.string();
  const lastId = readId(r);
  const entriesRead = type >= TYPE_STREAM_LISTPACKS_2 ? signed(r.lengthU64()) : entriesReadEstimate(s, lastId);
  s.groups ??= new Map();
  if (s.groups.has(name)) r.fail(`duplicated consumer group name ${name}`, at);
  const g = new Group(name, lastId, entriesRead);
  s.groups.set(name, g);
  const pending = r.count(16 + 8 + 1);
  for (let i = 0; i < pending; i++) {
    const idAt = r.pos;
    const id = idFromBytes(r.bytes(16));
    const last = g.pel.last();
    if (last !== undefined && compareIds(last.id, id) >= 0) r.fail('duplicated or unordered PEL entry', idAt);
    const deliveryTime = r.msTime();
    const deliveryCount = u64(BigInt(r.lengthU64()));
    g.pel.push({ id, deliveryTime, deliveryCount, consumer: null });
  }
  const consumers = r.count(1 + 8 + 1);
  for (let i = 0; i < consumers; i++) {
    const cAt = r.pos;
    const cname = r.string();
    if (g.consumers.has(cname)) r.fail('duplicate stream consumer', cAt);
    const c = new Consumer(cname, r.msTime());
    c.activeTime = type >= TYPE_STREAM_LISTPACKS_3 ? r.msTime() : c.seenTime;
    g.consumers.set(cname, c);
    const owned = r.count(16);
    for (let j = 0; j < owned; j++) {
      const idAt = r.pos;
      const id = idFromBytes(r.bytes(16));
      const nack: Nack | undefined = g.pel.get(id);
      if (nack === undefined) r.fail('consumer entry not found in the group PEL', idAt);
      if (nack.consumer !== null) r.fail('PEL entry owned twice', idAt);
      const last = c.pel.last();
      if (last !== undefined && compareIds(last.id, id) >= 0) r.fail('unordered consumer PEL', idAt);
      nack.consumer = c;
      c.pel.push(nack);
    }
  }
  for (const n of g.pel) {
    if (n.consumer === null) r.fail('stream group PEL entry without consumer', at);
  }
}

/** One node's listpack made into a block, checked as streamValidateListpackIntegrity checks it. */
function readNode(r: RdbReader, lp: ListpackEntry[], master: StreamId, epoch: number, at: number): Block {
  let i = 0;
  const int = (): number | bigint => {
    const e = lp[i++];
    if (e === undefined || typeof e === 'string') r.fail('stream listpack: integer expected', at);
    return e;
  };
  const small = (): number => {
    const v = int();
    if (typeof v !== 'number' || v < 0) r.fail('stream listpack: bad count', at);
    return v;
  };
  const text = (): string => {
    if (i >= lp.length) r.fail('stream listpack: entry missing', at);
    return entryText(lp[i++]);
  };
  const count = small();
  const deleted = small();
  const nfields = small();
  if (nfields > lp.length) r.fail('stream listpack: bad field count', at);
  const fields: string[] = [];
  for (let k = 0; k < nfields; k++) fields.push(text());
  if (int() !== 0) r.fail('stream listpack: master entry not terminated', at);
  if (count === 0) r.fail('stream node without live entries', at);
  const block = new Block(master.ms, master.seq, fields, epoch);
  let seenDeleted = 0;
  let prev: StreamId | null = null;
  while (i < lp.length) {
    const flags = small();
    const id = { ms: addDelta(master.ms, int()), seq: addDelta(master.seq, int()) };
    if (prev !== null && compareIds(id, prev) <= 0) r.fail('stream entries out of order', at);
    prev = id;
    const pairs: string[] = [];
    let n: number;
    if (flags & FLAG_SAMEFIELDS) {
      n = nfields;
      for (const f of fields) pairs.push(f, text());
    } else {
      n = small();
      if (2 * n > lp.length - i) r.fail('stream listpack: bad field count', at);
      for (let k = 0; k < 2 * n; k++) pairs.push(text());
    }
    const lpCount = int();
    if (lpCount !== (flags & FLAG_SAMEFIELDS ? n + 3 : 2 * n + 4)) r.fail('stream listpack: bad entry count', at);
    block.append(id, pairs);
    if (flags & FLAG_DELETED) {
      block.markDeleted(block.lastPos);
      seenDeleted++;
    }
  }
  if (block.live !== count || seenDeleted !== deleted) r.fail('stream listpack: counts do not match its entries', at);
  return block;
}

function addDelta(base: U64, d: number | bigint): U64 {
  if (typeof base === 'number' && typeof d === 'number') {
    const v = base + d;
    if (v >= 0 && Number.isSafeInteger(v)) return v;
  }
  return u64(BigInt.asUintN(64, BigInt(base) + BigInt(d)));
}

function readId(r: RdbReader): StreamId {
  const ms = r.lengthU64();
  const seq = r.lengthU64();
  return { ms: typeof ms === 'bigint' ? u64(ms) : ms, seq: typeof seq === 'bigint' ? u64(seq) : seq };
}

function idFromBytes(b: Buffer): StreamId {
  return { ms: u64(b.readBigUInt64BE(0)), seq: u64(b.readBigUInt64BE(8)) };
}

/** A 64-bit length read back as the signed counter Redis stores in it. */
function signed(n: number | bigint): U64 {
  return typeof n === 'number' ? n : norm64(n);
}

