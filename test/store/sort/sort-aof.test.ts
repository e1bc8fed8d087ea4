import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunningServer } from '../../../src/index.js';
import { aofCommands, readAof } from '../../helpers/aof.js';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient } from '../../helpers/resp-client.js';

const t = perTest();

function start(dir: string): Promise<{ s: RunningServer; c: RespClient }> {
  // appendfsync always: under everysec a write waits behind a running background fsync (as Redis's does), so the file may lag the replies.
  return t.start(dir, { 'auto-aof-rewrite-percentage': '0', appendfsync: 'always' });
}

function incrCommands(dir: string): string[][] {
  const name = /^file (\S+) seq \d+ type i$/m.exec(readAof(dir, 'appendonly.aof.manifest'))![1];
  return aofCommands(dir, name);
}

describe('SORT in the AOF', () => {
  test('SORT … STORE is logged as sent, a SORT that stores nothing is not, and a restart stores the same lists', async () => {
    const dir = t.tmp();
    const first = await start(dir);
    const c = first.c;
    await c.call('SADD', 's', 'pear', 'fig', 'apple', '10', '9');
    await c.call('MSET', 'w_pear', '2', 'w_fig', '1');
    await c.call('HSET', 'h_apple', 'f', 'x');
    await c.call('SORT', 's', 'BY', 'nosort', 'STORE', 'd1');
    await c.call('SORT', 's', 'BY', 'w_*', 'ALPHA', 'GET', '#', 'GET', 'h_*->f', 'STORE', 'd2');
    await c.call('SORT', 's', 'ALPHA');
    await c.call('SORT', 'nokey', 'STORE', 'd3');
    const logged = incrCommands(dir).filter((a) => a[0] !== 'SELECT');
    expect(logged.map((a) => a.slice(0, 2).join(' '))).toEqual(['SADD s', 'MSET w_pear', 'HSET h_apple', 'SORT s', 'SORT s']);
    const before = [await c.call('LRANGE', 'd1', '0', '-1'), await c.call('LRANGE', 'd2', '0', '-1')];
    await t.stop(first);
    const again = await start(dir);
    expect([await again.c.call('LRANGE', 'd1', '0', '-1'), await again.c.call('LRANGE', 'd2', '0', '-1')]).toEqual(before);
  });

  test('replaying the AOF acts for no user: a SORT with patterns replays when the default user is limited', async () => {
    const dir = t.tmp();
    const first = await start(dir);
    const c = first.c;
    await c.call('RPUSH', 'l', 'b', 'a');
    await c.call('MSET', 'w_a', '2', 'w_b', '1');
    expect(await c.call('SORT', 'l', 'BY', 'w_*', 'GET', '#', 'STORE', 'out')).toEqual({ t: 'int', v: '2' });
    await t.stop(first);
    const acl = path.join(dir, 'users.acl');
    writeFileSync(acl, 'user default on nopass ~l ~out +@all\n');
    const again = await t.start(dir, { 'auto-aof-rewrite-percentage': '0', appendfsync: 'always', aclfile: acl });
    expect(await again.c.call('SORT', 'l', 'BY', 'w_*')).toEqual({ t: 'error', v: 'ERR BY option of SORT denied due to insufficient ACL permissions.' });
    expect(await again.c.call('LRANGE', 'out', '0', '-1')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'b' }, { t: 'bulk', v: 'a' }] });
  });
});
