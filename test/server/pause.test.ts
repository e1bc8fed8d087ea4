import { afterEach, describe, expect, test } from 'vitest';
import { useSluice } from '../helpers/fixture.js';
import type { Resp } from '../helpers/resp-client.js';
import { tracked } from '../helpers/tracked.js';

const OK: Resp = { t: 'simple', v: 'OK' };

const sluice = useSluice();

/** Waits (boundedly) until `n` clients have a command held by the pause. */
async function heldCount(n: number): Promise<void> {
  for (let i = 0; i < 500 && sluice.server.paused.size < n; i++) await new Promise((r) => setTimeout(r, 5));
  expect(sluice.server.paused.size).toBe(n);
}

// Runs before the fixture closes the test's connections, so that nothing they sent is still held.
afterEach(() => {
  sluice.server.unpause();
});

describe('CLIENT PAUSE WRITE', () => {
  test('writes wait while reads proceed, then run after UNPAUSE', async () => {
    const admin = await sluice.connect();
    const writer = await sluice.connect();
    const reader = await sluice.connect();
    await admin.call('SET', 'k', 'before');
    expect(await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE')).toEqual(OK);
    const set = tracked(writer.call('SET', 'k', 'after'));
    await heldCount(1);
    expect(await reader.call('GET', 'k')).toEqual({ t: 'bulk', v: 'before' });
    expect(await reader.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    expect(set.arrived()).toBe(false);
    expect(await admin.call('CLIENT', 'UNPAUSE')).toEqual(OK);
    expect(await set.promise).toEqual(OK);
    expect(await reader.call('GET', 'k')).toEqual({ t: 'bulk', v: 'after' });
  });

  test("a held client's later commands wait behind the held one, reads included", async () => {
    const admin = await sluice.connect();
    const writer = await sluice.connect();
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    const replies = [writer.call('SET', 'p', '1'), writer.call('GET', 'p'), writer.call('APPEND', 'p', '2'), writer.call('GET', 'p')];
    await heldCount(1);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await Promise.all(replies)).toEqual([OK, { t: 'bulk', v: '1' }, { t: 'int', v: '2' }, { t: 'bulk', v: '12' }]);
  });

  test('held commands of several clients run in the order they were held', async () => {
    const admin = await sluice.connect();
    const [a, b, c] = await Promise.all([sluice.connect(), sluice.connect(), sluice.connect()]);
    await admin.call('DEL', 'order');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    const ra = a.call('APPEND', 'order', 'a');
    await heldCount(1);
    const rb = b.call('APPEND', 'order', 'b');
    await heldCount(2);
    const rc = c.call('APPEND', 'order', 'c');
    await heldCount(3);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await Promise.all([ra, rb, rc])).toEqual([{ t: 'int', v: '1' }, { t: 'int', v: '2' }, { t: 'int', v: '3' }]);
    expect(await admin.call('GET', 'order')).toEqual({ t: 'bulk', v: 'abc' });
  });

  test('EXEC of a transaction that writes waits; one that only reads does not', async () => {
    const admin = await sluice.connect();
    const tx = await sluice.connect();
    await tx.call('MULTI');
    await tx.call('SET', 'k', 'tx');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    const exec = tracked(tx.call('EXEC'));
    await heldCount(1);
    expect(exec.arrived()).toBe(false);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await exec.promise).toEqual({ t: 'array', v: [OK] });
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await tx.call('MULTI');
    await tx.call('GET', 'k');
    expect(await tx.call('EXEC')).toEqual({ t: 'array', v: [expect.anything()] });
    await admin.call('CLIENT', 'UNPAUSE');
  });

  test('commands that may replicate wait too: PFCOUNT (it may rewrite the HLL) and PUBLISH, whose message arrives whole after', async () => {
    const admin = await sluice.connect();
    const [a, b, subscriber] = await Promise.all([sluice.connect(), sluice.connect(), sluice.connect()]);
    await subscriber.call('SUBSCRIBE', 'ch');
    await admin.call('PFADD', 'hll', 'x');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    const count = a.call('PFCOUNT', 'hll');
    await heldCount(1);
    // Held with its arguments: the read buffer its bytes came in is reused by the time it runs.
    const message = 'held message '.repeat(8);
    const publish = b.call('PUBLISH', 'ch', message);
    await heldCount(2);
    await admin.call('ECHO', 'x'.repeat(200));
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await count).toEqual({ t: 'int', v: '1' });
    expect(await publish).toEqual({ t: 'int', v: '1' });
    expect(await subscriber.read()).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'message' }, { t: 'bulk', v: 'ch' }, { t: 'bulk', v: message }] });
  });

  test('scripts wait unless they declare no-writes; the _RO forms of undeclared scripts do not', async () => {
    const admin = await sluice.connect();
    const [a, b, c, d] = await Promise.all([sluice.connect(), sluice.connect(), sluice.connect(), sluice.connect()]);
    await admin.call('FUNCTION', 'LOAD', 'REPLACE',
      "#!lua name=pauselib\nredis.register_function{function_name='ro', callback=function() return 'ro' end, flags={'no-writes'}}\n" +
      "redis.register_function('rw', function() return 'rw' end)");
    await d.call('MULTI');
    await d.call('EVAL', '#!lua\nreturn 5', '0');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    expect(await admin.call('EVAL', '#!lua flags=no-writes\nreturn 1', '0')).toEqual({ t: 'int', v: '1' });
    expect(await admin.call('EVAL_RO', 'return 2', '0')).toEqual({ t: 'int', v: '2' });
    expect(await admin.call('FCALL', 'ro', '0')).toEqual({ t: 'bulk', v: 'ro' });
    const legacy = a.call('EVAL', 'return 3', '0');
    await heldCount(1);
    const shebang = b.call('EVAL', '#!lua\nreturn 4', '0');
    await heldCount(2);
    const fcall = c.call('FCALL', 'rw', '0');
    await heldCount(3);
    const exec = d.call('EXEC');
    await heldCount(4);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await Promise.all([legacy, shebang, fcall, exec])).toEqual([
      { t: 'int', v: '3' }, { t: 'int', v: '4' }, { t: 'bulk', v: 'rw' }, { t: 'array', v: [{ t: 'int', v: '5' }] },
    ]);
  });

  test('a write sent inside MULTI waits for the pause before it is queued, as in Redis', async () => {
    const admin = await sluice.connect();
    const tx = await sluice.connect();
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await tx.call('MULTI');
    const queued = tracked(tx.call('SET', 'k', 'v'));
    await heldCount(1);
    expect(queued.arrived()).toBe(false);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await queued.promise).toEqual({ t: 'simple', v: 'QUEUED' });
    expect(await tx.call('EXEC')).toEqual({ t: 'array', v: [OK] });
  });

  test('keys past their deadline read as gone but are not deleted until the pause ends', async () => {
    const admin = await sluice.connect();
    const db = sluice.server.keyspace.db(0);
    await admin.call('SET', 'ttl', 'v');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    db.setDeadline('ttl', Date.now() - 1);
    expect(await admin.call('GET', 'ttl')).toEqual({ t: 'bulk', v: null });
    expect(db.dict.has('ttl')).toBe(true);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await admin.call('GET', 'ttl')).toEqual({ t: 'bulk', v: null });
    expect(db.dict.has('ttl')).toBe(false);
  });
});

describe('CLIENT PAUSE ALL and the timeout', () => {
  test('ALL holds reads too, and the timeout ends the pause and runs them in order', async () => {
    const admin = await sluice.connect();
    const [a, b] = await Promise.all([sluice.connect(), sluice.connect()]);
    await admin.call('DEL', 'seq');
    // Long enough for both clients to be held on a loaded machine before it ends.
    expect(await admin.call('CLIENT', 'PAUSE', '1000', 'ALL')).toEqual(OK);
    const ra = a.call('APPEND', 'seq', 'x');
    await heldCount(1);
    const rb = b.call('GET', 'seq');
    await heldCount(2);
    expect(await Promise.all([ra, rb])).toEqual([{ t: 'int', v: '1' }, { t: 'bulk', v: 'x' }]);
    expect(sluice.server.pause).toBeNull();
  });

  test('UNPAUSE itself is held by an ALL pause, as in Redis', async () => {
    const admin = await sluice.connect();
    const other = await sluice.connect();
    await admin.call('CLIENT', 'PAUSE', '100000');
    const unpause = tracked(other.call('CLIENT', 'UNPAUSE'));
    await heldCount(1);
    expect(unpause.arrived()).toBe(false);
    sluice.server.unpause();
    expect(await unpause.promise).toEqual(OK);
  });

  test('a second pause replaces the mode and keeps the later deadline', async () => {
    const admin = await sluice.connect();
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    const until = sluice.server.pause!.until;
    await admin.call('CLIENT', 'PAUSE', '10', 'WRITE');
    expect(sluice.server.pause!.until).toBe(until);
    expect(await admin.call('CLIENT', 'PAUSE', '10', 'ALL')).toEqual(OK);
    expect(sluice.server.pause).toMatchObject({ until, mode: 'all' });
  });

  test('PAUSE 0 pauses nothing, and a deadline past the clock range is refused', async () => {
    const admin = await sluice.connect();
    expect(await admin.call('CLIENT', 'PAUSE', '0')).toEqual(OK);
    expect(sluice.server.pause).toBeNull();
    expect(await admin.call('CLIENT', 'PAUSE', '9223372036854775807')).toEqual({ t: 'error', v: 'ERR timeout is out of range' });
    expect(sluice.server.pause).toBeNull();
  });

  test('a pause longer than a timer can hold still ends when UNPAUSE comes', async () => {
    const admin = await sluice.connect();
    const writer = await sluice.connect();
    await admin.call('CLIENT', 'PAUSE', String(2 ** 40), 'WRITE');
    const set = tracked(writer.call('SET', 'long', '1'));
    await heldCount(1);
    // setTimeout cannot wait 2^40 ms; a naive timer would have fired (and unpaused) already.
    await new Promise((r) => setTimeout(r, 20));
    expect(set.arrived()).toBe(false);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await set.promise).toEqual(OK);
  });

  test('a killed held client is dropped from the pause', async () => {
    const admin = await sluice.connect();
    const writer = await sluice.connect();
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    void writer.call('SET', 'gone', '1').catch(() => {});
    await heldCount(1);
    const id = [...sluice.server.paused.keys()][0].id;
    expect(await admin.call('CLIENT', 'KILL', 'ID', String(id))).toEqual({ t: 'int', v: '1' });
    expect(sluice.server.paused.size).toBe(0);
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await admin.call('EXISTS', 'gone')).toEqual({ t: 'int', v: '0' });
  });
});
