/** Entries per Set: V8 caps a Set at 2^24 entries. */
const PART = 1 << 23;

/** A set of keys that, like the keyspace's BigMap, does not stop at V8's 2^24 entries. */
export class KeySet {
  private parts: Set<string>[] = [new Set()];

  has(key: string): boolean {
    const parts = this.parts;
    if (parts[0].has(key)) return true;
    for (let i = 1; i < parts.length; i++) if (parts[i].has(key)) return true;
    return false;
  }

  add(key: string): void {
    const first = this.parts[0];
    if (this.parts.length === 1 && first.size < PART) {
      first.add(key);
      return;
    }
    if (this.has(key)) return;
    let last = this.parts[this.parts.length - 1];
    if (last.size >= PART) this.parts.push((last = new Set()));
    last.add(key);
  }
}
