import { describe, expect, test } from 'vitest';
import type { RunningServer } from '../../../src/index.js';
import { aofCommands, readAof, rewriteDone } from '../../helpers/aof.js';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient, Resp } from '../../helpers/resp-client.js';

const t = perTest();

function start(dir: string): Promise<{ s: RunningServer; c: RespClient }> {
  // appendfsync always: under everysec a write waits behind a running background fsync (as Redis's does), so the file may lag the replies.
  // A base of commands, which these tests read.
  return t.start(dir, { 'auto-aof-rewrite-percentage': '0', appendfsync: 'always', 'aof-use-rdb-preamble': 'no' });
}

function strings(r: Resp): string[] {
  if ((r.t !== 'array' && r.t !== 'set') || r.v === null) throw new Error(`not an array: ${JSON.stringify(r)}`);
  return r.v.map((x) => (x as { v: string }).v);
}

/** Every set key of database 0 with its members, sorted. */
async function sets(c: RespClient): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const key of strings(await c.call('KEYS', '*')).sort()) out[key] = strings(await c.call('SMEMBERS', key)).sort();
  return out;
}

const range = (prefix: string, from: number, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);

/** The commands of the open incremental file. */
function incrCommands(dir: string): string[][] {
  const name = /^file (\S+) seq \d+ type i$/m.exec(readAof(dir, 'appendonly.aof.manifest'))![1];
  return aofCommands(dir, name);
}

describe('sets in the AOF', () => {
  test('SPOP is logged as the SREMs (or DEL) that replay it, and a restart gives back the same sets', async () => {
    const dir = t.tmp();
    const first = await start(dir);
    const c = first.c;
    await c.call('SADD', 'i', ...range('', 0, 100));
    await c.call('SADD', 'l', ...range('m', 0, 50));
    for (let i = 0; i < 3000; i += 500) await c.call('SADD', 'h', ...range('h', i, 500));
    await c.call('SPOP', 'i');
    await c.call('SPOP', 'l', '10');
    await c.call('SPOP', 'h', '2600');
    await c.call('SADD', 'whole', 'a', 'b');
    await c.call('SPOP', 'whole', '5');
    await c.call('SINTERSTORE', 'x', 'i', 'nokey');
    const logged = incrCommands(dir).filter((a) => a[0] !== 'SELECT');
    expect(logged.map((a) => a[0])).toEqual([
      'SADD', 'SADD', 'SADD', 'SADD', 'SADD', 'SADD', 'SADD', 'SADD',
      'SREM', 'SREM', 'MULTI', 'SREM', 'SREM', 'SREM', 'EXEC', 'SADD', 'DEL',
    ]);
    const before = await sets(c);
    expect(before.h.length).toBe(400);
    await t.stop(first);
    const again = await start(dir);
    expect(await sets(again.c)).toEqual(before);
  });

  test('a rewrite writes each set as SADDs of at most 64 members, as it was when the rewrite took it, while clients go on writing', async () => {
    const dir = t.tmp();
    const first = await start(dir);
    const c = first.c;
    for (let i = 0; i < 30000; i += 1000) await c.call('SADD', 'big', ...range('m', i, 1000));
    await c.call('SADD', 'i', '3', '1', '2');
    await c.call('SADD', 'l', 'a', 'b');
    await c.call('BGREWRITEAOF');
    const writes: Promise<Resp>[] = [];
    for (let i = 0; i < 200; i++) {
      writes.push(c.call('SREM', 'big', `m${i * 7}`));
      writes.push(c.call('SADD', 'big', `n${i}`));
      if (i % 20 === 0) writes.push(c.call('SPOP', 'big', '50'));
    }
    writes.push(c.call('SADD', 'l', 'c'));
    await Promise.all(writes);
    await rewriteDone(c);
    const base = aofCommands(dir, /^file (\S+) seq \d+ type b$/m.exec(readAof(dir, 'appendonly.aof.manifest'))![1]);
    const sadds = base.filter((a) => a[0] === 'SADD');
    expect(sadds.every((a) => a.length - 2 <= 64)).toBe(true);
    expect(sadds.find((a) => a[1] === 'i')).toEqual(['SADD', 'i', '1', '2', '3']);
    const before = await sets(c);
    await t.stop(first);
    const again = await start(dir);
    expect(await sets(again.c)).toEqual(before);
  }, 60_000);
});
