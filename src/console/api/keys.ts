import { clip, toBytes } from '../bytes.js';
import { ReplyError, arr, num, str, strOrNull } from '../replies.js';
import type { Session } from '../session.js';
import type { Denied, KeyDetail, KeySummary, KeyValue, Page } from '../web/types.js';
import { optional, scanSlices } from './common.js';
import { entry } from './streams.js';

/** What the value viewer reads of a value at a time. */
const STRING_BYTES = 64 * 1024;
const ITEMS = 100;
const ENTRIES = 50;

export const TYPES = ['string', 'list', 'set', 'zset', 'hash', 'stream'] as const;

/** The Keys view's page: SCAN with the pattern and type given, then each key's TYPE and PTTL. */
export async function keys(s: Session, cursor: string, pattern: string | null, type: string | null, db: number): Promise<Page<KeySummary> & { dbsize: number | null; denied: Denied[] }> {
  await s.select(db);
  const denied: Denied[] = [];
  const filters: string[] = [];
  if (pattern !== null && pattern !== '' && pattern !== '*') filters.push('MATCH', pattern);
  if (type !== null) filters.push('TYPE', type);
  const page = await scanSlices(s, cursor, filters, ITEMS);
  const items: KeySummary[] = [];
  for (const key of page.keys) {
    const t = type ?? str(await s.call('TYPE', key));
    if (t === 'none') continue;
    const ttl = await s.raw('PTTL', key);
    items.push({ key: toBytes(key), type: t, ttl: typeof ttl === 'number' ? ttl : -1 });
  }
  const dbsize = await optional(denied, 'key count', async () => num(await s.call('DBSIZE')));
  return { cursor: page.cursor, items, dbsize, denied };
}

/**
 * One key: its type, TTL, encoding and memory, and a bounded part of its
 * value, read with the command its type has for it (GETRANGE, LRANGE,
 * HSCAN, SSCAN, ZRANGE, XRANGE), from `offset` or `cursor` on.
 */
export async function key(s: Session, k: string, db: number, offset: number, cursor: string): Promise<KeyDetail> {
  await s.select(db);
  const denied: Denied[] = [];
  const type = str(await s.call('TYPE', k));
  const ttl = num(await s.call('PTTL', k));
  const encoding = await optional(denied, 'encoding', async () => strOrNull(await s.call('OBJECT', 'ENCODING', k)));
  const memory = await optional(denied, 'memory usage', async () => num(await s.call('MEMORY', 'USAGE', k)));
  let value: KeyValue;
  try {
    value = await read(s, k, type, offset, cursor);
  } catch (e) {
    if (!(e instanceof ReplyError)) throw e;
    denied.push({ what: 'value', error: e.message });
    value = { type: 'other', name: type };
  }
  return { key: toBytes(k), type, ttl, encoding, memory, value, denied };
}

async function read(s: Session, k: string, type: string, offset: number, cursor: string): Promise<KeyValue> {
  const end = String(offset + ITEMS - 1);
  switch (type) {
    case 'none':
      return { type: 'none' };
    case 'string': {
      const length = num(await s.call('STRLEN', k));
      const value = str(await s.call('GETRANGE', k, '0', String(STRING_BYTES - 1)));
      return { type: 'string', length, value: toBytes(value), truncated: length > STRING_BYTES };
    }
    case 'list': {
      const length = num(await s.call('LLEN', k));
      const items = arr(await s.call('LRANGE', k, String(offset), end)).map((v) => clip(str(v)));
      return { type: 'list', length, offset, items };
    }
    case 'hash': {
      const length = num(await s.call('HLEN', k));
      const [next, flat] = arr(await s.call('HSCAN', k, cursor, 'COUNT', String(ITEMS)));
      const f = arr(flat);
      const pairs: [ReturnType<typeof toBytes>, ReturnType<typeof toBytes>][] = [];
      for (let i = 0; i + 1 < f.length; i += 2) pairs.push([clip(str(f[i])), clip(str(f[i + 1]))]);
      return { type: 'hash', length, cursor: str(next), pairs };
    }
    case 'set': {
      const length = num(await s.call('SCARD', k));
      const [next, members] = arr(await s.call('SSCAN', k, cursor, 'COUNT', String(ITEMS)));
      return { type: 'set', length, cursor: str(next), members: arr(members).map((m) => clip(str(m))) };
    }
    case 'zset': {
      const length = num(await s.call('ZCARD', k));
      const members = arr(await s.call('ZRANGE', k, String(offset), end, 'WITHSCORES')).map((pair): [ReturnType<typeof toBytes>, string] => {
        const [m, score] = arr(pair);
        return [clip(str(m)), str(score)];
      });
      return { type: 'zset', length, offset, members };
    }
    case 'stream': {
      const length = num(await s.call('XLEN', k));
      const entries = arr(await s.call('XRANGE', k, '-', '+', 'COUNT', String(ENTRIES))).map(entry);
      return { type: 'stream', length, entries };
    }
    default:
      return { type: 'other', name: type };
  }
}
