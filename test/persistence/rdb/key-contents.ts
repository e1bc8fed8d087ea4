import type { RespClient, Resp } from '../../helpers/resp-client.js';

/** Everything a client can read of a key, less what the clock decides (idle times). */
export async function contents(c: RespClient, key: string): Promise<unknown[]> {
  const type = await c.call('TYPE', key);
  const out: unknown[] = [type, await c.call('PTTL', key)];
  const sorted = (r: Resp): unknown => (r.t === 'array' && r.v !== null ? r.v.map((x) => JSON.stringify(x)).sort() : r);
  switch (type.t === 'simple' ? type.v : '') {
    case 'string':
      out.push(await c.call('GET', key));
      break;
    case 'list':
      out.push(await c.call('LRANGE', key, '0', '-1'));
      break;
    case 'set':
      out.push(sorted(await c.call('SMEMBERS', key)));
      break;
    case 'zset': {
      // Scores as numbers: Redis 7.0 prints them with 17 digits, 7.2 (and Sluice) with the fewest that read back the same.
      const r = await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES');
      out.push(r.t === 'array' ? r.v?.map((x, i) => (i % 2 === 1 && x.t === 'bulk' ? Number(x.v) : x)) : r);
      break;
    }
    case 'hash':
      out.push(sorted(await c.call('HGETALL', key)));
      break;
    case 'stream': {
      out.push(await c.call('XRANGE', key, '-', '+'));
      const info = await c.call('XINFO', 'STREAM', key);
      const fields = ['length', 'radix-tree-keys', 'radix-tree-nodes', 'last-generated-id', 'max-deleted-entry-id', 'entries-added', 'recorded-first-entry-id', 'groups'];
      out.push(pick(info, fields));
      const groups = await c.call('XINFO', 'GROUPS', key);
      out.push(groups);
      for (const g of groups.t === 'array' ? groups.v ?? [] : []) {
        const name = field(g, 'name');
        out.push(await c.call('XPENDING', key, name, '-', '+', '100').then(maskIdle));
        out.push(pick(await c.call('XINFO', 'CONSUMERS', key, name), ['name', 'pending']));
      }
      break;
    }
  }
  return out;
}

function field(r: Resp, name: string): string {
  if (r.t !== 'array' || r.v === null) return '';
  for (let i = 0; i < r.v.length; i += 2) {
    const k = r.v[i];
    const v = r.v[i + 1];
    if (k.t === 'bulk' && k.v === name && v.t === 'bulk' && v.v !== null) return v.v;
  }
  return '';
}

/** The named fields of a flat map reply (or of each one in an array of them). */
function pick(r: Resp, names: string[]): unknown {
  if (r.t !== 'array' || r.v === null) return r;
  if (r.v.length > 0 && r.v[0].t === 'array') return r.v.map((x) => pick(x, names));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < r.v.length; i += 2) {
    const k = r.v[i];
    if (k.t === 'bulk' && k.v !== null && names.includes(k.v)) out[k.v] = r.v[i + 1];
  }
  return out;
}

/** XPENDING's extended form with each entry's idle time blanked. */
function maskIdle(r: Resp): unknown {
  if (r.t !== 'array' || r.v === null) return r;
  return r.v.map((e) => (e.t === 'array' && e.v !== null ? [e.v[0], e.v[1], e.v[3]] : e));
}

export async function keysOf(c: RespClient): Promise<string[]> {
  const r = await c.call('KEYS', '*');
  return r.t === 'array' && r.v !== null ? r.v.map((k) => (k.t === 'bulk' ? k.v ?? '' : '')).sort() : [];
}
