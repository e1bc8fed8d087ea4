import { constants } from 'node:buffer';
import { describe, expect, test } from 'vitest';
import type { Database } from '../../../src/keyspace/database.js';
import { BYTES_FROM, MutableString } from '../../../src/keyspace/mutable-string.js';
import { popcount, firstByteNot } from '../../../src/store/bitmap/bit-bytes.js';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh', observe: true });
const effects = () => sluice.effects.map((e) => e.argv);
const events = () => sluice.events.map(([, type, event, key]) => `${type} ${event} ${key}`);
const db = (): Database => sluice.server.keyspace.db(0);
const int = (n: number): Resp => ({ t: 'int', v: String(n) });

/** Runs `cmd` and returns how many changes it counted, whether it broke a WATCH on `key`, and its events. */
async function observe(cmd: string[], key = 'k'): Promise<{ dirty: number; watchBroken: boolean; events: string[] }> {
  const watcher = await sluice.connect();
  await watcher.call('WATCH', key);
  sluice.events.length = 0;
  const dirty = sluice.server.keyspace.dirty;
  await sluice.conn.call(...cmd);
  const changed = sluice.server.keyspace.dirty - dirty;
  const seen = events();
  await watcher.call('MULTI');
  await watcher.call('PING');
  const exec = await watcher.call('EXEC');
  return { dirty: changed, watchBroken: exec.v === null, events: seen };
}

describe('changes, WATCH and events', () => {
  test('SETBIT counts one change and raises setbit when it flips a bit, creates or lengthens the string', async () => {
    for (const cmd of [['SETBIT', 'k', '3', '1'], ['SETBIT', 'k', '3', '0'], ['SETBIT', 'k', '100', '0']]) {
      expect(await observe(cmd), cmd.join(' ')).toEqual({ dirty: 1, watchBroken: true, events: ['$ setbit k'] });
    }
  });

  test('SETBIT to the value a bit has changes nothing: no change counted, WATCH kept, no event, nothing propagated', async () => {
    await sluice.conn.call('SET', 'k', '\x10', 'EX', '1000');
    sluice.effects.length = 0;
    expect(await observe(['SETBIT', 'k', '3', '1'])).toEqual({ dirty: 0, watchBroken: false, events: [] });
    expect(await observe(['SETBIT', 'k', '2', '0'])).toEqual({ dirty: 0, watchBroken: false, events: [] });
    expect(effects()).toEqual([]);
    // As Redis's dbUnshareStringValue, the value is made raw on the way, its TTL kept.
    expect(db().get('k')).toBeInstanceOf(MutableString);
    expect(db().deadline('k')).toBeGreaterThan(0);
    expect(await sluice.conn.call('OBJECT', 'ENCODING', 'k')).toEqual({ t: 'bulk', v: 'raw' });
  });

  test('BITFIELD counts one change per write that changes bits, raises setbit once, and propagates as sent', async () => {
    await sluice.conn.call('SET', 'k', '\x00\x00');
    sluice.effects.length = 0;
    const cmd = ['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '0', 'INCRBY', 'u4', '0', '1', 'GET', 'u8', '0'];
    expect(await observe(cmd)).toEqual({ dirty: 2, watchBroken: true, events: ['$ setbit k'] });
    expect(effects()).toEqual([cmd]);
  });

  test('BITFIELD writes into a grown string each count, even when they write zeros', async () => {
    const cmd = ['BITFIELD', 'k', 'SET', 'u8', '0', '0', 'SET', 'u8', '8', '0'];
    expect(await observe(cmd)).toEqual({ dirty: 2, watchBroken: true, events: ['$ setbit k'] });
  });

  test('BITFIELD that changes nothing, or only fails, counts nothing and propagates nothing; a FAIL still pads the string', async () => {
    await sluice.conn.call('SET', 'k', 'ab');
    sluice.effects.length = 0;
    expect(await observe(['BITFIELD', 'k', 'SET', 'u8', '0', '97', 'GET', 'u8', '8'])).toEqual({ dirty: 0, watchBroken: false, events: [] });
    expect(await observe(['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u8', '24', '256'])).toEqual({ dirty: 0, watchBroken: false, events: [] });
    expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: 'ab\0\0' });
    expect(await observe(['BITFIELD', 'new', 'OVERFLOW', 'FAIL', 'SET', 'u8', '8', '256'], 'new')).toEqual({
      dirty: 0, watchBroken: false, events: [],
    });
    expect(await sluice.conn.call('GET', 'new')).toEqual({ t: 'bulk', v: '\0\0' });
    expect(effects()).toEqual([]);
  });

  test('BITOP stores with set (TTL dropped) or deletes an empty result with del; each counts one change', async () => {
    await sluice.conn.call('SET', 'src', 'ab');
    await sluice.conn.call('SET', 'k', 'x', 'EX', '100');
    expect(await observe(['BITOP', 'OR', 'k', 'src'])).toEqual({ dirty: 1, watchBroken: true, events: ['$ set k'] });
    expect(await sluice.conn.call('TTL', 'k')).toEqual(int(-1));
    expect(await observe(['BITOP', 'AND', 'k', 'none'])).toEqual({
      dirty: 1, watchBroken: true, events: ['m keymiss none', 'g del k'],
    });
    expect(await observe(['BITOP', 'AND', 'k', 'none'])).toEqual({ dirty: 0, watchBroken: false, events: ['m keymiss none'] });
  });
});

describe('values written in place', () => {
  test('SETBIT on a long value writes into its buffer: the same object, not copied', async () => {
    await sluice.conn.call('SETBIT', 'k', String(8 * BYTES_FROM * 2), '1');
    const value = db().get('k');
    expect(value).toBeInstanceOf(MutableString);
    await sluice.conn.call('SETBIT', 'k', '5', '1');
    await sluice.conn.call('BITFIELD', 'k', 'SET', 'u16', '100', '999');
    expect(db().get('k')).toBe(value);
    expect(await sluice.conn.call('BITFIELD_RO', 'k', 'GET', 'u16', '100', 'GET', 'u1', '5')).toEqual({
      t: 'array', v: [int(999), int(1)],
    });
  });

  test('an offset whose string V8 could not hold is refused with the string length error (Redis would allocate it)', async () => {
    const bit = String(8 * constants.MAX_STRING_LENGTH);
    expect(await sluice.conn.call('SETBIT', 'k', bit, '1')).toEqual({
      t: 'error', v: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
    });
    expect(await sluice.conn.call('EXISTS', 'k')).toEqual(int(0));
  });
});

describe('word-at-a-time helpers', () => {
  test('popcount and firstByteNot agree with a byte loop at every alignment and length', () => {
    const base = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) base[i] = (i * 37) & 0xff;
    for (let start = 0; start < 8; start++) {
      for (let end = start; end <= 64; end += 3) {
        const p = base.subarray(start, end);
        let n = 0;
        for (const b of p) for (let k = 0; k < 8; k++) n += (b >> k) & 1;
        expect(popcount(p)).toBe(n);
        for (const skip of [0, 0xff]) expect(firstByteNot(p, skip)).toBe(p.findIndex((b) => b !== skip));
      }
    }
    const zeros = Buffer.alloc(40);
    zeros[33] = 4;
    expect(firstByteNot(zeros.subarray(1), 0)).toBe(32);
    expect(firstByteNot(Buffer.alloc(40, 0xff), 0xff)).toBe(-1);
  });
});
