import { beforeAll, describe, expect, test } from 'vitest';
import type { TypedValue } from '../../../src/keyspace/value.js';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient } from '../../helpers/resp-client.js';

/** A stand-in for a collection type, until the real ones exist. */
class FakeHash implements TypedValue {
  readonly type = 'hash' as const;
  clones = 0;
  constructor(readonly fields: Map<string, string>) {}
  encoding(): string {
    return 'listpack';
  }
  clone(): FakeHash {
    this.clones++;
    return new FakeHash(new Map(this.fields));
  }
  memoryUsage(): number {
    return 0;
  }
}

const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;
beforeAll(() => {
  // Keys given past deadlines below must wait for the command under test, not the cron.
  sluice.server.activeExpire = false;
});

const int = (n: number) => ({ t: 'int', v: String(n) });
const bulk = (v: string | null) => ({ t: 'bulk', v });
const OK = { t: 'simple', v: 'OK' };

describe('keyspace events and propagated effects', () => {
  test('DEL and UNLINK raise del for each deleted key only, and propagate as sent', async () => {
    await sluice.conn.call('SET', 'a', '1');
    await sluice.conn.call('SET', 'b', '2');
    events.length = 0;
    effects.length = 0;
    expect(await sluice.conn.call('DEL', 'a', 'nosuch')).toEqual(int(1));
    expect(await sluice.conn.call('UNLINK', 'b')).toEqual(int(1));
    expect(await sluice.conn.call('DEL', 'nosuch')).toEqual(int(0));
    expect(events).toEqual([[0, 'g', 'del', 'a'], [0, 'g', 'del', 'b']]);
    expect(effects).toEqual([{ db: 0, argv: ['DEL', 'a', 'nosuch'] }, { db: 0, argv: ['UNLINK', 'b'] }]);
  });

  test('RENAME raises rename_from then rename_to', async () => {
    await sluice.conn.call('SET', 'a', '1');
    events.length = 0;
    await sluice.conn.call('RENAME', 'a', 'b');
    await sluice.conn.call('RENAMENX', 'b', 'c');
    expect(events).toEqual([
      [0, 'g', 'rename_from', 'a'], [0, 'g', 'rename_to', 'b'],
      [0, 'g', 'rename_from', 'b'], [0, 'g', 'rename_to', 'c'],
    ]);
  });

  test('MOVE raises move_from in the source database and move_to in the target', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    events.length = 0;
    effects.length = 0;
    expect(await sluice.conn.call('MOVE', 'k', '3')).toEqual(int(1));
    expect(events).toEqual([[0, 'g', 'move_from', 'k'], [3, 'g', 'move_to', 'k']]);
    expect(effects).toEqual([{ db: 0, argv: ['MOVE', 'k', '3'] }]);
  });

  test('COPY raises copy_to in the target database', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    events.length = 0;
    await sluice.conn.call('COPY', 'k', 'k2', 'DB', '5');
    expect(events).toEqual([[5, 'g', 'copy_to', 'k2']]);
  });

  test('a failed or no-op command raises nothing and propagates nothing', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    await sluice.conn.call('SET', 'other', 'v');
    events.length = 0;
    effects.length = 0;
    await sluice.conn.call('RENAMENX', 'k', 'other');
    await sluice.conn.call('RENAME', 'k', 'k');
    await sluice.conn.call('MOVE', 'nosuch', '1');
    await sluice.conn.call('COPY', 'k', 'other');
    await sluice.conn.call('DEL', 'nosuch');
    expect(events).toEqual([]);
    expect(effects).toEqual([]);
  });

  test('read commands that miss raise keymiss, OBJECT does not', async () => {
    await sluice.conn.call('EXISTS', 'x');
    await sluice.conn.call('TYPE', 'y');
    await sluice.conn.call('OBJECT', 'ENCODING', 'z');
    expect(events).toEqual([[0, 'm', 'keymiss', 'x'], [0, 'm', 'keymiss', 'y']]);
  });
});

describe('WATCH', () => {
  test('RENAME, MOVE, COPY and DEL break transactions watching either key', async () => {
    const b = await RespClient.connect(sluice.port);
    try {
      const cases: [string[], string][] = [
        [['RENAME', 'src', 'dst'], 'dst'],
        [['RENAME', 'src', 'dst'], 'src'],
        [['MOVE', 'src', '1'], 'src'],
        [['COPY', 'src', 'dst'], 'dst'],
        [['DEL', 'src'], 'src'],
      ];
      for (const [cmd, watched] of cases) {
        await sluice.conn.call('FLUSHALL');
        await sluice.conn.call('SET', 'src', 'v');
        await sluice.conn.call('WATCH', watched);
        await b.call(...cmd);
        await sluice.conn.call('MULTI');
        await sluice.conn.call('PING');
        expect(await sluice.conn.call('EXEC'), `${cmd.join(' ')} watched ${watched}`).toEqual({ t: 'array', v: null });
      }
      await sluice.conn.call('FLUSHALL');
      await sluice.conn.call('SET', 'src', 'v');
      await sluice.conn.call('SELECT', '1');
      await sluice.conn.call('WATCH', 'src');
      await b.call('MOVE', 'src', '1');
      await sluice.conn.call('MULTI');
      expect(await sluice.conn.call('EXEC'), 'MOVE into a watched key of the target database').toEqual({ t: 'array', v: null });
    } finally {
      b.close();
    }
  });
});

describe('values other than strings', () => {
  test('TYPE names the type; COPY deep-copies through clone()', async () => {
    const db = sluice.server.keyspace.db(0);
    const h = new FakeHash(new Map([['f', 'v']]));
    db.set('h', h);
    expect(await sluice.conn.call('TYPE', 'h')).toEqual({ t: 'simple', v: 'hash' });
    expect(await sluice.conn.call('COPY', 'h', 'h2')).toEqual(int(1));
    expect(h.clones).toBe(1);
    const copy = db.get('h2') as FakeHash;
    expect(copy).not.toBe(h);
    copy.fields.set('g', 'w');
    expect(h.fields.has('g')).toBe(false);
    expect(await sluice.conn.call('COPY', 'h', 'h3', 'DB', '2')).toEqual(int(1));
    expect(sluice.server.keyspace.db(2).get('h3')).toBeInstanceOf(FakeHash);
  });

  test('RENAME and MOVE move the same object', async () => {
    const h = new FakeHash(new Map());
    sluice.server.keyspace.db(0).set('h', h);
    await sluice.conn.call('RENAME', 'h', 'h2');
    await sluice.conn.call('MOVE', 'h2', '1');
    expect(sluice.server.keyspace.db(1).get('h2')).toBe(h);
    expect(h.clones).toBe(0);
  });

  test('OBJECT ENCODING reports the value encoding', async () => {
    sluice.server.keyspace.db(0).set('h', new FakeHash(new Map()));
    expect(await sluice.conn.call('OBJECT', 'ENCODING', 'h')).toEqual(bulk('listpack'));
    expect(await sluice.conn.call('OBJECT', 'REFCOUNT', 'h')).toEqual(int(1));
  });
});

describe('OBJECT', () => {
  test('IDLETIME reads the LRU clock under noeviction too, as Redis keeps it under every policy but LFU', async () => {
    expect(sluice.server.config.str('maxmemory-policy')).toBe('noeviction');
    await sluice.conn.call('SET', 'k', 'v');
    expect(await sluice.conn.call('OBJECT', 'IDLETIME', 'k')).toEqual(int(0));
    const dumped = await sluice.conn.call('DUMP', 'k');
    expect(dumped.t).toBe('bulk');
    expect(await sluice.conn.call('RESTORE', 'old', '0', dumped.v as string, 'IDLETIME', '50')).toEqual({ t: 'simple', v: 'OK' });
    expect(await sluice.conn.call('OBJECT', 'IDLETIME', 'old')).toEqual(int(50));
    // A read refreshes the clock; OBJECT itself does not.
    await sluice.conn.call('GET', 'old');
    expect(await sluice.conn.call('OBJECT', 'IDLETIME', 'old')).toEqual(int(0));
    expect(await sluice.conn.call('OBJECT', 'IDLETIME', 'nosuch')).toEqual(bulk(null));
    expect(await sluice.conn.call('OBJECT', 'FREQ', 'k')).toEqual({
      t: 'error', v: 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    });
  });

  test('a missing key is a RESP3 null', async () => {
    await sluice.conn.call('HELLO', '3');
    expect(await sluice.conn.call('OBJECT', 'ENCODING', 'nosuch')).toEqual({ t: 'null' });
  });

  test('lookups count keyspace hits and misses', async () => {
    await sluice.conn.call('SET', 'k', '1');
    const stats = sluice.server.keyspace.stats;
    const [hits, misses] = [stats.hits, stats.misses];
    await sluice.conn.call('OBJECT', 'ENCODING', 'k');
    await sluice.conn.call('OBJECT', 'REFCOUNT', 'nosuch');
    expect([stats.hits - hits, stats.misses - misses]).toEqual([1, 1]);
  });
});

describe('KEYS and RANDOMKEY with expired keys', () => {
  test('KEYS leaves out a key past its deadline without deleting it', async () => {
    await sluice.conn.call('SET', 'live', '1');
    await sluice.conn.call('SET', 'dead', '1');
    const db = sluice.server.keyspace.db(0);
    db.setDeadline('dead', Date.now() - 1);
    expect(await sluice.conn.call('KEYS', '*')).toEqual({ t: 'array', v: [bulk('live')] });
    expect(db.dict.has('dead')).toBe(true);
  });

  test('RANDOMKEY deletes the expired keys it draws and answers nil when none is live', async () => {
    const db = sluice.server.keyspace.db(0);
    for (let i = 0; i < 50; i++) {
      await sluice.conn.call('SET', `k${i}`, 'v');
      db.setDeadline(`k${i}`, Date.now() - 1);
    }
    effects.length = 0;
    expect(await sluice.conn.call('RANDOMKEY')).toEqual(bulk(null));
    expect(db.size).toBe(0);
    expect(effects.filter((e) => e.argv[0] === 'DEL')).toHaveLength(50);
  });

  test('RANDOMKEY only answers live keys', async () => {
    const db = sluice.server.keyspace.db(0);
    await sluice.conn.call('SET', 'live', 'v');
    for (let i = 0; i < 20; i++) {
      await sluice.conn.call('SET', `k${i}`, 'v');
      db.setDeadline(`k${i}`, Date.now() - 1);
    }
    for (let i = 0; i < 5; i++) expect(await sluice.conn.call('RANDOMKEY')).toEqual(bulk('live'));
  });

  test('RENAME onto an expired key expires it first', async () => {
    const db = sluice.server.keyspace.db(0);
    await sluice.conn.call('SET', 'src', 'v');
    await sluice.conn.call('SET', 'dst', 'old');
    db.setDeadline('dst', Date.now() - 1);
    events.length = 0;
    expect(await sluice.conn.call('RENAME', 'src', 'dst')).toEqual(OK);
    expect(events[0]).toEqual([0, 'x', 'expired', 'dst']);
  });
});
