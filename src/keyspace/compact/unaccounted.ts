/**
 * Memory outside V8's heap that V8 does not count as the isolate's
 * external memory: a SharedArrayBuffer's, which V8 leaves out of each
 * isolate's accounting since isolates may share it.
 *
 * V8 counts an ArrayBuffer's bytes against the old generation's room
 * until the next mark-compact, so a keyspace growing its own memory
 * outside the heap still set off mark-compacts as if the heap grew: a
 * million keys arriving, with their bytes in ArrayBuffer slabs, made one
 * every 150 ms, 6-7 ms each, with a heap of 25 MB (docs/benchmarks.md).
 * What is kept here mostly lives as long as its table (slabs, index
 * tables, hash chunks), so a collection set off by its growth finds
 * nothing of it to free; what a table let go is freed once the collector
 * finds the table dead, as its strings would have been. Allocating one
 * costs some 20 µs (an ArrayBuffer's about 6): for slabs and tables of
 * kilobytes, not for small arrays.
 */
export function unaccountedBytes(length: number): Buffer {
  return tracked(Buffer.from(new SharedArrayBuffer(length)), length);
}

/** The memory itself, for views of more than one kind over it. */
export function unaccountedArrayBuffer(length: number): SharedArrayBuffer {
  return tracked(new SharedArrayBuffer(length), length);
}

export function unaccountedInt32(length: number): Int32Array {
  return tracked(new Int32Array(new SharedArrayBuffer(length * 4)), length * 4);
}

export function unaccountedFloat64(length: number): Float64Array {
  return tracked(new Float64Array(new SharedArrayBuffer(length * 8)), length * 8);
}

/**
 * Bytes allocated here that the collector has not yet found dead: what
 * used_memory adds to V8's own figures, which leave these out.
 */
export function unaccountedInUse(): number {
  return inUse;
}

let inUse = 0;
const collected = new FinalizationRegistry<number>((bytes) => {
  inUse -= bytes;
});

function tracked<T extends object>(view: T, bytes: number): T {
  inUse += bytes;
  collected.register(view, bytes);
  return view;
}
