import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningServer } from '../src/index.js';
import type { Effect } from '../src/server/propagation.js';
import type { TypedValue } from '../src/store/value.js';
import { RespClient } from './helpers/resp-client.js';
import { startSluice } from './helpers/servers.js';

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
}

let sluice: RunningServer;
let a: RespClient;
let events: [number, string, string, string][] = [];
let effects: Effect[] = [];

beforeAll(async () => {
  sluice = await startSluice();
  // Keys given past deadlines below must wait for the command under test, not the cron.
  sluice.server.activeExpire = false;
  sluice.server.keyspace.listener.notify = (db, type, event, key) => {
    events.push([db.index, type, event, key]);
  };
  sluice.server.propagation.subscribe((batch) => effects.push(...batch));
});
afterAll(async () => {
  await sluice.close();
});
beforeEach(async () => {
  a?.close();
  a = await RespClient.connect(sluice.port);
  await a.call('FLUSHALL');
  events = [];
  effects = [];
});

const int = (n: number) => ({ t: 'int', v: String(n) });
const bulk = (v: string | null) => ({ t: 'bulk', v });
const OK = { t: 'simple', v: 'OK' };

describe('keyspace events and propagated effects', () => {
  test('DEL and UNLINK raise del for each deleted key only, and propagate as sent', async () => {
    await a.call('SET', 'a', '1');
    await a.call('SET', 'b', '2');
    events = [];
    effects = [];
    expect(await a.call('DEL', 'a', 'nosuch')).toEqual(int(1));
    expect(await a.call('UNLINK', 'b')).toEqual(int(1));
    expect(await a.call('DEL', 'nosuch')).toEqual(int(0));
    expect(events).toEqual([[0, 'g', 'del', 'a'], [0, 'g', 'del', 'b']]);
    expect(effects).toEqual([{ db: 0, argv: ['DEL', 'a', 'nosuch'] }, { db: 0, argv: ['UNLINK', 'b'] }]);
  });

  test('RENAME raises rename_from then rename_to', async () => {
    await a.call('SET', 'a', '1');
    events = [];
    await a.call('RENAME', 'a', 'b');
    await a.call('RENAMENX', 'b', 'c');
    expect(events).toEqual([
      [0, 'g', 'rename_from', 'a'], [0, 'g', 'rename_to', 'b'],
      [0, 'g', 'rename_from', 'b'], [0, 'g', 'rename_to', 'c'],
    ]);
  });

  test('MOVE raises move_from in the source database and move_to in the target', async () => {
    await a.call('SET', 'k', 'v');
    events = [];
    effects = [];
    expect(await a.call('MOVE', 'k', '3')).toEqual(int(1));
    expect(events).toEqual([[0, 'g', 'move_from', 'k'], [3, 'g', 'move_to', 'k']]);
    expect(effects).toEqual([{ db: 0, argv: ['MOVE', 'k', '3'] }]);
  });

  test('COPY raises copy_to in the target database', async () => {
    await a.call('SET', 'k', 'v');
    events = [];
    await a.call('COPY', 'k', 'k2', 'DB', '5');
    expect(events).toEqual([[5, 'g', 'copy_to', 'k2']]);
  });

  test('a failed or no-op command raises nothing and propagates nothing', async () => {
    await a.call('SET', 'k', 'v');
    await a.call('SET', 'other', 'v');
    events = [];
    effects = [];
    await a.call('RENAMENX', 'k', 'other');
    await a.call('RENAME', 'k', 'k');
    await a.call('MOVE', 'nosuch', '1');
    await a.call('COPY', 'k', 'other');
    await a.call('DEL', 'nosuch');
    expect(events).toEqual([]);
    expect(effects).toEqual([]);
  });

  test('read commands that miss raise keymiss, OBJECT does not', async () => {
    await a.call('EXISTS', 'x');
    await a.call('TYPE', 'y');
    await a.call('OBJECT', 'ENCODING', 'z');
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
        await a.call('FLUSHALL');
        await a.call('SET', 'src', 'v');
        await a.call('WATCH', watched);
        await b.call(...cmd);
        await a.call('MULTI');
        await a.call('PING');
        expect(await a.call('EXEC'), `${cmd.join(' ')} watched ${watched}`).toEqual({ t: 'array', v: null });
      }
      await a.call('FLUSHALL');
      await a.call('SET', 'src', 'v');
      await a.call('SELECT', '1');
      await a.call('WATCH', 'src');
      await b.call('MOVE', 'src', '1');
      await a.call('MULTI');
      expect(await a.call('EXEC'), 'MOVE into a watched key of the target database').toEqual({ t: 'array', v: null });
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
    expect(await a.call('TYPE', 'h')).toEqual({ t: 'simple', v: 'hash' });
    expect(await a.call('COPY', 'h', 'h2')).toEqual(int(1));
    expect(h.clones).toBe(1);
    const copy = db.get('h2') as FakeHash;
    expect(copy).not.toBe(h);
    copy.fields.set('g', 'w');
    expect(h.fields.has('g')).toBe(false);
    expect(await a.call('COPY', 'h', 'h3', 'DB', '2')).toEqual(int(1));
    expect(sluice.server.keyspace.db(2).get('h3')).toBeInstanceOf(FakeHash);
  });

  test('RENAME and MOVE move the same object', async () => {
    const h = new FakeHash(new Map());
    sluice.server.keyspace.db(0).set('h', h);
    await a.call('RENAME', 'h', 'h2');
    await a.call('MOVE', 'h2', '1');
    expect(sluice.server.keyspace.db(1).get('h2')).toBe(h);
    expect(h.clones).toBe(0);
  });

  test('OBJECT ENCODING reports the value encoding', async () => {
    sluice.server.keyspace.db(0).set('h', new FakeHash(new Map()));
    expect(await a.call('OBJECT', 'ENCODING', 'h')).toEqual(bulk('listpack'));
    expect(await a.call('OBJECT', 'REFCOUNT', 'h')).toEqual(int(1));
  });
});

describe('OBJECT', () => {
  test('IDLETIME says access times are not tracked instead of inventing one', async () => {
    await a.call('SET', 'k', 'v');
    expect(await a.call('OBJECT', 'IDLETIME', 'k')).toEqual({
      t: 'error', v: 'ERR Sluice does not track key access times, so OBJECT IDLETIME is not available',
    });
    expect(await a.call('OBJECT', 'IDLETIME', 'nosuch')).toEqual(bulk(null));
  });

  test('a missing key is a RESP3 null', async () => {
    await a.call('HELLO', '3');
    expect(await a.call('OBJECT', 'ENCODING', 'nosuch')).toEqual({ t: 'null' });
  });

  test('lookups count keyspace hits and misses', async () => {
    await a.call('SET', 'k', '1');
    const stats = sluice.server.keyspace.stats;
    const [hits, misses] = [stats.hits, stats.misses];
    await a.call('OBJECT', 'ENCODING', 'k');
    await a.call('OBJECT', 'REFCOUNT', 'nosuch');
    expect([stats.hits - hits, stats.misses - misses]).toEqual([1, 1]);
  });
});

describe('KEYS and RANDOMKEY with expired keys', () => {
  test('KEYS leaves out a key past its deadline without deleting it', async () => {
    await a.call('SET', 'live', '1');
    await a.call('SET', 'dead', '1');
    const db = sluice.server.keyspace.db(0);
    db.setDeadline('dead', Date.now() - 1);
    expect(await a.call('KEYS', '*')).toEqual({ t: 'array', v: [bulk('live')] });
    expect(db.dict.has('dead')).toBe(true);
  });

  test('RANDOMKEY deletes the expired keys it draws and answers nil when none is live', async () => {
    const db = sluice.server.keyspace.db(0);
    for (let i = 0; i < 50; i++) {
      await a.call('SET', `k${i}`, 'v');
      db.setDeadline(`k${i}`, Date.now() - 1);
    }
    effects = [];
    expect(await a.call('RANDOMKEY')).toEqual(bulk(null));
    expect(db.size).toBe(0);
    expect(effects.filter((e) => e.argv[0] === 'DEL')).toHaveLength(50);
  });

  test('RANDOMKEY only answers live keys', async () => {
    const db = sluice.server.keyspace.db(0);
    await a.call('SET', 'live', 'v');
    for (let i = 0; i < 20; i++) {
      await a.call('SET', `k${i}`, 'v');
      db.setDeadline(`k${i}`, Date.now() - 1);
    }
    for (let i = 0; i < 5; i++) expect(await a.call('RANDOMKEY')).toEqual(bulk('live'));
  });

  test('RENAME onto an expired key expires it first', async () => {
    const db = sluice.server.keyspace.db(0);
    await a.call('SET', 'src', 'v');
    await a.call('SET', 'dst', 'old');
    db.setDeadline('dst', Date.now() - 1);
    events = [];
    expect(await a.call('RENAME', 'src', 'dst')).toEqual(OK);
    expect(events[0]).toEqual([0, 'x', 'expired', 'dst']);
  });
});
