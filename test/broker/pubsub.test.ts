import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, test } from 'vitest';
import { PatternIndex } from '../../src/broker/pattern-index.js';
import { globFrames, globMatch } from '../../src/core/glob.js';
import { useSluice } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';

const sluice = useSluice();

const bulk = (v: string | null): Resp => ({ t: 'bulk', v });
const int = (n: number): Resp => ({ t: 'int', v: String(n) });
const push = (...v: Resp[]): Resp => ({ t: 'push', v });
const arr = (...v: Resp[]): Resp => ({ t: 'array', v });

/** Resolves with the first `n` values `register` reports, or rejects after a generous bound. */
function collect<T>(n: number, register: (add: (v: T) => void) => void): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${n} arrived`)), 10000);
    register((v) => {
      got.push(v);
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

describe('ioredis subscribers', () => {
  for (const protocol of [2, 3] as const) {
    test(`RESP${protocol}: channel, pattern and shard subscriptions receive what is published, in order`, async () => {
      const sub = new Redis({ port: sluice.port, host: '127.0.0.1', protocol, lazyConnect: true });
      const pub = new Redis({ port: sluice.port, host: '127.0.0.1', lazyConnect: true });
      try {
        await Promise.all([sub.connect(), pub.connect()]);
        const messages = collect<string>(5, (add) => {
          sub.on('message', (ch, msg) => add(`message ${ch} ${msg}`));
          sub.on('pmessage', (pat, ch, msg) => add(`pmessage ${pat} ${ch} ${msg}`));
          sub.on('smessage', (ch, msg) => add(`smessage ${ch} ${msg}`));
        });
        expect(await sub.subscribe('orders', 'audit')).toBe(2);
        expect(await sub.psubscribe('orders.*')).toBe(3);
        await sub.ssubscribe('shard');
        expect(await pub.publish('orders', 'one')).toBe(1);
        expect(await pub.publish('orders.eu', 'two')).toBe(1);
        expect(await pub.publish('orders', 'three')).toBe(1);
        expect(await pub.spublish('shard', 'four')).toBe(1);
        expect(await pub.publish('audit', 'five')).toBe(1);
        expect(await messages).toEqual([
          'message orders one', 'pmessage orders.* orders.eu two', 'message orders three', 'smessage shard four',
          'message audit five',
        ]);
        if (protocol === 3) {
          // RESP3 subscribers may run any command while subscribed.
          await pub.set('k', 'v');
          expect(await sub.get('k')).toBe('v');
        }
        await sub.unsubscribe('orders', 'audit');
        await sub.punsubscribe();
        await sub.sunsubscribe();
        expect(await pub.publish('orders', 'gone')).toBe(0);
        expect(await pub.pubsub('NUMPAT')).toBe(0);
      } finally {
        sub.disconnect();
        pub.disconnect();
      }
    });
  }
});

describe('node-redis subscribers', () => {
  for (const RESP of [2, 3] as const) {
    test(`RESP${RESP}: subscribe, pSubscribe and sSubscribe listeners get their messages`, async () => {
      const url = `redis://127.0.0.1:${sluice.port}`;
      const pub = createClient({ url, RESP });
      const sub = pub.duplicate();
      await Promise.all([pub.connect(), sub.connect()]);
      try {
        const got = collect<string>(3, (add) => {
          void sub.subscribe('news', (msg, ch) => add(`${ch}:${msg}`));
          void sub.pSubscribe('news.*', (msg, ch) => add(`p ${ch}:${msg}`));
          void sub.sSubscribe('s', (msg, ch) => add(`s ${ch}:${msg}`));
        });
        // node-redis sends the subscriptions in the background: wait until the server counts all three.
        const ready = async () =>
          ((await pub.sendCommand(['PUBSUB', 'NUMPAT'])) as unknown) === 1 &&
          ((await pub.sendCommand(['PUBSUB', 'SHARDCHANNELS'])) as string[]).length === 1 &&
          ((await pub.sendCommand(['PUBSUB', 'CHANNELS', 'news'])) as string[]).length === 1;
        for (let i = 0; i < 500 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 10));
        expect(await pub.publish('news', 'hello')).toBe(1);
        expect(await pub.publish('news.sport', 'goal')).toBe(1);
        expect(await pub.sPublish('s', 'shard')).toBe(1);
        expect(await got).toEqual(['news:hello', 'p news.sport:goal', 's s:shard']);
        await sub.unsubscribe('news');
        await sub.pUnsubscribe();
        await sub.sUnsubscribe();
        expect(await pub.sendCommand(['PUBSUB', 'NUMSUB', 'news'])).toEqual(['news', 0]);
      } finally {
        await Promise.all([pub.quit(), sub.quit()]);
      }
    });
  }
});

describe('delivery', () => {
  test('messages from one publisher arrive in publish order, across channels and patterns', async () => {
    const sub = await RespClient.connect(sluice.port);
    const pub = await RespClient.connect(sluice.port);
    try {
      await sub.call('SUBSCRIBE', 'seq');
      await sub.call('PSUBSCRIBE', 'se*');
      const n = 500;
      let batch = '';
      for (let i = 0; i < n; i++) batch += `*3\r\n$7\r\nPUBLISH\r\n$3\r\nseq\r\n$${String(i).length}\r\n${i}\r\n`;
      pub.writeRaw(batch);
      const seen: string[] = [];
      for (let i = 0; i < 2 * n; i++) {
        const m = await sub.read();
        if (m.t !== 'array' || m.v === null) throw new Error('not a message');
        const last = m.v[m.v.length - 1];
        seen.push(`${(m.v[0] as { v: string }).v}:${(last as { v: string }).v}`);
      }
      const expected: string[] = [];
      for (let i = 0; i < n; i++) expected.push(`message:${i}`, `pmessage:${i}`);
      expect(seen).toEqual(expected);
      for (let i = 0; i < n; i++) expect(await pub.read()).toEqual(int(2));
    } finally {
      sub.close();
      pub.close();
    }
  });

  test('UNSUBSCRIBE without names confirms each channel with a falling count, then answers alone with nil', async () => {
    const c = await RespClient.connect(sluice.port);
    try {
      await c.call('SUBSCRIBE', 'x', 'y', 'z');
      await c.read();
      await c.read();
      await c.call('PSUBSCRIBE', 'p*');
      c.writeRaw('UNSUBSCRIBE\r\n');
      const replies = [await c.read(), await c.read(), await c.read()];
      expect(replies.map((r) => (r as { v: Resp[] }).v[2])).toEqual([int(3), int(2), int(1)]);
      expect(replies.map((r) => (r as { v: Resp[] }).v[1]).sort((a, b) => String((a as { v: string }).v).localeCompare(String((b as { v: string }).v)))).toEqual([bulk('x'), bulk('y'), bulk('z')]);
      expect(await c.call('UNSUBSCRIBE')).toEqual(arr(bulk('unsubscribe'), bulk(null), int(1)));
      expect(await c.call('PUNSUBSCRIBE')).toEqual(arr(bulk('punsubscribe'), bulk('p*'), int(0)));
      expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    } finally {
      c.close();
    }
  });

  // Redis 7.2 behaviour (7.0 sends the push before the reply, and inside EXEC's array).
  test('RESP3: messages to the publishing client itself follow its reply, and EXEC\'s whole array', async () => {
    const c = await RespClient.connect(sluice.port);
    try {
      await c.call('HELLO', '3');
      await c.call('SUBSCRIBE', 'me');
      expect(await c.call('PUBLISH', 'me', 'hi')).toEqual(int(1));
      expect(await c.read()).toEqual(push(bulk('message'), bulk('me'), bulk('hi')));
      c.writeRaw('MULTI\r\nPUBLISH me a\r\nPUBLISH me b\r\nEXEC\r\nPING\r\n');
      expect(await c.read()).toEqual({ t: 'simple', v: 'OK' });
      await c.read();
      await c.read();
      expect(await c.read()).toEqual(arr(int(1), int(1)));
      expect(await c.read()).toEqual(push(bulk('message'), bulk('me'), bulk('a')));
      expect(await c.read()).toEqual(push(bulk('message'), bulk('me'), bulk('b')));
      expect(await c.read()).toEqual({ t: 'simple', v: 'PONG' });
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'E$');
      await c.call('SUBSCRIBE', '__keyevent@0__:set');
      expect(await c.call('SET', 'k', 'v')).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.read()).toEqual(push(bulk('message'), bulk('__keyevent@0__:set'), bulk('k')));
    } finally {
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      c.close();
    }
  });

  test('RESP3: a long message to the publishing client itself follows its reply byte for byte, alone or with another subscriber', async () => {
    const [c, other] = await Promise.all([RespClient.connect(sluice.port), RespClient.connect(sluice.port)]);
    const message = (n: number) => String.fromCharCode(...Array.from({ length: n }, (_, i) => (i * 7) % 256));
    try {
      await c.call('HELLO', '3');
      await c.call('SUBSCRIBE', 'me');
      expect(await c.call('PUBLISH', 'me', message(64))).toEqual(int(1));
      expect(await c.read()).toEqual(push(bulk('message'), bulk('me'), bulk(message(64))));
      await other.call('SUBSCRIBE', 'me');
      expect(await c.call('PUBLISH', 'me', message(300))).toEqual(int(2));
      expect(await c.read()).toEqual(push(bulk('message'), bulk('me'), bulk(message(300))));
      expect(await other.read()).toEqual(arr(bulk('message'), bulk('me'), bulk(message(300))));
    } finally {
      c.close();
      other.close();
    }
  });

  test('a subscriber dropped during a fan-out costs the others nothing, channels and patterns alike', async () => {
    const server = sluice.server;
    const doomed = await RespClient.connect(sluice.port);
    const others = await Promise.all([RespClient.connect(sluice.port), RespClient.connect(sluice.port)]);
    const pub = await RespClient.connect(sluice.port);
    try {
      await pub.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 64kb 0 0');
      const id = Number(((await doomed.call('CLIENT', 'ID')) as { v: string }).v);
      // Subscribed first, so each fan-out reaches it before the others.
      await doomed.call('SUBSCRIBE', 'big');
      await doomed.call('PSUBSCRIBE', 'b*');
      await others[0].call('SUBSCRIBE', 'big');
      await others[1].call('PSUBSCRIBE', 'b*');
      const before = server.stats.clientOutputBufferLimitDisconnections;
      // Output it has not taken yet (the limits leave the first 16 KB out, as Redis its reply buffer): the next message puts it over the hard limit in the middle of the fan-out.
      server.clients.get(id)!.reply.raw(Buffer.alloc(76 * 1024, 'x'));
      const payload = 'y'.repeat(8 * 1024);
      expect(await pub.call('PUBLISH', 'big', payload)).toEqual(int(3));
      expect(server.stats.clientOutputBufferLimitDisconnections).toBe(before + 1);
      await doomed.closed;
      expect((await others[0].read() as { v: Resp[] }).v[2]).toEqual(bulk(payload));
      expect((await others[1].read() as { v: Resp[] }).v[3]).toEqual(bulk(payload));
      expect(await pub.call('PUBSUB', 'NUMSUB', 'big')).toEqual(arr(bulk('big'), int(1)));
      expect(await pub.call('PUBLISH', 'big', 'after')).toEqual(int(2));
    } finally {
      await pub.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
      for (const c of [doomed, pub, ...others]) c.close();
    }
  });
});

describe('pattern index', () => {
  const ALPHABET = ['a', 'b', '.', '*', '?', '[a-b]', '\\*', '[^a]'];

  function randomWord(rnd: () => number, parts: string[], max: number): string {
    let s = '';
    const n = Math.floor(rnd() * max);
    for (let i = 0; i < n; i++) s += parts[Math.floor(rnd() * parts.length)];
    return s;
  }

  test('finds exactly the patterns glob matching would, over generated patterns and channels', () => {
    let x = 42;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const index = new PatternIndex();
    const patterns = new Set<string>();
    for (let i = 0; i < 400; i++) patterns.add(randomWord(rnd, ALPHABET, 6));
    for (const p of patterns) index.add(p);
    const removed = [...patterns].filter((_, i) => i % 3 === 0);
    for (const p of removed) {
      index.remove(p);
      patterns.delete(p);
    }
    for (let i = 0; i < 2000; i++) {
      const channel = randomWord(rnd, ['a', 'b', '.', '*'], 7);
      const expected = [...patterns].filter((p) => globMatch(p, channel)).sort();
      expect([...index.match(channel)].sort(), channel).toEqual(expected);
    }
  });

  test('a publish does not glob-match patterns whose literal prefix the channel lacks', async () => {
    const subscriber = await RespClient.connect(sluice.port);
    const pub = await RespClient.connect(sluice.port);
    try {
      const patterns = Array.from({ length: 1000 }, (_, i) => `tenant.${i}.*`);
      subscriber.writeRaw(`PSUBSCRIBE ${patterns.join(' ')}\r\n`);
      for (let i = 0; i < patterns.length; i++) await subscriber.read();
      const before = globFrames();
      expect(await pub.call('PUBLISH', 'other.7.x', 'm')).toEqual(int(0));
      expect(globFrames() - before).toBe(0);
      expect(await pub.call('PUBLISH', 'tenant.7.x', 'm')).toEqual(int(1));
      // One candidate pattern, not a thousand.
      expect(globFrames() - before).toBeLessThan(10);
    } finally {
      subscriber.close();
      pub.close();
    }
  });
});

describe('observability', () => {
  test('INFO, CLIENT LIST and commandstats show subscriptions and publishes', async () => {
    const a = await RespClient.connect(sluice.port);
    const b = await RespClient.connect(sluice.port);
    const admin = await RespClient.connect(sluice.port);
    try {
      await admin.call('CONFIG', 'RESETSTAT');
      await a.call('SUBSCRIBE', 'c1');
      await a.call('PSUBSCRIBE', 'p1');
      await b.call('HELLO', '3');
      await b.call('SSUBSCRIBE', 's1');
      await b.call('SUBSCRIBE', 'c1');
      await admin.call('PUBLISH', 'c1', 'x');
      const info = ((await admin.call('INFO', 'everything')) as { v: string }).v;
      const field = (name: string) => new RegExp(`^${name}:(.*)\r$`, 'm').exec(info)?.[1];
      expect(field('pubsub_channels')).toBe('1');
      expect(field('pubsub_patterns')).toBe('1');
      expect(field('pubsubshard_channels')).toBe('1');
      expect(field('pubsub_clients')).toBe('2');
      expect(field('cmdstat_publish')).toMatch(/^calls=1,/);
      const list = ((await admin.call('CLIENT', 'LIST')) as { v: string }).v.trim().split('\n');
      const lines = list.filter((l) => / sub=[1-9]| ssub=[1-9]/.test(l));
      expect(lines).toHaveLength(2);
      expect(lines.some((l) => / flags=P .* sub=1 psub=1 ssub=0 /.test(l))).toBe(true);
      expect(lines.some((l) => / flags=P .* sub=1 psub=0 ssub=1 /.test(l))).toBe(true);
      const pubsubOnly = ((await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as { v: string }).v.trim().split('\n');
      expect(pubsubOnly).toHaveLength(2);
      expect(/ flags=N .* sub=0 psub=0 ssub=0 /.test(list.find((l) => l.includes('cmd=client|list'))!)).toBe(true);
    } finally {
      for (const c of [a, b, admin]) c.close();
    }
  });

  test('Prometheus series count published and delivered messages, channels and patterns', async () => {
    const a = await RespClient.connect(sluice.port);
    const pub = await RespClient.connect(sluice.port);
    try {
      await a.call('SUBSCRIBE', 'metric-channel');
      await a.call('PSUBSCRIBE', 'metric-*');
      const registry = await sluice.server.metrics.registry();
      const value = async (name: string, labels: Record<string, string> = {}) => {
        const m = (await registry.getSingleMetric(name)!.get()).values.find((v) =>
          Object.entries(labels).every(([k, x]) => v.labels[k] === x),
        );
        return m?.value ?? 0;
      };
      const published = await value('sluice_pubsub_messages_published_total', { kind: 'publish' });
      const delivered = await value('sluice_pubsub_messages_delivered_total');
      await pub.call('PUBLISH', 'metric-channel', 'x');
      expect(await value('sluice_pubsub_messages_published_total', { kind: 'publish' })).toBe(published + 1);
      expect(await value('sluice_pubsub_messages_delivered_total')).toBe(delivered + 2);
      expect(await value('sluice_pubsub_channels', { kind: 'channel' })).toBeGreaterThanOrEqual(1);
      expect(await value('sluice_pubsub_patterns')).toBeGreaterThanOrEqual(1);
      const text = await registry.metrics();
      expect(text).toContain('sluice_client_output_buffer_limit_disconnections_total');
    } finally {
      a.close();
      pub.close();
    }
  });
});
