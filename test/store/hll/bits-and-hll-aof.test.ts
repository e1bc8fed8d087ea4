import { describe, expect, test } from 'vitest';
import { dumpAll, rewriteDone } from '../../helpers/aof.js';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient } from '../../helpers/resp-client.js';

const { tmp, start, stop } = perTest();

/** Bit and HLL writes of every kind, including PFCOUNT's cache refresh and PFDEBUG's conversion, which propagate. */
async function writeAll(c: RespClient): Promise<void> {
  await c.call('SETBIT', 'b', '100', '1');
  await c.call('SETBIT', 'b', '100000', '1');
  await c.call('BITFIELD', 'bf', 'SET', 'i16', '#3', '-1234', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '0', '99');
  await c.call('SET', 'src', 'foobar');
  await c.call('BITOP', 'NOT', 'inv', 'src');
  await c.call('PFADD', 'h', ...Array.from({ length: 500 }, (_, i) => `e${i}`));
  await c.call('PFCOUNT', 'h');
  await c.call('PFADD', 'h2', 'a', 'b');
  await c.call('PFDEBUG', 'TODENSE', 'h2');
  await c.call('PFMERGE', 'm', 'h', 'h2');
}

describe('bitmaps and HLLs in the AOF', () => {
  test('replaying the AOF rebuilds the same bytes', async () => {
    const dir = tmp();
    const first = await start(dir);
    await writeAll(first.c);
    const before = await dumpAll(first.c);
    await stop(first);
    const { c } = await start(dir);
    expect(await dumpAll(c)).toEqual(before);
    expect(await c.call('PFDEBUG', 'ENCODING', 'h2')).toEqual({ t: 'simple', v: 'dense' });
  });

  test('a rewritten AOF holds the same bytes', async () => {
    const dir = tmp();
    const first = await start(dir);
    await writeAll(first.c);
    await first.c.call('BGREWRITEAOF');
    await rewriteDone(first.c);
    await first.c.call('PFADD', 'h', 'after-rewrite');
    const before = await dumpAll(first.c);
    await stop(first);
    const { c } = await start(dir);
    expect(await dumpAll(c)).toEqual(before);
  });
});
