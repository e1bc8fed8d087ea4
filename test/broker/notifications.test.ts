import { Redis } from 'ioredis';
import { afterEach, describe, expect, test } from 'vitest';
import { displayedEventFlags, storedEventFlags } from '../../src/broker/notifications.js';
import { parseConfigText, resolveConfig } from '../../src/server/config-file.js';
import type { EventClass } from '../../src/keyspace/keyspace.js';
import { useSluice } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { startSluice } from '../helpers/servers.js';

const sluice = useSluice({ conn: 'shared' });
afterEach(async () => {
  await sluice.conn.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  await sluice.conn.call('FLUSHALL');
});

/** A pattern subscriber on every keyspace and keyevent channel, reading [channel, message] pairs. */
async function listener(): Promise<{ next: () => Promise<[string, string]>; close: () => void }> {
  const c = await RespClient.connect(sluice.port);
  await c.call('PSUBSCRIBE', '__key*__:*');
  return {
    next: async () => {
      const m = (await c.read()) as { v: { v: string }[] };
      return [m.v[2].v, m.v[3].v];
    },
    close: () => c.close(),
  };
}

describe('keyspace notifications', () => {
  test('expired is raised by the active expiry cycle for keys nobody reads', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ex');
    const l = await listener();
    try {
      await sluice.conn.call('SET', 'soon', 'v', 'PX', '30');
      // No command touches the key again: only the cron can find it.
      expect(await l.next()).toEqual(['__keyevent@0__:expired', 'soon']);
      expect(await sluice.conn.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
    } finally {
      l.close();
    }
  });

  test('every event class reaches subscribers through the keyspace hook, filtered by its flag', async () => {
    // The hook later families (lists, sets, hashes, sorted sets, streams) call; 'd' is for modules, which Sluice lacks.
    const classes: [EventClass, string][] = [
      ['g', 'del'], ['$', 'set'], ['l', 'lpush'], ['s', 'sadd'], ['h', 'hset'], ['z', 'zadd'], ['x', 'expired'],
      ['e', 'evicted'], ['t', 'xadd'], ['m', 'keymiss'], ['n', 'new'],
    ];
    const l = await listener();
    try {
      const ks = sluice.server.keyspace;
      for (const [cls, event] of classes) {
        await sluice.conn.call('CONFIG', 'SET', 'notify-keyspace-events', `K${cls}`);
        // A class that is not enabled is dropped: only the enabled one arrives.
        const other = classes.find(([c]) => c !== cls)!;
        ks.notify(ks.db(2), other[0], other[1], 'key');
        ks.notify(ks.db(2), cls, event, 'key');
        expect(await l.next()).toEqual(['__keyspace@2__:key', event]);
      }
    } finally {
      l.close();
    }
  });

  test('with notifications off an event publishes nothing, and new keys are not even looked for', async () => {
    const broker = sluice.server.broker;
    const before = broker.stats.published.keyspace;
    await sluice.conn.call('SET', 'a', '1');
    await sluice.conn.call('GET', 'missing');
    expect(broker.stats.published.keyspace).toBe(before);
    expect(sluice.server.keyspace.notifyNew).toBe(false);
    await sluice.conn.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    expect(sluice.server.keyspace.notifyNew).toBe(false);
    await sluice.conn.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEAn');
    expect(sluice.server.keyspace.notifyNew).toBe(true);
    await sluice.conn.call('SET', 'b', '1');
    // new and set, each on both channels.
    expect(broker.stats.published.keyspace).toBe(before + 4);
  });

  test('an ioredis client in RESP3 hears its own writes after their replies', async () => {
    const redis = new Redis({ port: sluice.port, host: '127.0.0.1', protocol: 3 });
    try {
      await redis.config('SET', 'notify-keyspace-events', 'KA');
      const events: string[] = [];
      redis.on('pmessage', (_p, channel, message) => events.push(`${channel} ${message}`));
      await redis.psubscribe('__keyspace@0__:*');
      await redis.set('k', 'v');
      await redis.expire('k', 100);
      await redis.del('k');
      await redis.ping();
      expect(events).toEqual(['__keyspace@0__:k set', '__keyspace@0__:k expire', '__keyspace@0__:k del']);
    } finally {
      redis.disconnect();
    }
  });
});

describe('notify-keyspace-events values', () => {
  test('n survives next to A even though CONFIG GET does not print it, as in Redis', async () => {
    expect(storedEventFlags('KEAn')).toBe('AKEn');
    expect(displayedEventFlags(storedEventFlags('KEAn'))).toBe('AKE');
    await sluice.conn.call('CONFIG', 'SET', 'notify-keyspace-events', 'nKEA');
    expect(await sluice.conn.call('CONFIG', 'GET', 'notify-keyspace-events')).toEqual({
      t: 'array', v: [{ t: 'bulk', v: 'notify-keyspace-events' }, { t: 'bulk', v: 'AKE' }],
    } satisfies Resp);
    expect(sluice.server.keyspace.notifyNew).toBe(true);
  });

  test('config file lines: n survives, and client-output-buffer-limit lines merge', async () => {
    const lines = parseConfigText(
      'notify-keyspace-events KEAn\nclient-output-buffer-limit normal 1mb 1mb 0\nclient-output-buffer-limit pubsub 2mb 1mb 10\n',
      'f.conf',
    );
    const settings = resolveConfig(lines);
    expect(settings).toEqual([
      ['notify-keyspace-events', 'AKEn'],
      ['client-output-buffer-limit', 'normal 1048576 1048576 0 slave 268435456 67108864 60 pubsub 2097152 1048576 10'],
    ]);
    const s = await startSluice({ config: Object.fromEntries(settings) });
    try {
      expect(s.server.keyspace.notifyNew).toBe(true);
      expect(s.server.outputLimits.normal).toEqual({ hard: 1048576, soft: 1048576, softSeconds: 0 });
    } finally {
      await s.close();
    }
  });
});
