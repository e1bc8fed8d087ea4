import { describe, expect, test } from 'vitest';
import { aofCommands, infoField, readAof, rewriteDone } from '../../helpers/aof.js';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient, Resp } from '../../helpers/resp-client.js';

const t = perTest();

/** A Sluice on `dir` that rewrites its AOF only when a test asks. */
function start(dir: string) {
  // A base of commands, which these tests read.
  return t.start(dir, { 'auto-aof-rewrite-percentage': '0', 'aof-use-rdb-preamble': 'no' });
}

/** Every hash of database 0 as sorted field/value pairs, with its encoding. */
async function hashes(c: RespClient, keys: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const all = await c.call('HGETALL', key);
    const flat = (all as { v: Resp[] }).v.map((x) => (x as { v: string }).v);
    const pairs: string[] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
    const enc = await c.call('OBJECT', 'ENCODING', key);
    out[key] = `${(enc as { v: string }).v} ${pairs.sort().join(' ')}`;
  }
  return out;
}

describe('hashes and the AOF rewrite', () => {
  test('the base rebuilds each hash with HSETs of at most 64 pairs, as it was when the rewrite took it, and reloads to what the server holds', async () => {
    const dir = t.tmp();
    const { s, c } = await start(dir);
    await c.call('HSET', 'small', 'a', '1', 'b', '\x00\xff\r\n', '', 'empty field');
    const big: string[] = [];
    for (let i = 0; i < 20_000; i++) big.push(`f${i}`, `v${i}`);
    for (let i = 0; i < big.length; i += 2000) await c.call('HSET', 'big', ...big.slice(i, i + 2000));
    await c.call('HSET', 'long', 'f', 'x'.repeat(100));
    const before = await hashes(c, ['small', 'big', 'long']);

    // Writes sent with BGREWRITEAOF reach the hashes before the walk does: the base keeps them out.
    const during = [
      ['BGREWRITEAOF'],
      ['HSET', 'big', 'f0', 'changed', 'new', 'field'],
      ['HDEL', 'big', 'f1', 'f2'],
      ['HINCRBYFLOAT', 'big', 'counter', '0.5'],
      ['HSET', 'small', 'a', 'changed'],
      ['DEL', 'long'],
    ];
    const replies = await Promise.all(during.map((argv) => c.call(...argv)));
    expect(replies.filter((r) => r.t === 'error')).toEqual([]);
    await rewriteDone(c);
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');

    const base = /^file (\S+) seq \d+ type b$/m.exec(readAof(dir, 'appendonly.aof.manifest'))![1];
    const rebuilt = new Map<string, Map<string, string>>();
    for (const cmd of aofCommands(dir, base)) {
      if (cmd[0] === 'SELECT') continue;
      expect(cmd[0]).toBe('HSET');
      expect(cmd.length - 2).toBeLessThanOrEqual(128);
      const fields = rebuilt.get(cmd[1]) ?? new Map<string, string>();
      for (let i = 2; i < cmd.length; i += 2) fields.set(cmd[i], cmd[i + 1]);
      rebuilt.set(cmd[1], fields);
    }
    expect(rebuilt.get('small')).toEqual(new Map([['a', '1'], ['b', '\x00\xff\r\n'], ['', 'empty field']]));
    expect(rebuilt.get('big')?.size).toBe(20_000);
    expect(rebuilt.get('big')?.get('f0')).toBe('v0');
    expect(rebuilt.get('long')?.get('f')).toBe('x'.repeat(100));

    const held = await hashes(c, ['small', 'big', 'long']);
    expect(held.big).not.toEqual(before.big);
    await t.stop({ s, c });
    const again = await start(dir);
    expect(await hashes(again.c, ['small', 'big', 'long'])).toEqual(held);
  }, 60_000);

  test('field deadlines go into the base as HPEXPIREAT; a deadline that passed while the server was down is kept while loading and expires after', async () => {
    const dir = t.tmp();
    const { s, c } = await start(dir);
    await c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    await c.call('HSET', 'big', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, 'v']).flat());
    await c.call('HPEXPIREAT', 'h', '4000000000000', 'FIELDS', '1', 'a');
    await c.call('HPEXPIREAT', 'big', '4000000000000', 'FIELDS', '2', 'f1', 'f2');
    await c.call('BGREWRITEAOF');
    await rewriteDone(c);
    const base = /^file (\S+) seq \d+ type b$/m.exec(readAof(dir, 'appendonly.aof.manifest'))![1];
    const expiries = aofCommands(dir, base).filter((cmd) => cmd[0] === 'HPEXPIREAT');
    expect(expiries.map((cmd) => [cmd[1], cmd[2], cmd[3], cmd[4], [...cmd.slice(5)].sort().join(',')])).toEqual([
      ['big', '4000000000000', 'FIELDS', '2', 'f1,f2'],
      ['h', '4000000000000', 'FIELDS', '1', 'a'],
    ]);
    // After the rewrite, in the incremental file: a deadline that will have passed by the restart.
    await c.call('HPEXPIRE', 'h', '200', 'FIELDS', '1', 'b');
    const deadline = Date.now() + 200;
    await t.stop({ s, c });
    while (Date.now() <= deadline + 5) await new Promise((r) => setTimeout(r, 20));
    // hz 1: the first active expiry cycle is a second away, long after it is turned off here.
    const again = await t.start(dir, { 'auto-aof-rewrite-percentage': '0', hz: '1' });
    again.s.server.activeExpire = false;
    expect(await again.c.call('HPEXPIRETIME', 'h', 'FIELDS', '2', 'a', 'c')).toEqual({ t: 'array', v: [{ t: 'int', v: '4000000000000' }, { t: 'int', v: '-1' }] });
    expect(await again.c.call('HPEXPIRETIME', 'big', 'FIELDS', '2', 'f1', 'f3')).toEqual({ t: 'array', v: [{ t: 'int', v: '4000000000000' }, { t: 'int', v: '-1' }] });
    expect(await again.c.call('HLEN', 'h')).toEqual({ t: 'int', v: '3' });
    expect(await again.c.call('HGET', 'h', 'b')).toEqual({ t: 'bulk', v: null });
    expect(await again.c.call('HLEN', 'h')).toEqual({ t: 'int', v: '2' });
  }, 60_000);
});
