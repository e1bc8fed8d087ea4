import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh', observe: true });
const { events, effects } = sluice;

const call = (...args: string[]) => sluice.conn.call(...args);
const int = (n: number) => ({ t: 'int', v: String(n) });
const err = (v: string) => ({ t: 'error', v });

/** The strings of an array or set reply. */
function strings(r: Resp): string[] {
  if ((r.t !== 'array' && r.t !== 'set') || r.v === null) throw new Error(`not an array: ${JSON.stringify(r)}`);
  return r.v.map((x) => {
    if (x.t !== 'bulk' || x.v === null) throw new Error(`not a bulk: ${JSON.stringify(x)}`);
    return x.v;
  });
}

async function members(key: string): Promise<string[]> {
  return strings(await call('SMEMBERS', key)).sort();
}

async function encoding(key: string): Promise<string | null> {
  const r = await call('OBJECT', 'ENCODING', key);
  return r.t === 'bulk' ? r.v : null;
}

async function dirty(): Promise<number> {
  const info = await call('INFO', 'persistence');
  return Number(/rdb_changes_since_last_save:(\d+)/.exec((info as { v: string }).v)![1]);
}

const range = (prefix: string, from: number, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);

/** Runs commands, then returns the events and effects they caused. */
async function observe(...cmds: string[][]): Promise<{ events: string[]; effects: string[][] }> {
  events.length = 0;
  effects.length = 0;
  for (const cmd of cmds) await call(...cmd);
  return { events: events.map((e) => e.join(' ')), effects: effects.map((e) => e.argv) };
}

describe('keyspace events, as Redis 7.2 raises them', () => {
  test('SADD and SREM raise one event per command that changed something; the last member out raises del', async () => {
    const r = await observe(
      ['SADD', 's', 'a', 'b'], ['SADD', 's', 'a'], ['SREM', 's', 'zz'], ['SREM', 's', 'a'], ['SREM', 's', 'b', 'c'], ['SREM', 's', 'a'],
    );
    expect(r.events).toEqual(['0 s sadd s', '0 s srem s', '0 s srem s', '0 g del s']);
  });

  test('SMOVE raises srem on the source (and del if it emptied), then sadd on the destination if the member was new there', async () => {
    await call('SADD', 'src', 'a', 'b');
    await call('SADD', 'dst', 'b');
    const r = await observe(['SMOVE', 'src', 'dst', 'a'], ['SMOVE', 'src', 'dst', 'b'], ['SMOVE', 'dst', 'dst', 'a'], ['SMOVE', 'dst', 'x', 'zz']);
    expect(r.events).toEqual(['0 s srem src', '0 s sadd dst', '0 s srem src', '0 g del src']);
  });

  test('SPOP raises spop (and del when the set is gone), with or without a count; a count of 0 raises nothing', async () => {
    await call('SADD', 's', 'a', 'b', 'c', 'd');
    const r = await observe(['SPOP', 's'], ['SPOP', 's', '0'], ['SPOP', 's', '2'], ['SPOP', 's', '5'], ['SPOP', 's', '1']);
    expect(r.events).toEqual(['0 s spop s', '0 s spop s', '0 s spop s', '0 g del s']);
  });

  test('the *STORE commands raise their event on the destination; an empty result deletes it, raising del only if it existed', async () => {
    await call('SADD', 'a', '1', '2');
    await call('SADD', 'b', '2', '3');
    const r = await observe(
      ['SINTERSTORE', 'd', 'a', 'b'], ['SUNIONSTORE', 'd', 'a', 'b'], ['SDIFFSTORE', 'd', 'a', 'b'],
      ['SINTERSTORE', 'd', 'a', 'nokey'], ['SDIFFSTORE', 'd', 'a', 'a'], ['SUNIONSTORE', 'd', 'nokey'],
    );
    expect(r.events.filter((e) => !e.includes(' keymiss '))).toEqual(['0 s sinterstore d', '0 s sunionstore d', '0 s sdiffstore d', '0 g del d']);
  });

  test('reads raise keymiss for each missing key they look up', async () => {
    const r = await observe(['SINTER', 'x', 'y'], ['SMISMEMBER', 'x', 'a'], ['SSCAN', 'x', '0'], ['SMOVE', 'x', 'y', 'a']);
    expect(r.events).toEqual(['0 m keymiss x', '0 m keymiss y', '0 m keymiss x', '0 m keymiss x']);
  });

  test('changes are counted as Redis counts them: per member added, removed or popped, one per store or move', async () => {
    const before = await dirty();
    await call('SADD', 's', 'a', 'b', 'c', 'a');
    await call('SADD', 's', 'a');
    await call('SREM', 's', 'a', 'zz');
    await call('SADD', 'd', 'b');
    await call('SMOVE', 's', 'd', 'b');
    await call('SMOVE', 's', 'd', 'c');
    await call('SADD', 'p', 'a', 'b', 'c', 'd', 'e');
    await call('SPOP', 'p', '2');
    await call('SPOP', 'p', '10');
    await call('SUNIONSTORE', 'u', 'd', 'nokey');
    await call('SINTERSTORE', 'u', 'nokey');
    await call('SINTERSTORE', 'u', 'nokey');
    expect((await dirty()) - before).toBe(3 + 0 + 1 + 1 + 1 + 2 + 5 + 2 + 3 + 1 + 1 + 0);
  });
});

describe('propagated effects', () => {
  test('SPOP propagates as SREM of the member popped; one that empties the set is still an SREM', async () => {
    await call('SADD', 's', 'a', 'b');
    const popped = (await call('SPOP', 's')) as { v: string };
    const last = (await call('SPOP', 's')) as { v: string };
    expect(effects.map((e) => e.argv)).toEqual([['SADD', 's', 'a', 'b'], ['SREM', 's', popped.v], ['SREM', 's', last.v]]);
  });

  test('SPOP with a count propagates SREM of exactly what it popped; popping the whole set propagates DEL', async () => {
    await call('SADD', 's', ...range('m', 0, 20));
    const r = await observe(['SPOP', 's', '3']);
    const popped = new Set(await members('s').then((left) => range('m', 0, 20).filter((m) => !left.includes(m))));
    expect(r.effects.length).toBe(1);
    expect(r.effects[0].slice(0, 2)).toEqual(['SREM', 's']);
    expect(new Set(r.effects[0].slice(2))).toEqual(popped);
    const all = await observe(['SPOP', 's', '100']);
    expect(all.effects).toEqual([['DEL', 's']]);
  });

  test('popping a whole set under lazyfree-lazy-server-del propagates UNLINK, as Redis 7.2 (unit/type/set)', async () => {
    await call('SADD', 'lazy', ...range('m', 0, 5));
    await call('CONFIG', 'SET', 'lazyfree-lazy-server-del', 'yes');
    try {
      const all = await observe(['SPOP', 'lazy', '5']);
      expect(all.effects).toEqual([['UNLINK', 'lazy']]);
    } finally {
      await call('CONFIG', 'SET', 'lazyfree-lazy-server-del', 'no');
    }
  });

  test('SPOP of more than 1024 members propagates SREMs of 1024 at most, together in MULTI/EXEC', async () => {
    for (let i = 0; i < 3000; i += 500) await call('SADD', 'big', ...range('m', i, 500));
    // 2500 of 3000: the rebuild strategy (what stays is at most a fifth of what goes).
    const r = await observe(['SPOP', 'big', '2500']);
    expect(r.effects.map((e) => e[0])).toEqual(['MULTI', 'SREM', 'SREM', 'SREM', 'EXEC']);
    expect(r.effects.slice(1, 4).map((e) => e.length - 2)).toEqual([1024, 1024, 452]);
    const popped = new Set(r.effects.slice(1, 4).flatMap((e) => e.slice(2)));
    expect(popped.size).toBe(2500);
    const left = await members('big');
    expect(left.length).toBe(500);
    for (const m of left) expect(popped.has(m)).toBe(false);
  });

  test('inside MULTI, SPOP with a count joins the transaction’s effects', async () => {
    await call('SADD', 's', ...range('m', 0, 10));
    effects.length = 0;
    await call('MULTI');
    await call('SADD', 't', 'x');
    await call('SPOP', 's', '2');
    await call('EXEC');
    const argvs = effects.map((e) => e.argv);
    expect(argvs.map((a) => a[0])).toEqual(['MULTI', 'SADD', 'SREM', 'EXEC']);
    expect(argvs[2].length).toBe(4);
  });

  test('reads and writes that change nothing propagate nothing; the rest propagate as sent', async () => {
    await call('SADD', 'a', '1', '2');
    const r = await observe(
      ['SADD', 'a', '1'], ['SREM', 'a', 'zz'], ['SRANDMEMBER', 'a', '5'], ['SPOP', 'nokey', '2'], ['SPOP', 'a', '0'],
      ['SMOVE', 'a', 'a', '1'], ['SINTERSTORE', 'none', 'nokey'], ['SUNIONSTORE', 'u', 'a'], ['SMOVE', 'a', 'b', '1'],
    );
    expect(r.effects).toEqual([['SUNIONSTORE', 'u', 'a'], ['SMOVE', 'a', 'b', '1']]);
  });
});

describe('OBJECT ENCODING follows Redis 7.2 (7.0 has no listpack sets, so these state 7.2’s answers)', () => {
  test('integers make an intset, short strings a listpack, and past the thresholds a hashtable', async () => {
    await call('SADD', 'i', '1', '2', '-3');
    await call('SADD', 'l', 'a', '1');
    await call('SADD', 'h', ...range('m', 0, 129));
    await call('SADD', 'big', ...range('', 0, 513));
    await call('SADD', 'long', 'x'.repeat(65));
    expect([await encoding('i'), await encoding('l'), await encoding('h'), await encoding('big'), await encoding('long')]).toEqual([
      'intset', 'listpack', 'hashtable', 'hashtable', 'hashtable',
    ]);
  });

  test('the thresholds are the set-max-* parameters, read when a command runs', async () => {
    await call('CONFIG', 'SET', 'set-max-intset-entries', '2');
    await call('CONFIG', 'SET', 'set-max-listpack-entries', '3');
    await call('CONFIG', 'SET', 'set-max-listpack-value', '4');
    try {
      await call('SADD', 'i', '1', '2');
      expect(await encoding('i')).toBe('intset');
      await call('SADD', 'i', '3');
      expect(await encoding('i')).toBe('hashtable');
      await call('SADD', 'l', 'abcd', 'b');
      expect(await encoding('l')).toBe('listpack');
      await call('SADD', 'l', 'abcde');
      expect(await encoding('l')).toBe('hashtable');
    } finally {
      await call('CONFIG', 'SET', 'set-max-intset-entries', '512');
      await call('CONFIG', 'SET', 'set-max-listpack-entries', '128');
      await call('CONFIG', 'SET', 'set-max-listpack-value', '64');
    }
  });

  test('members stay in the encoding’s order: an intset’s numeric, a listpack’s as added', async () => {
    await call('SADD', 'i', '10', '-1', '3');
    await call('SADD', 'l', 'b', 'a', '3');
    expect(strings(await call('SMEMBERS', 'i'))).toEqual(['-1', '3', '10']);
    expect(strings(await call('SMEMBERS', 'l'))).toEqual(['b', 'a', '3']);
    expect(await call('SSCAN', 'l', '0', 'COUNT', '1')).toEqual({
      t: 'array', v: [{ t: 'bulk', v: '0' }, { t: 'array', v: ['b', 'a', '3'].map((v) => ({ t: 'bulk', v })) }],
    });
  });

  test('a stored intersection of integers is an intset, whatever its sources were', async () => {
    await call('SADD', 'h', ...range('', 0, 200), 'x');
    await call('SADD', 'l', '5', '7', 'y');
    await call('SINTERSTORE', 'd', 'h', 'l');
    expect(await encoding('d')).toBe('intset');
    await call('SINTERSTORE', 'd2', 'h', 'h');
    expect(await encoding('d2')).toBe('hashtable');
    await call('SREM', 'h', 'x');
    await call('SINTERSTORE', 'd3', 'h', 'h');
    expect(await encoding('d3')).toBe('intset');
  });

  test('SUNIONSTORE and SDIFFSTORE build their result from an intset up, as Redis does', async () => {
    await call('SADD', 'a', ...range('m', 0, 200));
    await call('SADD', 'b', ...range('m', 0, 195));
    await call('SADD', 'c', ...range('', 0, 200), 'x');
    await call('SREM', 'c', 'x');
    await call('SDIFFSTORE', 'd', 'a', 'b');
    expect(await encoding('d')).toBe('listpack');
    await call('SUNIONSTORE', 'u', 'c');
    expect(await encoding('u')).toBe('intset');
  });

  test('SDIFFSTORE’s choice of algorithm shows: adding everything first may pass a threshold that the result is under', async () => {
    await call('SADD', 'a', ...range('m', 0, 200));
    const others: string[] = [];
    for (let j = 0; j < 10; j++) {
      await call('SADD', `b${j}`, ...range('m', j * 19, 19));
      others.push(`b${j}`);
    }
    // Many small sets to subtract: Redis adds all 200 and removes, so the 10 left are in a hashtable.
    expect(await call('SDIFFSTORE', 'd', 'a', ...others)).toEqual(int(10));
    expect(await encoding('d')).toBe('hashtable');
    // One big set to subtract: Redis tests each member instead, and 10 fit a listpack.
    await call('SUNIONSTORE', 'all', ...others);
    expect(await call('SDIFFSTORE', 'd2', 'a', 'all')).toEqual(int(10));
    expect(await encoding('d2')).toBe('listpack');
  });

  test('SPOP that takes most of a set rebuilds it from what stays, which may take a smaller encoding', async () => {
    await call('SADD', 'h', ...range('m', 0, 200));
    await call('SPOP', 'h', '190');
    expect(await encoding('h')).toBe('listpack');
    await call('SADD', 'n', ...range('', 0, 600));
    await call('SPOP', 'n', '590');
    // A hashtable's members come out as strings: the rebuilt set is a listpack even when they are integers.
    expect(await encoding('n')).toBe('listpack');
    await call('SADD', 'i', ...range('', 0, 400));
    await call('SPOP', 'i', '390');
    expect(await encoding('i')).toBe('intset');
    // Popping fewer leaves the encoding alone.
    await call('SADD', 'k', ...range('m', 0, 200));
    await call('SPOP', 'k', '100');
    expect(await encoding('k')).toBe('hashtable');
  });

  test('SMOVE to a new key creates it as SADD of that one member would', async () => {
    await call('SADD', 's', '12', 'x');
    await call('SMOVE', 's', 'i', '12');
    await call('SMOVE', 's', 'l', 'x');
    expect([await encoding('i'), await encoding('l')]).toEqual(['intset', 'listpack']);
  });

  test('COPY keeps the encoding and makes an independent set', async () => {
    await call('SADD', 'h', ...range('m', 0, 300));
    await call('COPY', 'h', 'c');
    expect(await encoding('c')).toBe('hashtable');
    await call('SREM', 'h', 'm0');
    await call('SADD', 'c', 'new');
    expect(await call('SISMEMBER', 'c', 'm0')).toEqual(int(1));
    expect(await call('SISMEMBER', 'h', 'new')).toEqual(int(0));
  });
});

describe('random members', () => {
  test('SRANDMEMBER with a positive count gives distinct members, as many as asked or the whole set, in every encoding', async () => {
    await call('SADD', 'i', ...range('', 0, 300));
    await call('SADD', 'l', ...range('m', 0, 100));
    await call('SADD', 'h', ...range('m', 0, 1000));
    for (const [key, size] of [['i', 300], ['l', 100], ['h', 1000]] as const) {
      for (const count of [1, 2, 30, 99, size - 1, size, size + 5]) {
        const got = strings(await call('SRANDMEMBER', key, String(count)));
        expect(got.length).toBe(Math.min(count, size));
        expect(new Set(got).size).toBe(got.length);
        const all = new Set(await members(key));
        for (const m of got) expect(all.has(m)).toBe(true);
      }
    }
  });

  test('SRANDMEMBER with a negative count draws |count| members independently, repeats included', async () => {
    await call('SADD', 'l', 'a', 'b', 'c');
    await call('SADD', 'h', ...range('m', 0, 200));
    const got = strings(await call('SRANDMEMBER', 'l', '-1000'));
    expect(got.length).toBe(1000);
    // With 1000 draws among 3 members, each shows up and repeats are certain.
    expect(new Set(got)).toEqual(new Set(['a', 'b', 'c']));
    const fromHash = strings(await call('SRANDMEMBER', 'h', '-500'));
    expect(fromHash.length).toBe(500);
    for (const m of fromHash) expect(m.startsWith('m')).toBe(true);
  });

  test('SRANDMEMBER refuses a negative count whose reply would pass 512 MB (Redis would write it until the client is closed)', async () => {
    await call('SADD', 's', 'a');
    expect(await call('SRANDMEMBER', 's', '-9223372036854775807')).toEqual(
      err('ERR count is out of range, the reply would take more than 536870912 bytes'),
    );
    expect(strings(await call('SRANDMEMBER', 's', '-10000')).length).toBe(10000);
  });

  test('SPOP with a count pops distinct members, by either strategy, and they leave the set', async () => {
    for (const [count, size] of [[3, 100], [90, 100], [60, 300], [299, 300]]) {
      await call('DEL', 'h', 'l');
      await call('SADD', 'h', ...range('m', 0, size));
      const popped = strings(await call('SPOP', 'h', String(count)));
      expect(new Set(popped).size).toBe(count);
      const left = await members('h');
      expect(left.length).toBe(size - count);
      expect(new Set([...left, ...popped]).size).toBe(size);
    }
  });
});

describe('SSCAN over a hashtable', () => {
  test('walks a few members a call with a non-zero cursor until it returns 0, having given every member', async () => {
    const all = range('m', 0, 1000);
    await call('SADD', 'h', ...all);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const r = (await call('SSCAN', 'h', cursor, 'COUNT', '100')) as { v: Resp[] };
      cursor = (r.v[0] as { v: string }).v;
      for (const m of strings(r.v[1])) seen.add(m);
      calls++;
    } while (cursor !== '0');
    expect(calls).toBe(10);
    expect(seen).toEqual(new Set(all));
  });

  test('MATCH filters what the walk meets', async () => {
    await call('SADD', 'h', ...range('m', 0, 200), 'special');
    const r = (await call('SSCAN', 'h', '0', 'MATCH', 'spec*', 'COUNT', '1000')) as { v: Resp[] };
    expect(r.v[0]).toEqual({ t: 'bulk', v: '0' });
    expect(strings(r.v[1])).toEqual(['special']);
  });
});
