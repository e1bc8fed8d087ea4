import { afterEach, describe, expect, test } from 'vitest';
import { ListValue } from '../../../src/queues/list/list-value.js';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';

// DEBUG RELOAD shows how loading converts lists.
const sluice = useSluice({ conn: 'fresh', observe: true, start: { config: { 'enable-debug-command': 'yes' } } });
const { events, effects } = sluice;

const int = (n: number): Resp => ({ t: 'int', v: String(n) });
const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const err = (v: string): Resp => ({ t: 'error', v });
const arr = (...v: Resp[]): Resp => ({ t: 'array', v });
const bulks = (...v: string[]) => arr(...v.map((x) => bulk(x)));
const OK: Resp = { t: 'simple', v: 'OK' };

async function encoding(key: string): Promise<string | null> {
  const r = await sluice.conn.call('OBJECT', 'ENCODING', key);
  return r.t === 'bulk' ? r.v : null;
}

/** Runs commands, then returns the events and effects they caused. */
async function observe(...cmds: string[][]): Promise<{ events: string[]; effects: string[][] }> {
  events.length = 0;
  effects.length = 0;
  for (const cmd of cmds) await sluice.conn.call(...cmd);
  return { events: events.map((e) => e.join(' ')), effects: effects.map((e) => e.argv) };
}

describe('keyspace events, as Redis raises them for each list command', () => {
  test('pushes raise lpush/rpush once per command; LPUSHX on a missing key raises nothing', async () => {
    const r = await observe(['LPUSH', 'k', 'a', 'b'], ['RPUSH', 'k', 'c'], ['LPUSHX', 'nokey', 'a'], ['RPUSHX', 'k', 'd']);
    expect(r.events).toEqual(['0 l lpush k', '0 l rpush k', '0 l rpush k']);
  });

  test('a pop that empties the list raises the pop event, then del', async () => {
    await sluice.conn.call('RPUSH', 'k', 'a', 'b', 'c');
    const r = await observe(['LPOP', 'k'], ['RPOP', 'k', '5'], ['LPOP', 'k']);
    expect(r.events).toEqual(['0 l lpop k', '0 l rpop k', '0 g del k']);
  });

  test('LMOVE raises the push on the destination first, then the pop (and del) on the source', async () => {
    await sluice.conn.call('RPUSH', 's', 'a', 'b');
    const r = await observe(['LMOVE', 's', 'd', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 's', 'd']);
    expect(r.events).toEqual(['0 l rpush d', '0 l lpop s', '0 l lpush d', '0 l rpop s', '0 g del s']);
  });

  test('LSET, LINSERT, LREM and LTRIM raise their events, LTRIM even when nothing was trimmed', async () => {
    await sluice.conn.call('RPUSH', 'k', 'a', 'b', 'a');
    const r = await observe(
      ['LSET', 'k', '0', 'x'],
      ['LINSERT', 'k', 'after', 'x', 'y'],
      ['LINSERT', 'k', 'after', 'nosuch', 'y'],
      ['LREM', 'k', '0', 'nosuch'],
      ['LREM', 'k', '1', 'a'],
      ['LTRIM', 'k', '0', '-1'],
      ['LTRIM', 'k', '5', '6'],
    );
    expect(r.events).toEqual(['0 l lset k', '0 l linsert k', '0 l lrem k', '0 l ltrim k', '0 l ltrim k', '0 g del k']);
  });

  test('LMPOP and the blocking pops that find data raise the pop event of their end', async () => {
    await sluice.conn.call('RPUSH', 'k', '1', '2', '3', '4', '5');
    const r = await observe(
      ['LMPOP', '1', 'k', 'RIGHT', 'COUNT', '2'],
      ['BLPOP', 'k', '0'],
      ['BRPOP', 'k', '0'],
      ['BLMPOP', '0', '1', 'k', 'LEFT'],
    );
    expect(r.events).toEqual(['0 l rpop k', '0 l lpop k', '0 l rpop k', '0 l lpop k', '0 g del k']);
  });

  test('commands that change nothing raise nothing', async () => {
    await sluice.conn.call('RPUSH', 'k', 'a');
    await sluice.conn.call('SET', 's', 'v');
    const r = await observe(
      ['LPOP', 'k', '0'],
      ['LPOP', 'nokey'],
      ['LREM', 'nokey', '0', 'a'],
      ['LINSERT', 'nokey', 'before', 'a', 'b'],
      ['LMOVE', 'nokey', 'd', 'LEFT', 'LEFT'],
      ['LMOVE', 'k', 's', 'LEFT', 'LEFT'],
      ['LMPOP', '1', 'nokey', 'LEFT'],
      ['LTRIM', 'nokey', '0', '1'],
    );
    expect(r.events).toEqual([]);
    expect(r.effects).toEqual([]);
  });
});

describe('propagated effects', () => {
  test('plain list writes propagate as sent; no-op ones not at all', async () => {
    const r = await observe(
      ['RPUSH', 'k', 'a', 'b', 'c', 'd'],
      ['LSET', 'k', '0', 'x'],
      ['LTRIM', 'k', '0', '-1'],
      ['LTRIM', 'k', '0', '2'],
      ['LREM', 'k', '0', 'zz'],
      ['LPOP', 'k', '0'],
      ['RPOP', 'k'],
    );
    expect(r.effects).toEqual([
      ['RPUSH', 'k', 'a', 'b', 'c', 'd'],
      ['LSET', 'k', '0', 'x'],
      ['LTRIM', 'k', '0', '2'],
      ['RPOP', 'k'],
    ]);
  });

  test('LMPOP and blocking pops that find data propagate their non-blocking twins, with the count actually popped', async () => {
    await sluice.conn.call('RPUSH', 'k', '1', '2', '3', '4', '5', '6');
    await sluice.conn.call('RPUSH', 's', 'x', 'y');
    const r = await observe(
      ['LMPOP', '2', 'nokey', 'k', 'LEFT', 'COUNT', '2'],
      ['BLPOP', 'nokey', 'k', '0'],
      ['BRPOP', 'k', '1'],
      ['BLMPOP', '0', '1', 'k', 'RIGHT', 'COUNT', '10'],
      ['BLMOVE', 's', 'd', 'RIGHT', 'LEFT', '0'],
      ['BRPOPLPUSH', 's', 'd', '0'],
    );
    expect(r.effects).toEqual([
      ['LPOP', 'k', '2'],
      ['LPOP', 'k'],
      ['RPOP', 'k'],
      ['RPOP', 'k', '2'],
      ['LMOVE', 's', 'd', 'RIGHT', 'LEFT'],
      ['RPOPLPUSH', 's', 'd'],
    ]);
  });

  test('a blocking pop inside MULTI that finds nothing propagates nothing', async () => {
    await sluice.conn.call('MULTI');
    await sluice.conn.call('BLPOP', 'nokey', '0');
    await sluice.conn.call('RPUSH', 'k', 'v');
    await sluice.conn.call('BLPOP', 'k', '0');
    expect(await sluice.conn.call('EXEC')).toEqual(arr({ t: 'array', v: null }, int(1), bulks('k', 'v')));
    expect(effects.map((e) => e.argv)).toEqual([['MULTI'], ['RPUSH', 'k', 'v'], ['LPOP', 'k'], ['EXEC']]);
  });

  test('changes are counted per element, as Redis counts them', async () => {
    const dirty = async () => {
      const info = await sluice.conn.call('INFO', 'persistence');
      return Number(/rdb_changes_since_last_save:(\d+)/.exec((info as { v: string }).v)![1]);
    };
    const before = await dirty();
    await sluice.conn.call('RPUSH', 'k', 'a', 'b', 'c', 'd', 'e');
    await sluice.conn.call('LPOP', 'k', '2');
    await sluice.conn.call('LTRIM', 'k', '0', '-1');
    await sluice.conn.call('LMOVE', 'k', 'd', 'LEFT', 'LEFT');
    expect((await dirty()) - before).toBe(5 + 2 + 0 + 1);
  });
});

describe('OBJECT ENCODING follows Redis 7.2 (listpack up to 8 KiB, quicklist beyond)', () => {
  // Redis 7.0 reports every list as quicklist, so these are checked against 7.2's rules, not the oracle.
  test('a small list is a listpack; one element past 8 KiB makes a quicklist', async () => {
    await sluice.conn.call('RPUSH', 'k', 'a', 'b');
    expect(await encoding('k')).toBe('listpack');
    await sluice.conn.call('RPUSH', 'big', 'x'.repeat(8186));
    expect(await encoding('big')).toBe('quicklist');
    await sluice.conn.call('RPUSH', 'edge', 'x'.repeat(8185));
    expect(await encoding('edge')).toBe('listpack');
  });

  test('the check adds the raw lengths of what is pushed to the listpack size, as Redis does', async () => {
    // 700 ten-byte elements: 7 + 7000 raw bytes fit, though encoded they take 7 + 700 * 12 = 8407.
    const elements = Array.from({ length: 700 }, () => '0123456789abcdefghij'.slice(0, 10));
    await sluice.conn.call('RPUSH', 'k', ...elements);
    expect(await encoding('k')).toBe('listpack');
    await sluice.conn.call('RPUSH', 'k', 'x');
    expect(await encoding('k')).toBe('quicklist');
    // Back to a listpack only once the list is within half the limit (4096 bytes).
    await sluice.conn.call('RPOP', 'k');
    await sluice.conn.call('LPOP', 'k', '359');
    expect(await encoding('k')).toBe('quicklist');
    await sluice.conn.call('LPOP', 'k');
    expect(await encoding('k')).toBe('listpack');
  });

  test('integers are counted at their listpack integer size', async () => {
    // 1000 small integers take 2 bytes each: 2007 bytes, far from the limit.
    await sluice.conn.call('RPUSH', 'n', ...Array.from({ length: 1000 }, (_, i) => String(i % 100)));
    await sluice.conn.call('RPUSH', 'n', 'y'.repeat(6000));
    expect(await encoding('n')).toBe('listpack');
  });

  test('LSET and LINSERT settle the encoding for the new element before checking their index or pivot', async () => {
    await sluice.conn.call('RPUSH', 'k', 'a');
    expect(await sluice.conn.call('LSET', 'k', '5', 'x'.repeat(9000))).toEqual(err('ERR index out of range'));
    expect(await encoding('k')).toBe('quicklist');
    await sluice.conn.call('RPUSH', 'j', 'a');
    expect(await sluice.conn.call('LINSERT', 'j', 'before', 'nosuch', 'x'.repeat(9000))).toEqual(int(-1));
    expect(await encoding('j')).toBe('quicklist');
    await sluice.conn.call('RPUSH', 'm', 'a', 'b');
    await sluice.conn.call('LSET', 'm', '0', 'x'.repeat(9000));
    expect(await encoding('m')).toBe('quicklist');
    await sluice.conn.call('LSET', 'm', '0', 'small');
    expect(await encoding('m')).toBe('listpack');
  });

  test('COPY keeps the encoding and makes an independent list', async () => {
    await sluice.conn.call('RPUSH', 'k', 'x'.repeat(9000), 'b');
    await sluice.conn.call('COPY', 'k', 'c');
    expect(await encoding('c')).toBe('quicklist');
    await sluice.conn.call('LPOP', 'k');
    expect(await sluice.conn.call('LRANGE', 'c', '1', '1')).toEqual(bulks('b'));
    expect(await sluice.conn.call('LLEN', 'c')).toEqual(int(2));
    expect(await sluice.conn.call('LLEN', 'k')).toEqual(int(1));
  });
});

describe('a list created by one push of several elements', () => {
  test('is kept packed until it is first changed: MEMORY USAGE below that of the same list pushed one element at a time', async () => {
    const elements = Array.from({ length: 20 }, (_, i) => `element:${i}`);
    await sluice.conn.call('RPUSH', 'whole', ...elements);
    for (const e of elements) await sluice.conn.call('RPUSH', 'single', e);
    const usage = async (key: string): Promise<number> => Number(((await sluice.conn.call('MEMORY', 'USAGE', key)) as { v: string }).v);
    expect(await usage('whole')).toBeLessThan((await usage('single')) / 2);
    expect(await sluice.conn.call('LRANGE', 'whole', '0', '-1')).toEqual(await sluice.conn.call('LRANGE', 'single', '0', '-1'));
    expect(await sluice.conn.call('LPOP', 'whole')).toEqual(await sluice.conn.call('LPOP', 'single'));
    expect(await sluice.conn.call('LRANGE', 'whole', '0', '-1')).toEqual(await sluice.conn.call('LRANGE', 'single', '0', '-1'));
  });
});

describe('list-max-listpack-size sets where a list becomes a quicklist and turns back, as in Redis 7.2', () => {
  // Checked by hand against redis-server 7.2.6 (7.0 has no listpack lists).
  const fill = (v: number) => sluice.conn.call('CONFIG', 'SET', 'list-max-listpack-size', String(v));
  afterEach(async () => {
    await fill(-2);
  });

  test('a positive setting counts entries: past it a quicklist, back to a listpack at half of it', async () => {
    await fill(3);
    await sluice.conn.call('RPUSH', 'k', 'a', 'b', 'c');
    expect(await encoding('k')).toBe('listpack');
    await sluice.conn.call('RPUSH', 'k', 'd');
    expect(await encoding('k')).toBe('quicklist');
    await sluice.conn.call('RPOP', 'k', '2');
    expect(await encoding('k')).toBe('quicklist');
    await sluice.conn.call('RPOP', 'k');
    expect(await encoding('k')).toBe('listpack');
  });

  test('0 counts as 1, below -5 as -5 (64 KiB)', async () => {
    await fill(0);
    await sluice.conn.call('RPUSH', 'k', 'a');
    expect(await encoding('k')).toBe('listpack');
    await sluice.conn.call('RPUSH', 'k', 'b');
    expect(await encoding('k')).toBe('quicklist');
    await fill(-6);
    await sluice.conn.call('RPUSH', 'big', 'x'.repeat(60000));
    expect(await encoding('big')).toBe('listpack');
    await sluice.conn.call('RPUSH', 'big', 'x'.repeat(5536));
    expect(await encoding('big')).toBe('quicklist');
  });

  test('-1 limits a listpack to 4 KiB, and it turns back within 2 KiB', async () => {
    await fill(-1);
    await sluice.conn.call('RPUSH', 'k', 'x'.repeat(2000), 'x'.repeat(2000), 'x'.repeat(300));
    expect(await encoding('k')).toBe('quicklist');
    await sluice.conn.call('RPOP', 'k');
    expect(await encoding('k')).toBe('quicklist');
    await sluice.conn.call('RPOP', 'k');
    expect(await encoding('k')).toBe('listpack');
  });

  test('under a count a growing listpack still stops at 8 KiB', async () => {
    await fill(5);
    await sluice.conn.call('RPUSH', 'k', 'x'.repeat(3000), 'x'.repeat(3000));
    expect(await encoding('k')).toBe('listpack');
    await sluice.conn.call('RPUSH', 'k', 'x'.repeat(3000));
    expect(await encoding('k')).toBe('quicklist');
  });

  test('LINSERT, LSET, LMOVE, LREM and LTRIM convert by the setting', async () => {
    await fill(3);
    await sluice.conn.call('RPUSH', 'i', 'a', 'b');
    await sluice.conn.call('LINSERT', 'i', 'AFTER', 'a', 'z');
    expect(await encoding('i')).toBe('listpack');
    await sluice.conn.call('LINSERT', 'i', 'AFTER', 'a', 'y');
    expect(await encoding('i')).toBe('quicklist');
    await sluice.conn.call('RPUSH', 'src', '1', '2', '3', '4', '5');
    await sluice.conn.call('RPUSH', 'dst', 'a', 'b', 'c');
    await sluice.conn.call('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT');
    expect(await encoding('dst')).toBe('quicklist');
    await sluice.conn.call('LPOP', 'src', '3');
    expect(await encoding('src')).toBe('listpack');
    await sluice.conn.call('RPUSH', 'r', 'a', 'b', 'c', 'd');
    await sluice.conn.call('LREM', 'r', '0', 'b');
    expect(await encoding('r')).toBe('quicklist');
    await sluice.conn.call('LTRIM', 'r', '0', '0');
    expect(await encoding('r')).toBe('listpack');
  });

  test('loading keeps a quicklist of several nodes and makes one node within the setting a listpack', async () => {
    await fill(3);
    await sluice.conn.call('RPUSH', 'k', 'a', 'b', 'c', 'd');
    expect(await sluice.conn.call('DEBUG', 'RELOAD')).toEqual(OK);
    expect(await encoding('k')).toBe('quicklist');
    await sluice.conn.call('RPOP', 'k');
    expect(await encoding('k')).toBe('quicklist');
    expect(await sluice.conn.call('DEBUG', 'RELOAD')).toEqual(OK);
    expect(await encoding('k')).toBe('listpack');
  });

  test('RESTORE keeps the payload\'s nodes: several stay a quicklist, one past the setting becomes one', async () => {
    await fill(3);
    await sluice.conn.call('RPUSH', 'seven', 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    const several = await sluice.conn.call('DUMP', 'seven');
    await fill(-2);
    await sluice.conn.call('RPUSH', 'four', 'a', 'b', 'c', 'd');
    const one = await sluice.conn.call('DUMP', 'four');
    await fill(100);
    expect(await sluice.conn.call('RESTORE', 'r1', '0', (several as { v: string }).v)).toEqual(OK);
    expect(await encoding('r1')).toBe('quicklist');
    await fill(3);
    expect(await sluice.conn.call('RESTORE', 'r2', '0', (one as { v: string }).v)).toEqual(OK);
    expect(await encoding('r2')).toBe('quicklist');
  });

  test('SORT STORE makes a listpack when the result fits one node', async () => {
    await fill(2);
    await sluice.conn.call('RPUSH', 's', '3', '1', '2');
    await sluice.conn.call('SORT', 's', 'STORE', 'd');
    expect(await encoding('d')).toBe('quicklist');
    await sluice.conn.call('SORT', 's', 'LIMIT', '0', '2', 'STORE', 'd');
    expect(await encoding('d')).toBe('listpack');
  });
});

describe('Redis 7.2 answers that differ from the 7.0 oracle', () => {
  test('LPOS refuses a RANK of LLONG_MIN', async () => {
    await sluice.conn.call('RPUSH', 'k', 'a');
    expect(await sluice.conn.call('LPOS', 'k', 'a', 'RANK', '-9223372036854775808')).toEqual(
      err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
    );
  });

  test('a timeout of inf, or one that would pass the int64 range, is out of range', async () => {
    await sluice.conn.call('RPUSH', 'k', 'v');
    for (const t of ['inf', '+Infinity', '1e300', '9223372036854775807', '9223372036854775']) {
      expect(await sluice.conn.call('BLPOP', 'k', t)).toEqual(err('ERR timeout is out of range'));
    }
    expect(await sluice.conn.call('BLMPOP', '1e300', '1', 'k', 'LEFT')).toEqual(err('ERR timeout is out of range'));
    expect(await sluice.conn.call('LLEN', 'k')).toEqual(int(1));
  });
});

describe('long lists', () => {
  test("LSET's index counts only its low 32 bits, as Redis 7.2's (7.0 refused these as out of range)", async () => {
    await sluice.conn.call('RPUSH', 'k', 'a', 'b', 'c');
    expect(await sluice.conn.call('LSET', 'k', '4294967296', 'head')).toEqual(OK);
    expect(await sluice.conn.call('LSET', 'k', '9223372036854775807', 'tail')).toEqual(OK);
    expect(await sluice.conn.call('LSET', 'k', '-9223372036854775807', 'second')).toEqual(OK);
    expect(await sluice.conn.call('LRANGE', 'k', '0', '-1')).toEqual(bulks('head', 'second', 'tail'));
    // 2^31 is -2^31 as a C int: out of range of three elements.
    expect(await sluice.conn.call('LSET', 'k', '2147483648', 'x')).toEqual(err('ERR index out of range'));
    expect(await sluice.conn.call('LSET', 'k', '9223372036854775808', 'x')).toEqual(err('ERR value is not an integer or out of range'));
    expect(await sluice.conn.call('LRANGE', 'k', '0', '-1')).toEqual(bulks('head', 'second', 'tail'));
    // Replicas and the AOF get the index used, which a Redis 7.0 replica takes too; a 32-bit one goes as sent.
    const r = await observe(['LSET', 'k', '4294967298', 'x'], ['LSET', 'k', '-1', 'y']);
    expect(r.effects).toEqual([['LSET', 'k', '2', 'x'], ['LSET', 'k', '-1', 'y']]);
  });

  test('indexing, ranges, inserts and removals stay correct deep inside a 100,000-element list', async () => {
    const n = 100_000;
    for (let i = 0; i < n; i += 10_000) {
      await sluice.conn.call('RPUSH', 'k', ...Array.from({ length: 10_000 }, (_, j) => String(i + j)));
    }
    expect(await sluice.conn.call('LINDEX', 'k', '54321')).toEqual(bulk('54321'));
    expect(await sluice.conn.call('LINDEX', 'k', '-1')).toEqual(bulk('99999'));
    expect(await sluice.conn.call('LRANGE', 'k', '49998', '50001')).toEqual(bulks('49998', '49999', '50000', '50001'));
    expect(await sluice.conn.call('LINSERT', 'k', 'before', '50000', 'mid')).toEqual(int(n + 1));
    expect(await sluice.conn.call('LPOS', 'k', 'mid')).toEqual(int(50000));
    expect(await sluice.conn.call('LREM', 'k', '-1', '3')).toEqual(int(1));
    expect(await sluice.conn.call('LINDEX', 'k', '3')).toEqual(bulk('4'));
    expect(await sluice.conn.call('LSET', 'k', '-2', 'tail')).toEqual(OK);
    expect(await sluice.conn.call('LRANGE', 'k', '-2', '-1')).toEqual(bulks('tail', '99999'));
    expect(await sluice.conn.call('LTRIM', 'k', '49999', '50001')).toEqual(OK);
    expect(await sluice.conn.call('LRANGE', 'k', '0', '-1')).toEqual(bulks('mid', '50000', '50001'));
  });
});

describe('the AOF rewrite', () => {
  test('rebuilds a list with RPUSHes of at most 64 elements, head to tail', () => {
    const list = new ListValue();
    for (let i = 0; i < 150; i++) list.pushBack(String(i));
    list.pushFront('first');
    const cmds = [...{ [Symbol.iterator]: () => list.rebuildCommands('k') }];
    expect(cmds.map((c) => c.length - 2)).toEqual([64, 64, 23]);
    expect(cmds.every((c) => c[0] === 'RPUSH' && c[1] === 'k')).toBe(true);
    expect(cmds.flatMap((c) => c.slice(2))).toEqual(['first', ...Array.from({ length: 150 }, (_, i) => String(i))]);
  });
});

describe('WATCH', () => {
  test('list writes break a watching transaction; a list command that changes nothing does not', async () => {
    const b = await RespClient.connect(sluice.port);
    try {
      await sluice.conn.call('RPUSH', 'k', 'a', 'b');
      const cases: [string[], boolean][] = [
        [['LPUSH', 'k', 'x'], true],
        [['LPOP', 'k', '0'], false],
        [['LREM', 'k', '0', 'nosuch'], false],
        [['LTRIM', 'k', '0', '-1'], true],
        [['LMOVE', 'k', 'other', 'LEFT', 'LEFT'], true],
        [['LSET', 'k', '0', 'y'], true],
      ];
      for (const [cmd, breaks] of cases) {
        await sluice.conn.call('WATCH', 'k');
        await sluice.conn.call('MULTI');
        await sluice.conn.call('PING');
        await b.call(...cmd);
        const exec = await sluice.conn.call('EXEC');
        expect(exec.t === 'array' && exec.v === null, cmd.join(' ')).toBe(breaks);
      }
    } finally {
      b.close();
    }
  });
});
