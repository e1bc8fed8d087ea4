import { constants } from 'node:buffer';
import { Redis } from 'ioredis';
import { beforeEach, describe, expect, test } from 'vitest';
import { addLongDouble, formatLongDouble, parseLongDouble, type LongDouble } from '../../../src/core/long-double.js';
import type { Database } from '../../../src/keyspace/database.js';
import { BYTES_FROM, MutableString } from '../../../src/keyspace/mutable-string.js';
import type { TypedValue } from '../../../src/keyspace/value.js';
import { useSluice } from '../../helpers/fixture.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh', observe: true });
/** What was propagated, as argv. */
const effects = () => sluice.effects.map((e) => e.argv);
/** What the keyspace reported, without the database. */
const events = () => sluice.events.map(([, type, event, key]) => `${type} ${event} ${key}`);

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const int = (n: number | string): Resp => ({ t: 'int', v: String(n) });
const err = (v: string): Resp => ({ t: 'error', v });
const OK: Resp = { t: 'simple', v: 'OK' };

/** A value of some other type, so string commands meet WRONGTYPE whatever families exist yet. */
const otherType: TypedValue = {
  type: 'list',
  encoding: () => 'listpack',
  clone: () => otherType,
  memoryUsage: () => 0,
};

const db = (): Database => sluice.server.keyspace.db(0);

describe('propagation: what each write sends to the AOF and replicas', () => {
  test('SET without an expire propagates as sent; SET GET drops every GET', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    await sluice.conn.call('set', 'k', 'w', 'get', 'XX', 'GET');
    expect(effects()).toEqual([['SET', 'k', 'v'], ['set', 'k', 'w', 'XX']]);
  });

  test('SET with EX, PX or EXAT propagates as SET key value PXAT <the deadline it stored>; with PXAT as sent, GET included (Redis 7.2)', async () => {
    await sluice.conn.call('SET', 'a', '1', 'EX', '100');
    await sluice.conn.call('SET', 'b', '2', 'px', '5000', 'GET');
    await sluice.conn.call('SET', 'c', '3', 'EXAT', '99999999999', 'NX');
    await sluice.conn.call('SET', 'd', '4', 'PXAT', '99999999999999');
    await sluice.conn.call('SET', 'e', '5', 'pxat', '99999999999999', 'GET');
    expect(effects()).toEqual([
      ['SET', 'a', '1', 'PXAT', String(db().deadline('a'))],
      ['SET', 'b', '2', 'PXAT', String(db().deadline('b'))],
      ['SET', 'c', '3', 'PXAT', '99999999999000'],
      ['SET', 'd', '4', 'PXAT', '99999999999999'],
      ['SET', 'e', '5', 'pxat', '99999999999999', 'GET'],
    ]);
  });

  test('a relative expire is added to the command clock', async () => {
    const before = Date.now();
    await sluice.conn.call('SET', 'a', '1', 'EX', '100');
    const after = Date.now();
    expect(db().deadline('a')).toBeGreaterThanOrEqual(before + 100_000);
    expect(db().deadline('a')).toBeLessThanOrEqual(after + 100_000);
  });

  test('a deadline past 2^53 is propagated exactly', async () => {
    await sluice.conn.call('SET', 'k', 'v', 'PXAT', '9223372036854775807');
    await sluice.conn.call('SET', 'j', 'v', 'EXAT', '9007199254740993');
    expect(effects()).toEqual([
      ['SET', 'k', 'v', 'PXAT', '9223372036854775807'],
      ['SET', 'j', 'v', 'PXAT', '9007199254740993000'],
    ]);
  });

  test('SETEX and PSETEX propagate as SET key value PXAT', async () => {
    await sluice.conn.call('SETEX', 'a', '100', 'v');
    await sluice.conn.call('PSETEX', 'b', '100000', 'w');
    expect(effects()).toEqual([
      ['SET', 'a', 'v', 'PXAT', String(db().deadline('a'))],
      ['SET', 'b', 'w', 'PXAT', String(db().deadline('b'))],
    ]);
  });

  test('SETNX, MSET, MSETNX, APPEND, SETRANGE and the integer counters propagate as sent', async () => {
    const cmds = [
      ['SETNX', 'k', 'v'], ['MSET', 'a', '1', 'b', '2'], ['MSETNX', 'c', '3', 'd', '4'], ['APPEND', 'k', 'x'],
      ['APPEND', 'k', ''], ['SETRANGE', 'k', '1', 'yz'], ['INCR', 'n'], ['DECR', 'n'], ['INCRBY', 'n', '5'],
      ['DECRBY', 'n', '2'],
    ];
    for (const cmd of cmds) await sluice.conn.call(...cmd);
    expect(effects()).toEqual(cmds);
  });

  test('commands that change nothing propagate nothing', async () => {
    await sluice.conn.call('MSET', 'k', 'v', 'n', '1');
    sluice.effects.length = 0;
    await sluice.conn.call('SET', 'k', 'w', 'NX');
    await sluice.conn.call('SET', 'missing', 'w', 'XX', 'GET');
    await sluice.conn.call('SETNX', 'k', 'w');
    await sluice.conn.call('MSETNX', 'new', '1', 'k', '2');
    await sluice.conn.call('SETRANGE', 'k', '3', '');
    await sluice.conn.call('GETDEL', 'missing');
    await sluice.conn.call('GETEX', 'k');
    await sluice.conn.call('GETEX', 'k', 'PERSIST');
    await sluice.conn.call('GETEX', 'missing', 'EX', '10');
    await sluice.conn.call('GET', 'k');
    await sluice.conn.call('MGET', 'k', 'n');
    await sluice.conn.call('LCS', 'k', 'n');
    await sluice.conn.call('INCR', 'k');
    await sluice.conn.call('INCRBYFLOAT', 'n', 'x');
    await sluice.conn.call('SET', 'k', 'v', 'EX', '0');
    expect(effects()).toEqual([]);
  });

  test('GETSET propagates as SET, GETDEL as DEL', async () => {
    await sluice.conn.call('GETSET', 'k', 'v');
    await sluice.conn.call('GETDEL', 'k');
    expect(effects()).toEqual([['SET', 'k', 'v'], ['DEL', 'k']]);
  });

  test('GETEX propagates PEXPIREAT, PERSIST, or DEL for a deadline already past', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    sluice.effects.length = 0;
    await sluice.conn.call('GETEX', 'k', 'EX', '100');
    const relative = db().deadline('k');
    await sluice.conn.call('GETEX', 'k', 'PXAT', '99999999999999');
    await sluice.conn.call('GETEX', 'k', 'EXAT', '99999999999');
    await sluice.conn.call('GETEX', 'k', 'PERSIST');
    await sluice.conn.call('GETEX', 'k', 'PXAT', '1');
    expect(effects()).toEqual([
      ['PEXPIREAT', 'k', String(relative)],
      ['PEXPIREAT', 'k', '99999999999999'],
      ['PEXPIREAT', 'k', '99999999999000'],
      ['PERSIST', 'k'],
      ['DEL', 'k'],
    ]);
    expect(await sluice.conn.call('GET', 'k')).toEqual(bulk(null));
  });

  test('INCRBYFLOAT propagates its result as SET key value KEEPTTL', async () => {
    await sluice.conn.call('INCRBYFLOAT', 'f', '10.5');
    await sluice.conn.call('INCRBYFLOAT', 'f', '0.1');
    expect(effects()).toEqual([['SET', 'f', '10.5', 'KEEPTTL'], ['SET', 'f', '10.6', 'KEEPTTL']]);
  });

  test('inside MULTI the rewritten effects are wrapped in MULTI/EXEC', async () => {
    await sluice.conn.call('MULTI');
    await sluice.conn.call('SET', 'k', 'v', 'EX', '10');
    await sluice.conn.call('INCRBYFLOAT', 'f', '1.5');
    await sluice.conn.call('GET', 'k');
    await sluice.conn.call('EXEC');
    expect(effects()).toEqual([
      ['MULTI'],
      ['SET', 'k', 'v', 'PXAT', String(db().deadline('k'))],
      ['SET', 'f', '1.5', 'KEEPTTL'],
      ['EXEC'],
    ]);
  });
});

describe('keyspace events', () => {
  test('each write reports the event Redis names for it', async () => {
    await sluice.conn.call('SET', 'k', 'v', 'EX', '100');
    await sluice.conn.call('SETNX', 'n', '1');
    await sluice.conn.call('GETSET', 'k', 'w');
    await sluice.conn.call('MSET', 'a', '1', 'b', '2');
    await sluice.conn.call('APPEND', 'k', 'x');
    await sluice.conn.call('SETRANGE', 'k', '0', 'y');
    await sluice.conn.call('INCR', 'n');
    await sluice.conn.call('DECRBY', 'n', '3');
    await sluice.conn.call('INCRBYFLOAT', 'n', '0.5');
    await sluice.conn.call('GETEX', 'k', 'PX', '1000');
    await sluice.conn.call('GETEX', 'k', 'PERSIST');
    await sluice.conn.call('GETEX', 'k', 'EXAT', '1');
    await sluice.conn.call('GETDEL', 'a');
    await sluice.conn.call('PSETEX', 'p', '1000', 'v');
    expect(events()).toEqual([
      '$ set k', 'g expire k', '$ set n', '$ set k', '$ set a', '$ set b', '$ append k', '$ setrange k',
      '$ incrby n', '$ incrby n', '$ incrbyfloat n', 'g expire k', 'g persist k', 'g del k', 'g del a',
      '$ set p', 'g expire p',
    ]);
  });

  test('writes that change nothing report nothing', async () => {
    await sluice.conn.call('SET', 'k', 'v');
    sluice.events.length = 0;
    await sluice.conn.call('SET', 'k', 'w', 'NX');
    await sluice.conn.call('SETNX', 'k', 'w');
    await sluice.conn.call('MSETNX', 'k', 'w', 'z', '1');
    await sluice.conn.call('SETRANGE', 'k', '0', '');
    await sluice.conn.call('GETEX', 'k', 'PERSIST');
    await sluice.conn.call('GETDEL', 'missing');
    await sluice.conn.call('INCR', 'k');
    // Key-miss events ('m') belong to the keyspace's lookups, not to these commands.
    expect(events().filter((e) => !e.startsWith('m '))).toEqual([]);
  });
});

describe('TTLs', () => {
  test('SET, GETSET and MSET drop a TTL; KEEPTTL, counters, APPEND and SETRANGE keep it', async () => {
    const keep = [
      ['SET', 'k', 'v', 'KEEPTTL'], ['APPEND', 'k', 'x'], ['SETRANGE', 'k', '0', 'y'], ['INCRBYFLOAT', 'n', '1'],
      ['INCR', 'n'], ['DECRBY', 'n', '5'],
    ];
    for (const cmd of keep) {
      await sluice.conn.call('MSET', 'k', '1', 'n', '1');
      db().setDeadline(cmd[1], 99999999999999);
      expect(await sluice.conn.call(...cmd)).not.toHaveProperty('t', 'error');
      expect(db().deadline(cmd[1]), cmd.join(' ')).toBe(99999999999999);
    }
    for (const cmd of [['SET', 'k', 'v'], ['GETSET', 'k', 'v'], ['MSET', 'x', '1', 'k', '2']]) {
      await sluice.conn.call('SET', 'k', '1');
      db().setDeadline('k', 99999999999999);
      await sluice.conn.call(...cmd);
      expect(db().deadline('k'), cmd.join(' ')).toBe(-1);
    }
  });

  test('SET with a deadline already past leaves nothing readable', async () => {
    expect(await sluice.conn.call('SET', 'k', 'v', 'PXAT', '1')).toEqual(OK);
    expect(await sluice.conn.call('GET', 'k')).toEqual(bulk(null));
    expect(await sluice.conn.call('SET', 'k', 'v', 'NX')).toEqual(OK);
  });
});

describe('values of another type', () => {
  beforeEach(() => {
    db().set('o', otherType);
  });

  test('every string command that reads the key answers WRONGTYPE and changes nothing', async () => {
    const cmds = [
      ['GET', 'o'], ['GETSET', 'o', 'v'], ['GETDEL', 'o'], ['GETEX', 'o', 'EX', '10'], ['SET', 'o', 'v', 'GET'],
      ['APPEND', 'o', 'x'], ['STRLEN', 'o'], ['GETRANGE', 'o', '0', '-1'], ['SUBSTR', 'o', '0', '1'],
      ['SETRANGE', 'o', '0', 'x'], ['SETRANGE', 'o', '0', ''], ['INCR', 'o'], ['DECR', 'o'], ['INCRBY', 'o', '1'],
      ['DECRBY', 'o', '1'], ['INCRBYFLOAT', 'o', '1'],
    ];
    for (const cmd of cmds) expect(await sluice.conn.call(...cmd), cmd.join(' ')).toEqual(err(WRONGTYPE));
    expect(db().get('o')).toBe(otherType);
    expect(effects()).toEqual([]);
  });

  test('argument errors come before the type check where Redis checks them first', async () => {
    expect(await sluice.conn.call('INCRBY', 'o', 'x')).toEqual(err('ERR value is not an integer or out of range'));
    expect(await sluice.conn.call('GETRANGE', 'o', 'x', '1')).toEqual(err('ERR value is not an integer or out of range'));
    expect(await sluice.conn.call('SETRANGE', 'o', '-1', 'x')).toEqual(err('ERR offset is out of range'));
    expect(await sluice.conn.call('SET', 'o', 'v', 'GET', 'EX', '0')).toEqual(err("ERR invalid expire time in 'set' command"));
  });

  test('MGET reads it as nil, LCS refuses it, SET and MSET overwrite it', async () => {
    expect(await sluice.conn.call('MGET', 'o', 'nope')).toEqual({ t: 'array', v: [bulk(null), bulk(null)] });
    expect(await sluice.conn.call('LCS', 'o', 'nope')).toEqual(err('ERR The specified keys must contain string values'));
    expect(await sluice.conn.call('LCS', 'nope', 'o', 'LEN')).toEqual(err('ERR The specified keys must contain string values'));
    expect(await sluice.conn.call('SET', 'o', 'v')).toEqual(OK);
    expect(await sluice.conn.call('GET', 'o')).toEqual(bulk('v'));
    db().set('o', otherType);
    expect(await sluice.conn.call('MSET', 'o', 'w')).toEqual(OK);
    expect(await sluice.conn.call('GET', 'o')).toEqual(bulk('w'));
  });

  test('SETNX and MSETNX see it as an existing key', async () => {
    expect(await sluice.conn.call('SETNX', 'o', 'v')).toEqual(int(0));
    expect(await sluice.conn.call('MSETNX', 'x', '1', 'o', 'v')).toEqual(int(0));
    expect(db().get('o')).toBe(otherType);
  });
});

describe('keyspace hits and misses', () => {
  test('read commands count them; counters and APPEND do not', async () => {
    const stats = sluice.server.keyspace.stats;
    await sluice.conn.call('SET', 'k', 'v');
    const { hits, misses } = stats;
    await sluice.conn.call('GET', 'k');
    await sluice.conn.call('GET', 'nope');
    await sluice.conn.call('MGET', 'k', 'nope', 'k');
    await sluice.conn.call('STRLEN', 'k');
    await sluice.conn.call('GETRANGE', 'nope', '0', '1');
    await sluice.conn.call('LCS', 'k', 'nope');
    await sluice.conn.call('SET', 'k', 'w', 'GET');
    expect([stats.hits - hits, stats.misses - misses]).toEqual([6, 4]);
    await sluice.conn.call('INCR', 'n');
    await sluice.conn.call('APPEND', 'k', 'x');
    await sluice.conn.call('SET', 'k', 'y');
    await sluice.conn.call('SETRANGE', 'k', '0', 'z');
    expect([stats.hits - hits, stats.misses - misses]).toEqual([6, 4]);
  });
});

describe('WATCH', () => {
  test('each successful string write breaks a watch on its key; a write that does nothing does not', async () => {
    const other = await RespClient.connect(sluice.port);
    const exec = async (cmd: string[]): Promise<boolean> => {
      await sluice.conn.call('SET', 'k', '1');
      await sluice.conn.call('WATCH', 'k');
      await other.call(...cmd);
      await sluice.conn.call('MULTI');
      await sluice.conn.call('PING');
      const res = await sluice.conn.call('EXEC');
      return res.t === 'array' && res.v === null;
    };
    try {
      for (const cmd of [
        ['SET', 'k', '2'], ['APPEND', 'k', 'x'], ['INCR', 'k'], ['INCRBYFLOAT', 'k', '1'], ['SETRANGE', 'k', '0', '9'],
        ['GETDEL', 'k'], ['GETEX', 'k', 'EX', '10'], ['MSET', 'k', '3'], ['GETSET', 'k', '4'], ['SETEX', 'k', '10', 'v'],
      ]) {
        expect(await exec(cmd), cmd.join(' ')).toBe(true);
      }
      for (const cmd of [['SET', 'k', '2', 'NX'], ['SETNX', 'k', '2'], ['GET', 'k'], ['GETEX', 'k'], ['SETRANGE', 'k', '0', '']]) {
        expect(await exec(cmd), cmd.join(' ')).toBe(false);
      }
    } finally {
      other.close();
    }
  });
});

describe('values modified in place', () => {
  for (const [size, initial] of [['short', 'abc'], ['long', 'x'.repeat(2 * BYTES_FROM)]] as const) {
    test(`a ${size} value already mutable changes where it is: one change counted, WATCH broken, event reported, TTL kept`, async () => {
      await sluice.conn.call('SET', 'k', initial);
      await sluice.conn.call('APPEND', 'k', '!');
      const value = db().get('k');
      expect(value).toBeInstanceOf(MutableString);
      db().setDeadline('k', 99999999999999);
      const other = await sluice.connect();
      for (const cmd of [['APPEND', 'k', 'more'], ['SETRANGE', 'k', '1', 'zz'], ['SETRANGE', 'k', String(3 * BYTES_FROM), 'end']]) {
        await sluice.conn.call('WATCH', 'k');
        sluice.events.length = 0;
        const dirty = sluice.server.keyspace.dirty;
        await other.call(...cmd);
        expect(sluice.server.keyspace.dirty - dirty, cmd.join(' ')).toBe(1);
        expect(events()).toEqual([`$ ${cmd[0].toLowerCase()} k`]);
        await sluice.conn.call('MULTI');
        await sluice.conn.call('PING');
        expect(await sluice.conn.call('EXEC'), cmd.join(' ')).toEqual({ t: 'array', v: null });
      }
      expect(db().get('k')).toBe(value);
      expect(db().deadline('k')).toBe(99999999999999);
      const text = initial + '!more';
      expect(await sluice.conn.call('GET', 'k')).toEqual(
        bulk(text[0] + 'zz' + text.slice(3) + '\0'.repeat(3 * BYTES_FROM - text.length) + 'end'),
      );
    });
  }

  test('the first change replaces a plain string with its mutable form, counted once, the TTL kept', async () => {
    await sluice.conn.call('SET', 'k', 'x'.repeat(2 * BYTES_FROM), 'EX', '1000');
    const deadline = db().deadline('k');
    const dirty = sluice.server.keyspace.dirty;
    await sluice.conn.call('SETRANGE', 'k', '0', 'y');
    expect(sluice.server.keyspace.dirty - dirty).toBe(1);
    expect(db().get('k')).toBeInstanceOf(MutableString);
    expect(db().deadline('k')).toBe(deadline);
  });

  test('INCRBYFLOAT leaves a result that reads as an integer int-encoded (Redis says embstr until a reload; docs/commands.md)', async () => {
    await sluice.conn.call('SET', 'f', '1');
    expect(await sluice.conn.call('INCRBYFLOAT', 'f', '100')).toEqual(bulk('101'));
    expect(await sluice.conn.call('OBJECT', 'ENCODING', 'f')).toEqual(bulk('int'));
    expect(await sluice.conn.call('INCRBYFLOAT', 'f', '0.5')).toEqual(bulk('101.5'));
    expect(await sluice.conn.call('OBJECT', 'ENCODING', 'f')).toEqual(bulk('embstr'));
  });

  test('a client blocked on a list is not woken by a string made at its key, and is by the list that follows', async () => {
    const blocked = await sluice.connect();
    const reply = blocked.call('BLPOP', 'k', '0');
    const blockedClients = async () => /blocked_clients:(\d+)/.exec(((await sluice.conn.call('INFO', 'clients')) as { v: string }).v)![1];
    for (let i = 0; i < 200 && (await blockedClients()) !== '1'; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await sluice.conn.call('SETRANGE', 'k', String(2 * BYTES_FROM), 'x')).toEqual(int(2 * BYTES_FROM + 1));
    expect(await sluice.conn.call('APPEND', 'k', 'y')).toEqual(int(2 * BYTES_FROM + 2));
    expect(await blockedClients()).toBe('1');
    await sluice.conn.call('DEL', 'k');
    await sluice.conn.call('RPUSH', 'k', 'v');
    expect(await reply).toEqual({ t: 'array', v: [bulk('k'), bulk('v')] });
  });

  test("a big SET value keeps the buffer the request parser read it into, so the first SETRANGE writes there instead of copying the value", async () => {
    const bufferOf = (v: unknown): Buffer | null => (v as { bytes: Buffer | null }).bytes;
    // Four times a socket read, so that the bulk spans reads and the parser gives it a buffer of its own.
    const big = 'abcdefghijklmnopqrstuvwxyz'.repeat(10_000);
    await sluice.conn.call('SET', 'k', big);
    await sluice.conn.call('SET', 'same', big);
    const value = db().get('k');
    expect(value).toBeInstanceOf(MutableString);
    const bytes = bufferOf(value);
    expect(bytes).not.toBeNull();
    expect(await sluice.conn.call('OBJECT', 'ENCODING', 'k')).toEqual(bulk('raw'));
    expect(await sluice.conn.call('SETRANGE', 'k', '5', '12345')).toEqual(int(big.length));
    expect(db().get('k')).toBe(value);
    expect(bufferOf(value)).toBe(bytes);
    expect(await sluice.conn.call('GET', 'k')).toEqual(bulk('abcde12345' + big.slice(10)));
    expect(await sluice.conn.call('GET', 'same')).toEqual(bulk(big));

    // A SET queued by MULTI runs after other requests were framed: it stores the string, as before.
    await sluice.conn.call('MULTI');
    await sluice.conn.call('SET', 'queued', big);
    await sluice.conn.call('EXEC');
    expect(db().get('queued')).toBe(big);
  });

  test('GET and GETRANGE reply from the buffer; STRLEN and a failing INCR do not copy the value', async () => {
    await sluice.conn.call('SET', 'k', 'x'.repeat(2 * BYTES_FROM));
    await sluice.conn.call('APPEND', 'k', 'y');
    const value = db().get('k') as MutableString;
    value.toString = () => {
      throw new Error('the value was copied into a string');
    };
    expect(await sluice.conn.call('STRLEN', 'k')).toEqual(int(2 * BYTES_FROM + 1));
    expect(await sluice.conn.call('GETRANGE', 'k', '-3', '-1')).toEqual(bulk('xxy'));
    expect(await sluice.conn.call('GET', 'k')).toEqual(bulk('x'.repeat(2 * BYTES_FROM) + 'y'));
    expect(await sluice.conn.call('INCR', 'k')).toEqual(err('ERR value is not an integer or out of range'));
    expect(await sluice.conn.call('INCRBYFLOAT', 'k', '1')).toEqual(err('ERR value is not a valid float'));
  });
});

describe('size limits', () => {
  test('APPEND and SETRANGE past proto-max-bulk-len fail and change nothing', async () => {
    const limit = 1024 * 1024;
    expect(sluice.server.config.setMany([['proto-max-bulk-len', String(limit)]])).toBeNull();
    try {
      const tooBig = err('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      await sluice.conn.call('SET', 'k', 'x'.repeat(limit - 2));
      expect(await sluice.conn.call('APPEND', 'k', 'yy')).toEqual(int(limit));
      expect(await sluice.conn.call('APPEND', 'k', 'z')).toEqual(tooBig);
      expect(await sluice.conn.call('SETRANGE', 'k', String(limit), 'z')).toEqual(tooBig);
      expect(await sluice.conn.call('SETRANGE', 'new', String(limit - 1), 'zz')).toEqual(tooBig);
      expect(await sluice.conn.call('STRLEN', 'k')).toEqual(int(limit));
      expect(await sluice.conn.call('GET', 'new')).toEqual(bulk(null));
      expect(effects().map((e) => e[0])).toEqual(['SET', 'APPEND']);
    } finally {
      sluice.server.config.setMany([['proto-max-bulk-len', '536870912']]);
    }
  });

  test('a string longer than V8 can hold is refused instead of crashing the server', async () => {
    expect(await sluice.conn.call('SETRANGE', 'k', String(constants.MAX_STRING_LENGTH), 'x')).toEqual(
      err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'),
    );
    expect(await sluice.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
  });

  test('LCS refuses a table larger than proto-max-bulk-len, as Redis does', async () => {
    expect(sluice.server.config.setMany([['proto-max-bulk-len', String(1024 * 1024)]])).toBeNull();
    try {
      await sluice.conn.call('MSET', 'a', 'a'.repeat(600), 'b', 'b'.repeat(600), 'c', 'c'.repeat(400));
      expect(await sluice.conn.call('LCS', 'a', 'b', 'LEN')).toEqual(
        err('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len'),
      );
      expect(await sluice.conn.call('LCS', 'a', 'c', 'LEN')).toEqual(int(0));
    } finally {
      sluice.server.config.setMany([['proto-max-bulk-len', '536870912']]);
    }
  });
});

describe('long double arithmetic for INCRBYFLOAT', () => {
  const sum = (a: string, b: string): string => {
    const x = parseLongDouble(a) as LongDouble;
    const y = parseLongDouble(b) as LongDouble;
    return formatLongDouble(addLongDouble(x, y)!);
  };

  test('gives the digits Redis prints, where doubles would not', () => {
    expect(sum('10.5', '0.1')).toBe('10.6');
    expect(sum('0.1', '0.2')).toBe('0.3');
    expect(sum('0', '5.0e3')).toBe('5000');
    expect(sum('0', '3e-5')).toBe('0.00003');
    expect(sum('1e19', '1')).toBe('10000000000000000001');
    expect(sum('1e308', '1e308')).toMatch(/^19999999999999999999\d{289}$/);
    expect(sum('-1e-30', '0')).toBe('0');
    expect(sum('9007199254740993', '0')).toBe('9007199254740993');
  });

  test('rounds a tie in the 18th decimal to even, as glibc printf does', () => {
    expect(sum('0.000003814697265625', '0')).toBe('0.00000381469726562');
    expect(sum('0.000011444091796875', '0')).toBe('0.00001144409179688');
  });

  test('refuses what strtold plus Redis refuse, and keeps infinities apart', () => {
    for (const s of ['', ' 1', '1 ', 'nan', '1e5000', '1e-5000', '0x', '1e', '.', '1\x00']) {
      expect(parseLongDouble(s), JSON.stringify(s)).toBeNull();
    }
    expect(parseLongDouble('-Infinity')).toBe('-inf');
    expect(parseLongDouble('INF')).toBe('inf');
    expect(addLongDouble(parseLongDouble('1e4932') as LongDouble, parseLongDouble('1e4932') as LongDouble)).toBeNull();
  });
});

describe('clients', () => {
  test('ioredis drives the string commands with its own argument forms', async () => {
    const io = new Redis({ port: sluice.port, host: '127.0.0.1', lazyConnect: true });
    await io.connect();
    try {
      expect(await io.set('k', 'v', 'EX', 100, 'GET')).toBeNull();
      expect(await io.getex('k', 'PERSIST')).toBe('v');
      expect(await io.incrbyfloat('f', 10.5)).toBe('10.5');
      await io.incrby('n', '9007199254740993');
      expect(await io.get('n')).toBe('9007199254740993');
      expect(await io.mget('k', 'f', 'nope')).toEqual(['v', '10.5', null]);
      expect(await io.call('LCS', 'k', 'f')).toBe('');
      const raw = Buffer.from([0, 255, 13, 10, 128]);
      await io.set('bin', raw);
      expect(await io.getBuffer('bin')).toEqual(raw);
      expect(await io.append('bin', raw)).toBe(10);
    } finally {
      io.disconnect();
    }
  });
});
