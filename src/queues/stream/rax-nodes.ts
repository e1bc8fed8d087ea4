/** Length of a stream ID as a radix-tree key. */
const KEY_LENGTH = 16;

/**
 * The node count of Redis's radix tree holding these keys (XINFO STREAM's
 * radix-tree-nodes): each key is 16 bytes, none a prefix of another. A
 * shared run of bytes is one (compressed) node, a fork is one node with a
 * child per distinct byte, and each key ends in an empty leaf; an empty
 * tree is its root alone. `keys` must be sorted.
 */
export function radixTreeNodes(keys: readonly string[]): number {
  if (keys.length === 0) return 1;
  return subtree(keys, 0, keys.length, 0);
}

function subtree(keys: readonly string[], lo: number, hi: number, depth: number): number {
  if (hi - lo === 1) return depth === KEY_LENGTH ? 1 : 2;
  const first = keys[lo];
  const last = keys[hi - 1];
  let p = depth;
  while (first.charCodeAt(p) === last.charCodeAt(p)) p++;
  if (p > depth) return 1 + subtree(keys, lo, hi, p);
  let n = 1;
  let start = lo;
  for (let i = lo + 1; i <= hi; i++) {
    if (i === hi || keys[i].charCodeAt(depth) !== keys[start].charCodeAt(depth)) {
      n += subtree(keys, start, i, depth + 1);
      start = i;
    }
  }
  return n;
}
