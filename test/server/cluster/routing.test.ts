import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyHashSlot } from '../../../src/keyspace/key-slot.js';
import { redirectBlockedClients } from '../../../src/server/cluster/redirect-blocked.js';
import { useSluice } from '../../helpers/fixture.js';
import type { RespClient } from '../../helpers/resp-client.js';
import { FakeRoutingView, MYSELF, OTHER, THIRD } from '../../cluster/routing/fake-routing-view.js';

const sluice = useSluice({ conn: 'fresh' });
const DISABLED = { t: 'error', v: 'ERR This instance has cluster support disabled' };
const OK = { t: 'simple', v: 'OK' };
const err = (v: string) => ({ t: 'error', v });

let view: FakeRoutingView;
let redis: Redis;

/** The client's routing of `foo` (slot 12182) goes to OTHER unless a test says otherwise. */
beforeEach(async () => {
  view = new FakeRoutingView().assign(MYSELF);
  redis = new Redis({ host: '127.0.0.1', port: sluice.port, retryStrategy: () => null, maxRetriesPerRequest: 0, lazyConnect: true });
  await redis.connect();
});
afterEach(() => {
  redis.disconnect();
  sluice.server.clusterRouting = null;
});

function clusterMode(): void {
  sluice.server.clusterRouting = view;
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error reply');
}

describe('standalone (no routing view)', () => {
  test('ASKING, READONLY and READWRITE answer that cluster support is disabled, as before', async () => {
    for (const name of ['ASKING', 'READONLY', 'READWRITE']) expect(await sluice.conn.call(name)).toEqual(DISABLED);
  });

  test('keys are served whatever their slot, and SELECT works', async () => {
    expect(await redis.set('foo', '1')).toBe('OK');
    expect(await redis.mset('a', '1', 'b', '2')).toBe('OK');
    expect(await sluice.conn.call('SELECT', '1')).toEqual(OK);
  });
});

describe('redirections through a real client (ioredis)', () => {
  test('a key of a slot another node serves: MOVED, counted as a rejected call and a MOVED error', async () => {
    clusterMode();
    view.assign(OTHER, keyHashSlot('foo'), keyHashSlot('foo'));
    const before = sluice.server.dispatcher.lookup(['get'])!.stats.rejectedCalls;
    expect(await rejection(redis.get('foo'))).toBe('MOVED 12182 10.0.0.2:7001');
    expect(sluice.server.dispatcher.lookup(['get'])!.stats.rejectedCalls).toBe(before + 1);
    expect(await redis.info('errorstats')).toMatch(/errorstat_MOVED:count=1/);
    expect(await redis.set('bar', '1')).toBe('OK');
  });

  test('keys of several slots: CROSSSLOT; a hash tag keeps them together', async () => {
    clusterMode();
    expect(await rejection(redis.mset('a', '1', 'b', '2'))).toBe("CROSSSLOT Keys in request don't hash to the same slot");
    expect(await redis.mset('{u}a', '1', '{u}b', '2')).toBe('OK');
  });

  test('a migrating slot sends the keys it no longer has with ASK; ASKING on the target lets one command through', async () => {
    clusterMode();
    await redis.set('{m}here', '1');
    view.migrate(keyHashSlot('{m}'), THIRD);
    expect(await redis.get('{m}here')).toBe('1');
    // A new key goes to the target too.
    expect(await rejection(redis.set('{m}new', '1'))).toMatch(/^ASK /);
    expect(await rejection(redis.get('{m}gone'))).toBe(`ASK ${keyHashSlot('{m}')} node-3.example:7002`);

    const importing = new FakeRoutingView().assign(OTHER).import(keyHashSlot('{m}'), OTHER);
    sluice.server.clusterRouting = importing;
    expect(await rejection(redis.get('{m}gone'))).toMatch(/^MOVED /);
    expect(await redis.asking()).toBe('OK');
    expect(await redis.get('{m}gone')).toBeNull();
    // One command only.
    expect(await rejection(redis.get('{m}gone'))).toMatch(/^MOVED /);
  });

  test('the cluster down: CLUSTERDOWN; an unserved slot: Hash slot not served', async () => {
    clusterMode();
    view.assign(null, keyHashSlot('foo'), keyHashSlot('foo'));
    expect(await rejection(redis.get('foo'))).toBe('CLUSTERDOWN Hash slot not served');
    view.stateOk = false;
    expect(await rejection(redis.get('bar'))).toBe('CLUSTERDOWN The cluster is down');
    expect(await redis.ping()).toBe('PONG');
  });
});

describe('ASKING', () => {
  beforeEach(() => {
    view.assign(OTHER).import(keyHashSlot('{i}'), OTHER);
    clusterMode();
  });

  test('a command that is refused still spends it', async () => {
    const c = sluice.conn;
    expect(await c.call('ASKING')).toEqual(OK);
    expect((await c.call('GET', '{i}a', 'extra')).t).toBe('error');
    expect((await c.call('GET', '{i}a')).t).toBe('error');
  });

  test('sent before MULTI it covers the transaction up to EXEC, and no further', async () => {
    const c = sluice.conn;
    await c.call('ASKING');
    await c.call('MULTI');
    expect(await c.call('SET', '{i}a', '1')).toEqual({ t: 'simple', v: 'QUEUED' });
    expect(await c.call('EXEC')).toEqual({ t: 'array', v: [OK] });
    expect((await c.call('GET', '{i}a')).t).toBe('error');
  });

  test('a command that blocks keeps it until served, and is then served here', async () => {
    const waiter = await sluice.connect();
    expect(await waiter.call('ASKING')).toEqual(OK);
    waiter.writeRaw('*3\r\n$5\r\nBLPOP\r\n$5\r\n{i}xs\r\n$1\r\n0\r\n');
    await expect.poll(() => [...sluice.server.clients.values()].some((cl) => cl.blocked !== null)).toBe(true);
    await sluice.conn.call('ASKING');
    await sluice.conn.call('RPUSH', '{i}xs', 'x');
    expect(await waiter.read()).toEqual({ t: 'array', v: [{ t: 'bulk', v: '{i}xs' }, { t: 'bulk', v: 'x' }] });
    expect((await waiter.call('GET', '{i}a')).t).toBe('error');
  });

  test('a command that blocks and times out spends it', async () => {
    const c = sluice.conn;
    await c.call('ASKING');
    expect(await c.call('BLPOP', '{i}none', '0.01')).toEqual({ t: 'array', v: null });
    expect((await c.call('GET', '{i}a')).t).toBe('error');
  });

  test('RESET clears it', async () => {
    const c = sluice.conn;
    await c.call('ASKING');
    await c.call('RESET');
    expect((await c.call('GET', '{i}a')).t).toBe('error');
  });
});

describe('transactions', () => {
  beforeEach(clusterMode);

  test('a redirected command dooms the transaction: EXEC is aborted', async () => {
    view.assign(OTHER, keyHashSlot('foo'), keyHashSlot('foo'));
    const c = sluice.conn;
    await c.call('MULTI');
    expect(await c.call('SET', 'foo', '1')).toEqual(err('MOVED 12182 10.0.0.2:7001'));
    expect(await c.call('EXEC')).toEqual(err('EXECABORT Transaction discarded because of previous errors.'));
  });

  test('EXEC whose slot moved away since the commands were queued is redirected and the transaction discarded', async () => {
    const c = sluice.conn;
    await c.call('WATCH', 'foo');
    await c.call('MULTI');
    await c.call('SET', 'foo', '1');
    view.assign(OTHER);
    expect(await c.call('EXEC')).toEqual(err('MOVED 12182 10.0.0.2:7001'));
    expect(await c.call('EXEC')).toEqual(err('ERR EXEC without MULTI'));
    expect(sluice.server.keyspace.db(0).has('foo')).toBe(false);
    expect([...sluice.server.clients.values()].every((cl) => cl.watchedKeys.length === 0)).toBe(true);
  });

  test('queued commands of several slots: CROSSSLOT at EXEC', async () => {
    const c = sluice.conn;
    await c.call('MULTI');
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '1');
    expect(await c.call('EXEC')).toEqual(err("CROSSSLOT Keys in request don't hash to the same slot"));
  });
});

describe('READONLY on a replica', () => {
  beforeEach(() => {
    view.assign(OTHER);
    view.myMaster = OTHER.id;
    clusterMode();
  });

  test('reads of the master\'s slots are served once READONLY, writes never; READWRITE ends it', async () => {
    const c = sluice.conn;
    expect((await c.call('GET', 'foo')).t).toBe('error');
    expect(await c.call('READONLY')).toEqual(OK);
    expect(await c.call('GET', 'foo')).toEqual({ t: 'bulk', v: null });
    expect(await c.call('SET', 'foo', '1')).toEqual(err('MOVED 12182 10.0.0.2:7001'));
    expect(((await c.call('CLIENT', 'INFO')) as { v: string }).v).toMatch(/ flags=r /);
    expect(await c.call('READWRITE')).toEqual(OK);
    expect((await c.call('GET', 'foo')).t).toBe('error');
  });
});

describe('cluster mode\'s rules for databases', () => {
  beforeEach(() => {
    clusterMode();
    sluice.server.keyspace.enableSlotIndex();
  });

  // COPY's refusal is Redis 7.0's, where a cluster node kept sixteen databases; 7.2 keeps one, so DB 1 is out of range before.
  test('SELECT of another database than 0, SWAPDB, MOVE and COPY to another database are refused', async () => {
    const c = sluice.conn;
    expect(await c.call('SELECT', '1')).toEqual(err('ERR SELECT is not allowed in cluster mode'));
    expect(await c.call('SELECT', 'x')).toEqual(err('ERR value is not an integer or out of range'));
    expect(await c.call('SELECT', '0')).toEqual(OK);
    expect(await c.call('SWAPDB', '0', '1')).toEqual(err('ERR SWAPDB is not allowed in cluster mode'));
    await c.call('SET', '{k}a', '1');
    expect(await c.call('MOVE', '{k}a', '1')).toEqual(err('ERR MOVE is not allowed in cluster mode'));
    expect(await c.call('COPY', '{k}a', '{k}b', 'DB', '1')).toEqual(err('ERR Copying to another database is not allowed in cluster mode'));
    expect(await c.call('COPY', '{k}a', '{k}b', 'DB', '0')).toEqual({ t: 'int', v: '1' });
  });
});

describe('scripts', () => {
  beforeEach(clusterMode);

  test('a key another node serves is refused to redis.call', async () => {
    view.assign(OTHER, keyHashSlot('foo'), keyHashSlot('foo'));
    const r = await sluice.conn.call('EVAL', "return redis.call('get', 'foo')", '0');
    expect(r).toEqual(err(expect.stringMatching(/^ERR Script attempted to access a non local key in a cluster node script: \w+, on @user_script:1\.$/) as unknown as string));
  });

  test('keys of several local slots: allowed without a shebang, refused with one unless allow-cross-slot-keys', async () => {
    const c = sluice.conn;
    const body = "redis.call('get', 'b'); return redis.call('get', 'c')";
    expect(await c.call('EVAL', body, '0')).toEqual({ t: 'bulk', v: null });
    expect(((await c.call('EVAL', `#!lua\n${body}`, '0')) as { v: string }).v).toMatch(/^ERR Script attempted to access keys that do not hash to the same slot script: /);
    expect(await c.call('EVAL', `#!lua flags=allow-cross-slot-keys\n${body}`, '0')).toEqual({ t: 'bulk', v: null });
    // The declared keys fix the slot: a call of another slot's key is refused.
    expect(((await c.call('EVAL', "#!lua\nreturn redis.call('get', 'b')", '1', 'c')) as { v: string }).v).toMatch(/do not hash to the same slot/);
  });

  test('a script declaring no-cluster is refused', async () => {
    expect(await sluice.conn.call('EVAL', '#!lua flags=no-cluster\nreturn 1', '0')).toEqual(err("ERR Can not run script on cluster, 'no-cluster' flag is set."));
  });

  test('while the cluster is down (reads allowed), a script\'s write is refused', async () => {
    view.stateOk = false;
    view.allowReadsWhenDown = true;
    const r = (await sluice.conn.call('EVAL', "return redis.call('set', 'b', '1')", '0')) as { v: string };
    expect(r.v).toMatch(/^ERR Script attempted to execute a write command while the cluster is down and readonly script: /);
  });
});

describe('clients blocked on keys whose slot moves away', () => {
  beforeEach(clusterMode);

  async function blockOn(key: string): Promise<RespClient> {
    const c = await sluice.connect();
    c.writeRaw(`*3\r\n$5\r\nBLPOP\r\n$${key.length}\r\n${key}\r\n$1\r\n0\r\n`);
    await expect.poll(() => [...sluice.server.clients.values()].some((cl) => cl.blocked !== null)).toBe(true);
    return c;
  }

  test('are redirected with MOVED once the slot is served elsewhere', async () => {
    const c = await blockOn('{q}list');
    expect(redirectBlockedClients(sluice.server)).toBe(0);
    view.assign(OTHER, keyHashSlot('q'), keyHashSlot('q'));
    expect(redirectBlockedClients(sluice.server)).toBe(1);
    expect(await c.read()).toEqual(err(`MOVED ${keyHashSlot('q')} 10.0.0.2:7001`));
  });

  test('stay while the slot is being imported here', async () => {
    const c = await blockOn('{q}list');
    view.assign(OTHER).import(keyHashSlot('q'), OTHER);
    expect(redirectBlockedClients(sluice.server)).toBe(0);
    c.close();
  });

  test('served after the slot moved, the command runs through the redirection again: MOVED', async () => {
    const c = await blockOn('{q}list');
    view.assign(OTHER).import(keyHashSlot('q'), OTHER);
    const pusher = sluice.conn;
    expect(await pusher.call('ASKING')).toEqual(OK);
    expect(await pusher.call('RPUSH', '{q}list', 'x')).toEqual({ t: 'int', v: '1' });
    expect(await c.read()).toEqual(err(`MOVED ${keyHashSlot('q')} 10.0.0.2:7001`));
  });

  test('are told the cluster is down', async () => {
    const c = await blockOn('{q}list');
    view.stateOk = false;
    expect(redirectBlockedClients(sluice.server)).toBe(1);
    expect(await c.read()).toEqual(err('CLUSTERDOWN The cluster is down'));
  });

  test('are told the slot is not served once no node serves it', async () => {
    const c = await blockOn('{q}list');
    view.assign(null, keyHashSlot('q'), keyHashSlot('q'));
    expect(redirectBlockedClients(sluice.server)).toBe(1);
    expect(await c.read()).toEqual(err('CLUSTERDOWN Hash slot not served'));
  });
});
