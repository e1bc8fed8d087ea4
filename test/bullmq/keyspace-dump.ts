import { Redis } from 'ioredis';

/**
 * Every key of a server with its type, whether it has a TTL, and its whole
 * content in a canonical order (streams with their entry IDs and metadata),
 * one line a key: two servers, or one before and after a restart, hold the
 * same data exactly when their dumps are equal.
 */
export async function dumpKeyspace(port: number): Promise<string[]> {
  const c = new Redis(port, '127.0.0.1');
  try {
    const out: string[] = [];
    for (const key of (await c.keys('*')).sort()) {
      const type = await c.type(key);
      const content = await readValue(c, key, type);
      const ttl = await c.pttl(key);
      out.push(`${key} ${type} ${ttl > 0 ? 'expires' : 'persistent'} ${JSON.stringify(content)}`);
    }
    return out;
  } finally {
    c.disconnect();
  }
}

async function readValue(c: Redis, key: string, type: string): Promise<unknown> {
  switch (type) {
    case 'string':
      return c.get(key);
    case 'hash':
      return Object.entries(await c.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : 1));
    case 'list':
      return c.lrange(key, 0, -1);
    case 'zset':
      return c.zrange(key, 0, '-1', 'WITHSCORES');
    case 'set':
      return (await c.smembers(key)).sort();
    case 'stream': {
      const info = (await c.xinfo('STREAM', key)) as unknown[];
      const meta = Object.fromEntries(['length', 'last-generated-id', 'max-deleted-entry-id', 'entries-added'].map((f) => [f, info[info.indexOf(f) + 1]]));
      return { meta, entries: await c.xrange(key, '-', '+') };
    }
    default:
      throw new Error(`unexpected type ${type} at ${key}`);
  }
}
