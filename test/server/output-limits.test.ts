import net from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Client } from '../../src/server/client.js';
import type { RespWriter } from '../../src/protocol/reply.js';
import { useSluice } from '../helpers/fixture.js';
import { encodeCommand, RespClient } from '../helpers/resp-client.js';

const sluice = useSluice({ conn: 'shared' });
afterEach(async () => {
  vi.restoreAllMocks();
  await sluice.conn.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 pubsub 32mb 8mb 60');
});

async function clientObject(c: RespClient): Promise<Client> {
  const id = Number(((await c.call('CLIENT', 'ID')) as { v: string }).v);
  return sluice.server.clients.get(id)!;
}

/** What the limits count: the output buffer, the socket writer's queue and what Node's socket still holds. */
function pending(c: Client): number {
  return c.conn!.pendingOutput;
}

const KB = 1024;
const MB = 1024 * KB;

/** A subscriber of `channel` on a raw socket that never reads once subscribed, and the server's client for it. */
async function stalledSubscriber(channel: string): Promise<{ socket: net.Socket; client: Client }> {
  const socket = net.connect({ port: sluice.port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.on('error', () => {});
  socket.write(encodeCommand(['SUBSCRIBE', channel]));
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return { socket, client: [...sluice.server.clients.values()].find((c) => c.pubsub?.channels.has(channel))! };
}

describe('a subscriber that stops reading', () => {
  test('is disconnected at the hard limit while the publisher and another subscriber carry on', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 0 0');
    const warning = vi.spyOn(sluice.server.log, 'warning');
    const { socket: stalled, client: stalledClient } = await stalledSubscriber('flood');

    const healthy = await RespClient.connect(sluice.port);
    const pub = await RespClient.connect(sluice.port);
    try {
      await healthy.call('SUBSCRIBE', 'flood');
      const before = sluice.server.stats.clientOutputBufferLimitDisconnections;
      const payload = 'p'.repeat(64 * KB);
      // Enough to fill the kernel's socket buffers on both sides and then the limit, many times over.
      const batches = 60;
      const perBatch = 8;
      const receivers: number[] = [];
      let received = 0;
      let maxPending = 0;
      const reading = (async () => {
        for (let i = 0; i < batches * perBatch; i++) {
          const m = (await healthy.read()) as { v: { v: string }[] };
          if (m.v[2].v !== payload) throw new Error('wrong message');
          received++;
        }
      })();
      for (let b = 0; b < batches; b++) {
        pub.writeRaw(Buffer.concat(Array.from({ length: perBatch }, () => encodeCommand(['PUBLISH', 'flood', payload]))));
        for (let i = 0; i < perBatch; i++) receivers.push(Number(((await pub.read()) as { v: string }).v));
        if (!stalledClient.closed) maxPending = Math.max(maxPending, pending(stalledClient));
      }
      await reading;

      expect(stalledClient.closed).toBe(true);
      expect(sluice.server.stats.clientOutputBufferLimitDisconnections).toBe(before + 1);
      // Redis's words where output pushes a client past its limit (it frees the client asynchronously).
      expect(warning).toHaveBeenCalledWith(expect.stringMatching(/^Client id=\d+ addr=.* scheduled to be closed ASAP for overcoming of output buffer limits\.$/));
      // Every message reached the healthy subscriber, and the publisher saw the stalled one drop out once.
      expect(received).toBe(batches * perBatch);
      const firstSingle = receivers.indexOf(1);
      expect(firstSingle).toBeGreaterThan(0);
      expect(receivers.slice(0, firstSingle).every((n) => n === 2)).toBe(true);
      expect(receivers.slice(firstSingle).every((n) => n === 1)).toBe(true);
      // Memory held for it never went much past the limit: at most one batch beyond it.
      expect(maxPending).toBeLessThanOrEqual(1 * MB + perBatch * (64 * KB + 100));
      const info = ((await sluice.conn.call('INFO', 'stats')) as { v: string }).v;
      expect(info).toMatch(new RegExp(`client_output_buffer_limit_disconnections:${before + 1}\r\n`));
    } finally {
      stalled.destroy();
      healthy.close();
      pub.close();
    }
  });

  test('is disconnected once it has stayed over the soft limit longer than its seconds, and not before', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 256kb 2');
    const sub = await RespClient.connect(sluice.port);
    try {
      const c = await clientObject(sub);
      await sub.call('SUBSCRIBE', 'slow');
      let now = 1_000_000;
      vi.spyOn(Date, 'now').mockImplementation(() => now);
      const limits = sluice.server.outputLimits;
      c.reply.raw(Buffer.alloc(300 * KB));
      expect(limits.check(c)).toBe(false);
      now += 2000;
      expect(limits.check(c)).toBe(false);
      // Back under the soft limit: the clock starts again.
      const held = (c.reply as RespWriter).take();
      expect(limits.check(c)).toBe(false);
      c.reply.raw(held as Buffer);
      now += 5000;
      expect(limits.check(c)).toBe(false);
      now += 2001;
      expect(limits.check(c)).toBe(true);
      expect(c.closed).toBe(true);
      await sub.closed;
    } finally {
      sub.close();
    }
  });

  test('left over the soft limit with nothing more sent to it, is closed by the cron once its seconds pass, in Redis\'s words', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 256kb 2');
    const warning = vi.spyOn(sluice.server.log, 'warning');
    const { socket: stalled, client: stalledClient } = await stalledSubscriber('burst');
    const pub = await RespClient.connect(sluice.port);
    try {
      // One burst, past the kernel's socket buffers and the soft limit; then nothing more for this subscriber.
      const payload = 'b'.repeat(64 * KB);
      pub.writeRaw(Buffer.concat(Array.from({ length: 256 }, () => encodeCommand(['PUBLISH', 'burst', payload]))));
      for (let i = 0; i < 256; i++) await pub.read();
      const burstEnded = Date.now();
      expect(stalledClient.closed).toBe(false);
      expect(pending(stalledClient)).toBeGreaterThan(256 * KB);
      while (!stalledClient.closed && Date.now() - burstEnded < 10_000) await new Promise((r) => setTimeout(r, 50));
      expect(stalledClient.closed).toBe(true);
      // Not before its two seconds over the limit (which began during the burst), and in the cron's words.
      expect(Date.now() - burstEnded).toBeGreaterThan(1000);
      expect(warning).toHaveBeenCalledWith(expect.stringMatching(/^Client id=\d+ addr=.* closed for overcoming of output buffer limits\.$/));
    } finally {
      stalled.destroy();
      pub.close();
    }
  });
});

describe('normal clients', () => {
  test('have no limit by default', async () => {
    const c = await clientObject(sluice.conn);
    c.reply.raw(Buffer.alloc(64 * MB));
    try {
      expect(sluice.server.outputLimits.check(c)).toBe(false);
    } finally {
      (c.reply as RespWriter).take();
    }
  });

  test('a client that pipelines large replies without reading them is dropped at the normal hard limit', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 512kb 0 0');
    await sluice.conn.call('SET', 'big', 'v'.repeat(256 * KB));
    const reader = net.connect({ port: sluice.port, host: '127.0.0.1' });
    reader.on('error', () => {});
    let closed = false;
    reader.once('close', () => (closed = true));
    await new Promise<void>((resolve) => reader.once('connect', () => resolve()));
    reader.pause();
    const before = sluice.server.stats.clientOutputBufferLimitDisconnections;
    try {
      const gets = Buffer.concat(Array.from({ length: 16 }, () => encodeCommand(['GET', 'big'])));
      // Up to 200 × 16 × 256 KiB requested; the server gives up long before, at the kernel buffers plus 512 KiB.
      for (let i = 0; i < 200 && !closed; i++) {
        reader.write(gets);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(closed).toBe(true);
      expect(sluice.server.stats.clientOutputBufferLimitDisconnections).toBe(before + 1);
      expect(await sluice.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    } finally {
      reader.destroy();
      await sluice.conn.call('DEL', 'big');
    }
  });
});

describe('a reply over the hard limit', () => {
  test('is never written: the client is closed with nothing sent, as Redis counts a reply while building it', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 100000 0 0');
    const item = 'x'.repeat(1000);
    for (let i = 0; i < 150; i++) await sluice.conn.call('LPUSH', 'biglist', item);
    const socket = net.connect({ port: sluice.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const before = sluice.server.stats.clientOutputBufferLimitDisconnections;
    try {
      socket.write(encodeCommand(['LRANGE', 'biglist', '0', '-1']));
      await closed;
      expect(Buffer.concat(received).length).toBe(0);
      expect(sluice.server.stats.clientOutputBufferLimitDisconnections).toBe(before + 1);
      // A reply under the limit still goes.
      expect(await sluice.conn.call('LLEN', 'biglist')).toEqual({ t: 'int', v: '150' });
    } finally {
      socket.destroy();
      await sluice.conn.call('DEL', 'biglist');
    }
  });
});

describe('configuration', () => {
  test("CONFIG REWRITE writes a line per class as Redis: each in place of an old line, else appended where it is not the default", async () => {
    const { Config } = await import('../../src/server/config.js');
    const { rewrittenConfig } = await import('../../src/server/config-rewrite.js');
    const { parseConfigText, resolveConfig } = await import('../../src/server/config-file.js');
    const config = new Config();
    expect(rewrittenConfig('', config)).not.toContain('client-output-buffer-limit');
    expect(config.setMany([['client-output-buffer-limit', 'pubsub 1mb 256kb 5'], ['notify-keyspace-events', 'KEA']])).toBeNull();
    // What Redis 7.0 writes over this file after the same CONFIG SET: the normal line kept in its place, pubsub's appended.
    const text = rewrittenConfig('port 6379\nclient-output-buffer-limit normal 0 0 0\n', config);
    expect(text).toMatch(/^port 6379\nclient-output-buffer-limit normal 0 0 0\n\n# Generated by CONFIG REWRITE\n/);
    expect(text).toContain('\nclient-output-buffer-limit pubsub 1mb 256kb 5\n');
    expect(text).not.toContain('replica');
    expect(text.match(/client-output-buffer-limit/g)).toHaveLength(2);
    expect(text).toContain('notify-keyspace-events "AKE"\n');
    const reread = new Config();
    expect(reread.setMany(resolveConfig(parseConfigText(text, 'f.conf')), { startup: true })).toBeNull();
    expect(reread.str('client-output-buffer-limit')).toBe(config.str('client-output-buffer-limit'));
    expect(reread.str('notify-keyspace-events')).toBe('AKE');
  });
});
