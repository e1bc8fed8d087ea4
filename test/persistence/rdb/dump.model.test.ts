import { expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { RespClient, Resp } from '../../helpers/resp-client.js';

/**
 * Model-based: random writes to one key of each type, under thresholds
 * small enough that the values cross between their encodings both ways
 * the families allow, mirrored in a naive model. After each sequence the
 * key goes through DUMP and RESTORE; the copy must hold what the model
 * holds, in the same encoding as the original.
 */

const sluice = useSluice({ conn: 'fresh' });

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const THRESHOLDS = [
  'hash-max-listpack-entries', '4', 'hash-max-listpack-value', '8', 'set-max-intset-entries', '5', 'set-max-listpack-entries', '4',
  'set-max-listpack-value', '8', 'zset-max-listpack-entries', '4', 'zset-max-listpack-value', '8', 'stream-node-max-entries', '3',
];

type Model = { type: 'list'; items: string[] } | { type: 'set'; items: Set<string> } | { type: 'zset'; items: Map<string, number> }
  | { type: 'hash'; items: Map<string, string> } | { type: 'stream'; items: [string, string[]][]; next: number };

function element(next: () => number): string {
  const r = next();
  if (r < 0.4) return String(Math.floor(next() * 20) - 5);
  if (r < 0.5) return String(Math.floor(next() * 2 ** 40));
  if (r < 0.9) return `e${Math.floor(next() * 12)}`;
  return 'long-'.repeat(1 + Math.floor(next() * 4)) + Math.floor(next() * 5);
}

function score(next: () => number): number {
  const r = next();
  if (r < 0.05) return Infinity;
  if (r < 0.1) return -Infinity;
  if (r < 0.5) return Math.floor(next() * 100) - 50;
  return (next() - 0.5) * 1e6;
}

/** One random write, sent to Sluice and applied to the model. */
async function step(c: RespClient, m: Model, next: () => number): Promise<void> {
  const e = element(next);
  const remove = next() < 0.35;
  switch (m.type) {
    case 'list':
      if (remove && m.items.length > 0) {
        const front = next() < 0.5;
        await c.call(front ? 'LPOP' : 'RPOP', 'k');
        if (front) m.items.shift();
        else m.items.pop();
      } else {
        const front = next() < 0.5;
        await c.call(front ? 'LPUSH' : 'RPUSH', 'k', e);
        if (front) m.items.unshift(e);
        else m.items.push(e);
      }
      return;
    case 'set':
      await c.call(remove ? 'SREM' : 'SADD', 'k', e);
      if (remove) m.items.delete(e);
      else m.items.add(e);
      return;
    case 'zset': {
      const s = score(next);
      await c.call(...(remove ? ['ZREM', 'k', e] : ['ZADD', 'k', String(s), e]));
      if (remove) m.items.delete(e);
      else m.items.set(e, s);
      return;
    }
    case 'hash': {
      const v = element(next);
      await c.call(...(remove ? ['HDEL', 'k', e] : ['HSET', 'k', e, v]));
      if (remove) m.items.delete(e);
      else m.items.set(e, v);
      return;
    }
    case 'stream':
      if (remove && m.items.length > 0) {
        const [id] = m.items.splice(Math.floor(next() * m.items.length), 1)[0];
        await c.call('XDEL', 'k', id);
      } else {
        const id = `${m.next++}-${Math.floor(next() * 3)}`;
        const pairs = next() < 0.5 ? ['f', e] : ['f', e, 'g', element(next)];
        await c.call('XADD', 'k', id, ...pairs);
        m.items.push([id, pairs]);
      }
  }
}

const text = (r: Resp): string[] => (r.t === 'array' && r.v !== null ? r.v.map((x) => (x.t === 'bulk' ? x.v ?? '' : JSON.stringify(x))) : []);

/** What the key `key` holds, in the model's terms. */
async function read(c: RespClient, m: Model, key: string): Promise<unknown> {
  switch (m.type) {
    case 'list':
      return text(await c.call('LRANGE', key, '0', '-1'));
    case 'set':
      return text(await c.call('SMEMBERS', key)).sort();
    case 'zset': {
      const flat = text(await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES'));
      const out: [string, number][] = [];
      const num = (x: string): number => (x === 'inf' ? Infinity : x === '-inf' ? -Infinity : Number(x));
      for (let i = 0; i < flat.length; i += 2) out.push([flat[i], num(flat[i + 1])]);
      return out;
    }
    case 'hash': {
      const flat = text(await c.call('HGETALL', key));
      const out: string[] = [];
      for (let i = 0; i < flat.length; i += 2) out.push(`${flat[i]}=${flat[i + 1]}`);
      return out.sort();
    }
    case 'stream': {
      const r = await c.call('XRANGE', key, '-', '+');
      return r.t === 'array' ? r.v!.map((e) => (e.t === 'array' ? [e.v![0].t === 'bulk' ? e.v![0].v : '', text(e.v![1])] : e)) : r;
    }
  }
}

function expected(m: Model): unknown {
  switch (m.type) {
    case 'list':
      return m.items;
    case 'set':
      return [...m.items].sort();
    case 'zset':
      return [...m.items].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    case 'hash':
      return [...m.items].map(([f, v]) => `${f}=${v}`).sort();
    case 'stream':
      return m.items;
  }
}

function fresh(type: Model['type']): Model {
  switch (type) {
    case 'list': return { type, items: [] };
    case 'set': return { type, items: new Set() };
    case 'zset': return { type, items: new Map() };
    case 'hash': return { type, items: new Map() };
    case 'stream': return { type, items: [], next: 1 };
  }
}

test('DUMP then RESTORE gives back what the model holds, in the same encoding, over random writes of every type', async () => {
  const c = sluice.conn;
  expect(await c.call('CONFIG', 'SET', ...THRESHOLDS)).toEqual({ t: 'simple', v: 'OK' });
  const next = rng(42);
  const types: Model['type'][] = ['list', 'set', 'zset', 'hash', 'stream'];
  for (let round = 0; round < 250; round++) {
    await c.call('DEL', 'k', 'copy');
    const m = fresh(types[round % types.length]);
    const steps = 1 + Math.floor(next() * 30);
    for (let i = 0; i < steps; i++) await step(c, m, next);
    const dump = await c.call('DUMP', 'k');
    const empty = m.type === 'stream' ? false : (m.items instanceof Map || m.items instanceof Set ? m.items.size : m.items.length) === 0;
    if (empty) {
      expect(dump).toEqual({ t: 'bulk', v: null });
      continue;
    }
    if (dump.t !== 'bulk' || dump.v === null) throw new Error(`round ${round}: no payload`);
    expect(await c.call('RESTORE', 'copy', '0', dump.v)).toEqual({ t: 'simple', v: 'OK' });
    expect(await read(c, m, 'copy'), `round ${round} (${m.type})`).toEqual(expected(m));
    expect(await c.call('OBJECT', 'ENCODING', 'copy'), `round ${round} (${m.type})`).toEqual(await c.call('OBJECT', 'ENCODING', 'k'));
  }
});
