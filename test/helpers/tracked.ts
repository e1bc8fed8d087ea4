/** A promise that remembers whether it has settled: a test asks whether a reply came yet without waiting for it. */
export function tracked<T>(p: Promise<T>): { promise: Promise<T>; arrived: () => boolean } {
  let done = false;
  const promise = p.then((r) => {
    done = true;
    return r;
  });
  return { promise, arrived: () => done };
}
