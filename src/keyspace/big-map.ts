/**
 * A Map that does not stop at V8's 2^24-entry limit: entries spill into
 * further Maps once one is full. Below the spill size it costs one Map
 * lookup, like a plain Map. Iteration order is insertion order per part.
 */
export class BigMap<K, V> {
  private parts: Map<K, V>[] = [new Map()];
  private count = 0;

  constructor(private readonly partLimit = 1 << 23) {}

  get size(): number {
    return this.count;
  }

  get(key: K): V | undefined {
    const parts = this.parts;
    const v = parts[0].get(key);
    if (v !== undefined || parts.length === 1) return v;
    for (let i = 1; i < parts.length; i++) {
      const w = parts[i].get(key);
      if (w !== undefined) return w;
    }
    return undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Values must not be undefined. */
  set(key: K, value: V): void {
    const parts = this.parts;
    if (parts.length === 1) {
      const m = parts[0];
      const before = m.size;
      if (before < this.partLimit || m.has(key)) {
        m.set(key, value);
        if (m.size !== before) this.count++;
        return;
      }
    }
    for (const m of parts) {
      if (m.has(key)) {
        m.set(key, value);
        return;
      }
    }
    let target = parts.find((m) => m.size < this.partLimit);
    if (target === undefined) {
      target = new Map();
      parts.push(target);
    }
    target.set(key, value);
    this.count++;
  }

  delete(key: K): boolean {
    for (const m of this.parts) {
      if (m.delete(key)) {
        this.count--;
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.parts = [new Map()];
    this.count = 0;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const m of this.parts) yield* m.entries();
  }

  *keys(): IterableIterator<K> {
    for (const m of this.parts) yield* m.keys();
  }
}
