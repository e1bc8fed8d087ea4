import { describe, expect, test } from 'vitest';
import { perTest } from '../helpers/fixture.js';
import { encodeCommand, type Resp, type RespClient } from '../helpers/resp-client.js';

/**
 * WAITAOF (Redis 7.2) on a server without replicas: the local half waits
 * for the fsync that covers the client's last write; asking for replicas
 * waits for the timeout. Replies and errors as Redis 7.2.6 gives them.
 */

const t = perTest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const acks = (local: number, replicas: number): Resp => ({ t: 'array', v: [{ t: 'int', v: String(local) }, { t: 'int', v: String(replicas) }] });
const OK = { t: 'simple', v: 'OK' };
const AOF_OFF = 'ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.';

/** Resolves to the reply, or to 'pending' if none came within `ms`. */
function within(p: Promise<Resp>, ms: number): Promise<Resp | 'pending'> {
  return Promise.race([p, sleep(ms).then(() => 'pending' as const)]);
}

async function withAof(fsync: string): Promise<{ c: RespClient; other: () => Promise<RespClient> }> {
  const { s, c } = await t.start(t.tmp(), { appendonly: 'yes', appendfsync: fsync, 'auto-aof-rewrite-percentage': '0' });
  return { c, other: () => t.connect(s) };
}

describe('WAITAOF', () => {
  test('arguments are checked as Redis checks them, numlocal first', async () => {
    const { c } = await withAof('everysec');
    expect(await c.call('WAITAOF', '2', '0', '0')).toEqual({ t: 'error', v: 'ERR value is out of range, value must between 0 and 1' });
    expect(await c.call('WAITAOF', '-1', 'x', '0')).toEqual({ t: 'error', v: 'ERR value is out of range, value must between 0 and 1' });
    expect(await c.call('WAITAOF', 'x', '0', '0')).toEqual({ t: 'error', v: 'ERR value is not an integer or out of range' });
    expect(await c.call('WAITAOF', '1', '-1', '0')).toEqual({ t: 'error', v: 'ERR value is out of range, must be positive' });
    expect(await c.call('WAITAOF', '1', '0', '-1')).toEqual({ t: 'error', v: 'ERR timeout is negative' });
    expect(await c.call('WAITAOF', '1', '0', 'x')).toEqual({ t: 'error', v: 'ERR timeout is not an integer or out of range' });
    expect(await c.call('WAITAOF', '1', '0')).toEqual({ t: 'error', v: "ERR wrong number of arguments for 'waitaof' command" });
  });

  test('with appendonly off, asking for the local copy is an error, asking for nothing answers 0 0', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no' });
    await c.call('INCR', 'foo');
    expect(await c.call('WAITAOF', '1', '0', '0')).toEqual({ t: 'error', v: AOF_OFF });
    expect(await c.call('WAITAOF', '0', '0', '0')).toEqual(acks(0, 0));
  });

  test('under everysec a write is acknowledged once the background fsync covers it; a client that never wrote is at once', async () => {
    const { c, other } = await withAof('everysec');
    const idle = await other();
    expect(await idle.call('WAITAOF', '1', '0', '0')).toEqual(acks(1, 0));
    await c.call('INCR', 'foo');
    expect(await within(c.call('WAITAOF', '1', '0', '0'), 3000)).toEqual(acks(1, 0));
  });

  test('under always the write is on disk before its reply, so WAITAOF answers at once', async () => {
    const { c } = await withAof('always');
    await c.call('INCR', 'foo');
    expect(await c.call('WAITAOF', '1', '0', '0')).toEqual(acks(1, 0));
  });

  test('pipelined behind its write under always, the wait is served by that write\'s fsync and replies stay in order', async () => {
    const { c } = await withAof('always');
    c.writeRaw(Buffer.concat([
      encodeCommand(['INCR', 'x']), encodeCommand(['WAITAOF', '1', '0', '0']),
      encodeCommand(['INCR', 'x']), encodeCommand(['WAITAOF', '1', '0', '0']), encodeCommand(['PING']),
    ]));
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await c.read());
    expect(replies).toEqual([{ t: 'int', v: '1' }, acks(1, 0), { t: 'int', v: '2' }, acks(1, 0), { t: 'simple', v: 'PONG' }]);
  });

  test('under appendfsync no nothing is fsynced: the wait ends with its timeout, 0 0', async () => {
    const { c } = await withAof('no');
    await c.call('INCR', 'foo');
    const started = Date.now();
    expect(await c.call('WAITAOF', '1', '0', '50')).toEqual(acks(0, 0));
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  test('a blocked wait is served by the first fsync past its write (switching to everysec)', async () => {
    const { c, other } = await withAof('no');
    await c.call('INCR', 'foo');
    const reply = c.call('WAITAOF', '1', '0', '0');
    expect(await within(reply, 200)).toBe('pending');
    expect(await (await other()).call('CONFIG', 'SET', 'appendfsync', 'everysec')).toEqual(OK);
    expect(await within(reply, 3000)).toEqual(acks(1, 0));
  });

  test('turning appendonly off ends a wait for the local copy with the error', async () => {
    const { c, other } = await withAof('no');
    await c.call('INCR', 'foo');
    const reply = c.call('WAITAOF', '1', '0', '0');
    expect(await within(reply, 200)).toBe('pending');
    expect(await (await other()).call('CONFIG', 'SET', 'appendonly', 'no')).toEqual(OK);
    expect(await within(reply, 1000)).toEqual({ t: 'error', v: AOF_OFF });
  });

  test('asking for a replica waits for the timeout, then counts the local copy and no replica', async () => {
    const { c } = await withAof('always');
    await c.call('INCR', 'foo');
    const reply = c.call('WAITAOF', '1', '1', '100');
    expect(await within(reply, 50)).toBe('pending');
    expect(await reply).toEqual(acks(1, 0));
  });

  test('CLIENT UNBLOCK ends the wait as its timeout would, or with the UNBLOCKED error', async () => {
    const { c, other } = await withAof('always');
    const admin = await other();
    const id = (await c.call('CLIENT', 'ID')).v as string;
    let reply = c.call('WAITAOF', '0', '1', '0');
    expect(await within(reply, 50)).toBe('pending');
    expect(await admin.call('CLIENT', 'UNBLOCK', id)).toEqual({ t: 'int', v: '1' });
    expect(await reply).toEqual(acks(1, 0));
    reply = c.call('WAITAOF', '0', '1', '0');
    expect(await within(reply, 50)).toBe('pending');
    expect(await admin.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toEqual({ t: 'int', v: '1' });
    expect(await reply).toEqual({ t: 'error', v: 'UNBLOCKED client unblocked via CLIENT UNBLOCK' });
  });

  test('inside MULTI it answers at once; scripts may not call it', async () => {
    const { c } = await withAof('no');
    await c.call('INCR', 'foo');
    await c.call('MULTI');
    await c.call('WAITAOF', '1', '0', '0');
    expect(await within(c.call('EXEC'), 1000)).toEqual({ t: 'array', v: [acks(0, 0)] });
    const script = await c.call('EVAL', "return redis.call('waitaof', '0', '0', '0')", '0');
    expect(script.t).toBe('error');
    expect(script.v).toMatch(/^ERR This Redis command is not allowed from script/);
  });

  test('INFO master_repl_offset moves one step for each write while the AOF is on', async () => {
    const { c } = await withAof('everysec');
    const offset = async () => Number(/master_repl_offset:(\d+)/.exec((await c.call('INFO', 'replication')).v as string)![1]);
    const before = await offset();
    await c.call('SET', 'a', '1');
    await c.call('GET', 'a');
    await c.call('MSET', 'b', '1', 'c', '2');
    expect(await offset()).toBe(before + 2);
  });

  test('with appendonly off INFO master_repl_offset stays where it is, as in Redis 7.2.6', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no' });
    await c.call('SET', 'a', '1');
    await c.call('MSET', 'b', '1', 'c', '2');
    expect((await c.call('INFO', 'replication')).v).toMatch(/master_repl_offset:0\r\n/);
  });
});
