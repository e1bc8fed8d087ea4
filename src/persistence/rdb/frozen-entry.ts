import type { ListValue } from '../../queues/list/list-value.js';
import type { StreamValue } from '../../queues/stream/stream-value.js';
import type { RdbWriter } from '../../codecs/rdb/writer.js';
import { CHUNK_BITS, CHUNK_MASK } from '../../keyspace/compact/dense-index.js';
import type { FrozenChunks } from '../../keyspace/compact/dense-table.js';
import type { HashValue } from '../../store/hash/hash-value.js';
import { isString, type Value } from '../../keyspace/value.js';
import type { SetValue } from '../../store/set/set-value.js';
import { stringText } from '../../store/string/string-access.js';
import type { TreeZset } from '../../store/zset/tree-zset.js';
import type { ZSetValue } from '../../store/zset/zset-value.js';
import { hashPieces, listPieces, setPieces, streamEntryPieces, writeValue, zsetPieces, type WriteTarget } from './encode-value.js';
import { PIECE } from './pieces.js';

/** A value kept as it was for a background save, written out later. */
export interface FrozenEntry {
  /** The type byte, the key and the value as it was frozen, a piece per step (pieces.ts), in encodings `target` reads. */
  pieces(w: RdbWriter, listFill: number, key: string, target: WriteTarget): Iterator<void>;
}

/** Encodings whose RDB form costs about as little to write as to copy: they are written at once. */
const COMPACT = new Set(['listpack', 'listpackex', 'intset']);

/**
 * What a background save keeps of a value it writes later (a client is
 * about to change it) or over several slices (it is big): null when
 * writing it at once costs about what keeping it would (strings, compact
 * encodings, collections of at most PIECE elements, streams of two nodes
 * and few pending entries), else a frozen view
 * that costs little whatever the size: a list's chunks, a set's or a
 * hash's table chunks and a stream's blocks shared copy-on-write, a sorted
 * set's tree frozen. Each view is written in the encoding and the order
 * of the value it was taken from, so its bytes are those SAVE would write
 * at that moment.
 */
export function freeze(v: Value): FrozenEntry | null {
  if (isString(v) || COMPACT.has(v.encoding())) return null;
  switch (v.type) {
    case 'list': {
      if ((v as ListValue).length <= PIECE) return null;
      const frozen = (v as ListValue).snapshot();
      return { pieces: (w, fill, key) => listPieces(w, frozen, fill, key) };
    }
    case 'stream': {
      const s = v as StreamValue;
      if (s.blocks.length <= 2 && pending(s) <= PIECE) return null;
      const frozen = s.clone();
      return { pieces: (w, _fill, key, target) => streamEntryPieces(w, frozen, key, target) };
    }
    case 'set': {
      const set = v as SetValue;
      const chunks = set.size <= PIECE ? null : set.frozenMembers();
      if (chunks === null) return null;
      const members = { size: set.size, at: (i: number) => slotAt(chunks, 1, i) as string };
      return { pieces: (w, _fill, key) => setPieces(w, members, key) };
    }
    case 'zset': {
      const z = v as ZSetValue;
      if (z.packed || z.size <= PIECE) return null;
      const tree = (z.body as TreeZset).freeze();
      return { pieces: (w, _fill, key) => zsetPieces(w, tree, key) };
    }
    case 'hash': {
      const h = v as HashValue;
      const table = h.large;
      if (table === null || table.size <= PIECE) return null;
      if (h.nextDeadline() !== -1) {
        // Each field's deadline is read by its name: a clone, whose tables share their chunks and copy their indexes.
        const copy = h.clone();
        return { pieces: (w, _fill, key, target) => hashPieces(w, copy.large!, copy, key, target) };
      }
      const size = table.size;
      const chunks = table.freeze();
      const pairs = {
        size,
        keyAt: (i: number) => slotAt(chunks, 2, i) as string,
        valueAt: (i: number) => slotAt(chunks, 2, i, 1) as string,
      };
      return { pieces: (w, _fill, key, target) => hashPieces(w, pairs, NO_DEADLINES, key, target) };
    }
  }
}

/**
 * The value kept for a later step whatever its size: while a big value is
 * being written in pieces nothing else may go into the file, so a small
 * one that a write is about to change waits too, as a copy (a string's
 * text; a compact encoding's one string shared, a clone of what is left).
 */
export function keepCopy(v: Value): FrozenEntry {
  const frozen = freeze(v);
  if (frozen !== null) return frozen;
  const copy = isString(v) ? stringText(v) : v.clone();
  return { pieces: (w, fill, key, target) => whole(() => writeValue(w, copy, fill, key, target)) };
}

function* whole(write: () => void): Generator<void, void> {
  write();
}

/** A hash table frozen without field deadlines. */
const NO_DEADLINES = { nextDeadline: () => -1, deadline: () => -1 };

/** The pending entries of a stream's consumer groups. */
function pending(s: StreamValue): number {
  let n = 0;
  if (s.groups !== null) for (const g of s.groups.values()) n += g.pel.size;
  return n;
}

/** Slot `slot` of position `i` of a table's frozen chunks, `stride` slots a position (DenseTable's layout). */
function slotAt(chunks: FrozenChunks, stride: number, i: number, slot = 0): unknown {
  return chunks[i >>> CHUNK_BITS].get((i & CHUNK_MASK) * stride + slot);
}
