import { readFileSync } from 'node:fs';
import os from 'node:os';
import tls from 'node:tls';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { freePort, startSluice, type TestSluice } from '../helpers/servers.js';
import { makeCerts } from '../helpers/tls-certs.js';
import { waitFor } from '../bullmq/harness.js';
import { ConsoleSession, q, request } from './console-client.js';

/** A server with its console on a free port, and a RESP connection to fill it. */
async function withConsole(config: Record<string, string | number> = {}, extra: { bind?: string } = {}): Promise<{ s: TestSluice; url: string; redis: Redis }> {
  const s = await startSluice({ consolePort: await freePort(), config, ...extra });
  const redis = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true, password: typeof config.requirepass === 'string' ? config.requirepass : undefined });
  await redis.connect();
  return { s, url: s.consoleUrl!, redis };
}

const open: { s: TestSluice; redis: Redis }[] = [];
afterEach(async () => {
  for (const { s, redis } of open.splice(0)) {
    redis.disconnect();
    await s.close();
  }
});
async function server(config: Record<string, string | number> = {}, extra: { bind?: string } = {}) {
  const x = await withConsole(config, extra);
  open.push(x);
  return x;
}

test('the console is off unless a port is given, and CONFIG SET console-port opens and closes it', async () => {
  const s = await startSluice();
  try {
    expect(s.consoleUrl).toBeNull();
    const port = await freePort();
    const redis = new Redis({ port: s.port, host: '127.0.0.1' });
    expect(await redis.config('SET', 'console-port', String(port))).toBe('OK');
    expect(s.server.webConsole.url).toBe(`http://127.0.0.1:${port}/`);
    expect((await request(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(await redis.config('SET', 'console-port', '0')).toBe('OK');
    expect(s.server.webConsole.url).toBeNull();
    await expect(request(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })).rejects.toThrow();
    redis.disconnect();
  } finally {
    await s.close();
  }
});

describe('without a password', () => {
  test('a session as the default user is opened at once, with a cookie scripts cannot read and other sites do not send', async () => {
    const { url, redis } = await server();
    await redis.set('k1', 'v1');
    const c = new ConsoleSession(url);
    const r = await c.get('/api/session');
    expect(r.json).toMatchObject({ user: 'default', authRequired: false });
    const cookie = r.headers['set-cookie']![0];
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await c.get('/api/keys')).json.items).toEqual([{ key: 'k1', type: 'string', ttl: -1 }]);
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
  });

  test('a request addressed to a DNS name (a rebinding page) gets no session', async () => {
    const { url } = await server();
    const port = new URL(url).port;
    const c = new ConsoleSession(url);
    const r = await c.get('/api/session', { host: `evil.example:${port}` });
    expect(r.json).toMatchObject({ user: null, csrf: null });
    expect(r.headers['set-cookie']).toBeUndefined();
    expect((await c.get('/api/keys')).status).toBe(401);
    // Nor by logging in: the default user needs no password.
    const login = await c.post('/api/login', { username: 'default', password: 'x' }, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` });
    expect(login.status).toBe(403);
    expect(login.headers['set-cookie']).toBeUndefined();
  });

  test('protected mode refuses a peer that is not on loopback, as on the RESP port', async () => {
    const ip = Object.values(os.networkInterfaces()).flat().find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;
    if (ip === undefined) return;
    const { s } = await server({}, { bind: `127.0.0.1 ${ip}` });
    const port = s.server.webConsole.port;
    expect((await request(`http://${ip}:${port}/api/session`)).status).toBe(403);
    expect((await request(`http://127.0.0.1:${port}/api/session`)).status).toBe(200);
  });
});

describe('with ACL users', () => {
  let x: { s: TestSluice; url: string; redis: Redis };
  beforeAll(async () => {
    x = await withConsole({ requirepass: 'adminpw' });
    const r = x.redis;
    await r.call('ACL', 'SETUSER', 'nokeys', 'on', '>pw', '+@all', '-@keyspace', '~*', '&*');
    await r.call('ACL', 'SETUSER', 'appreader', 'on', '>pw', '+@read', '+info', '+select', '~app:*');
    await r.call('ACL', 'SETUSER', 'reader', 'on', '>pw', '+@read', '+info', '+select', '~*', '&*');
    await r.set('app:one', 'visible');
    await r.set('secret:one', 'hidden');
    await r.rpush('app:list', 'a', 'b');
  });
  afterAll(async () => {
    x.redis.disconnect();
    await x.s.close();
  });

  test('nothing is shown before a login, and a wrong password is refused and reaches the ACL log', async () => {
    const c = new ConsoleSession(x.url);
    expect((await c.get('/api/session')).json).toMatchObject({ user: null, authRequired: true, csrf: null });
    expect((await c.get('/api/keys')).status).toBe(401);
    expect((await c.get('/api/overview')).status).toBe(401);
    const bad = await c.login('reader', 'nope');
    expect(bad.status).toBe(401);
    const log = (await x.redis.call('ACL', 'LOG', '1')) as unknown[][];
    expect(log[0]).toContain('auth');
    expect(log[0]).toContain('reader');
  });

  test('a user without the keyspace commands sees no key names', async () => {
    const c = new ConsoleSession(x.url);
    expect((await c.login('nokeys', 'pw')).json.user).toBe('nokeys');
    const keys = await c.get('/api/keys');
    expect(keys.status).toBe(403);
    expect(keys.json.denied).toBe(true);
    expect(keys.text).not.toContain('app:one');
    expect(keys.text).not.toContain('secret');
    // Views it may see still work.
    expect((await c.get('/api/overview')).status).toBe(200);
  });

  test('a user reads the values its key patterns allow and no others; the admin parts are left out', async () => {
    const c = new ConsoleSession(x.url);
    await c.login('appreader', 'pw');
    const ok = await c.get(`/api/key?k=${q('app:one')}`);
    expect(ok.json.value).toEqual({ type: 'string', length: 7, value: 'visible', truncated: false });
    const refused = await c.get(`/api/key?k=${q('secret:one')}`);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('hidden');
    const queues = await c.get('/api/queues');
    expect(queues.json.items).toEqual([{ key: 'app:list', length: 2, blocked: 0 }]);
    expect(queues.json.blocked).toBeNull();
  });

  test('a session ends when its user is deleted', async () => {
    await x.redis.call('ACL', 'SETUSER', 'shortlived', 'on', '>pw', '+@all', '~*');
    const c = new ConsoleSession(x.url);
    await c.login('shortlived', 'pw');
    expect((await c.get('/api/keys')).status).toBe(200);
    await x.redis.call('ACL', 'DELUSER', 'shortlived');
    expect((await c.get('/api/keys')).status).toBe(401);
  });

  test('a state-changing request needs the session token and the console origin, as JSON', async () => {
    const c = new ConsoleSession(x.url);
    await c.login('default', 'adminpw');
    const body = { queue: 'bull:none', id: '1' };
    expect((await c.post('/api/bullmq/retry', body, { 'x-sluice-csrf': 'forged' })).status).toBe(403);
    expect((await c.post('/api/bullmq/retry', body, { origin: 'http://evil.example' })).status).toBe(403);
    const noOrigin = await request(`${c.origin}/api/bullmq/retry`, { method: 'POST', headers: { cookie: c.cookie, 'x-sluice-csrf': c.csrf!, 'content-type': 'application/json' }, body: '{}' });
    expect(noOrigin.status).toBe(403);
    expect((await c.post('/api/bullmq/retry', body, { 'content-type': 'text/plain' })).status).toBe(415);
    const done = await c.post('/api/bullmq/retry', body);
    expect(done.status).toBe(200);
    expect(done.json).toEqual({ ok: false, message: 'no such job' });
    // A login from another site is refused too.
    expect((await new ConsoleSession(x.url).login('default', 'adminpw').then((r) => r.status))).toBe(200);
    expect((await new ConsoleSession(x.url).post('/api/login', { username: 'default', password: 'adminpw' }, { origin: 'http://evil.example' })).status).toBe(403);
  });

  test('a user without EVAL cannot retry a job', async () => {
    const c = new ConsoleSession(x.url);
    await c.login('reader', 'pw');
    const r = await c.post('/api/bullmq/retry', { queue: 'bull:none', id: '1' });
    expect(r.status).toBe(403);
    expect(r.json.denied).toBe(true);
  });
});

test('a listing looks at a bounded part of the keyspace per request and resumes from its cursor', async () => {
  const { s, url, redis } = await server();
  const pipeline = redis.pipeline();
  for (let i = 0; i < 5000; i++) pipeline.set(`k:${i}`, 'x');
  pipeline.rpush('match:list', 'a');
  await pipeline.exec();
  const c = new ConsoleSession(url);
  await c.get('/api/session');
  const scans = () => s.server.commands.get('scan')!.stats.calls;
  const before = scans();
  const page = await c.get('/api/keys?type=list');
  // Ten SCAN slices of COUNT 100 find no more than a thousand-odd keys; the list may or may not be among them.
  expect(scans() - before).toBeLessThanOrEqual(10);
  expect(page.json.cursor).not.toBe('0');
  let cursor = page.json.cursor as string;
  const found = [...page.json.items];
  for (let i = 0; i < 20 && cursor !== '0'; i++) {
    const next = await c.get(`/api/keys?type=list&cursor=${cursor}`);
    found.push(...next.json.items);
    cursor = next.json.cursor;
  }
  expect(cursor).toBe('0');
  expect(found).toEqual([{ key: 'match:list', type: 'list', ttl: -1 }]);
});

test('each type of value is read in bounded parts', async () => {
  const { url, redis } = await server();
  await redis.rpush('list', ...Array.from({ length: 250 }, (_, i) => `e${i}`));
  await redis.hset('hash', Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`])));
  await redis.sadd('set', 'a', 'b');
  await redis.zadd('zset', 1, 'one', 2, 'two');
  await redis.xadd('stream', '1-1', 'f', 'v');
  await redis.set('bin', Buffer.from([0xff, 0x00, 0x41]));
  const c = new ConsoleSession(url);
  await c.get('/api/session');
  const list = (await c.get(`/api/key?k=${q('list')}&offset=200`)).json.value;
  expect(list).toMatchObject({ type: 'list', length: 250, offset: 200 });
  expect(list.items).toHaveLength(50);
  const hash = (await c.get(`/api/key?k=${q('hash')}`)).json.value;
  // Past hash-max-listpack-entries, HSCAN reads it a part at a time.
  expect(hash.length).toBe(600);
  expect(hash.pairs.length).toBeLessThan(600);
  expect(hash.cursor).not.toBe('0');
  expect((await c.get(`/api/key?k=${q('zset')}`)).json.value.members).toEqual([['one', '1'], ['two', '2']]);
  expect((await c.get(`/api/key?k=${q('set')}`)).json.value.members.sort()).toEqual(['a', 'b']);
  expect((await c.get(`/api/key?k=${q('stream')}`)).json.value.entries).toEqual([{ id: '1-1', fields: [['f', 'v']] }]);
  expect((await c.get(`/api/key?k=${q('bin')}`)).json.value.value).toEqual({ b64: Buffer.from([0xff, 0x00, 0x41]).toString('base64') });
  // An element is shown up to its first 4 KiB, whole characters, with what is left out.
  await redis.rpush('big', 'é'.repeat(5000));
  expect((await c.get(`/api/key?k=${q('big')}`)).json.value.items).toEqual([{ text: 'é'.repeat(2048), more: 10000 - 4096 }]);
});

test('more channels than one ordinary command should list are counted, not listed', async () => {
  const { url, s } = await server();
  const sub = new Redis({ port: s.port, host: '127.0.0.1' });
  try {
    await sub.subscribe(...Array.from({ length: 5001 }, (_, i) => `ch${i}`));
    const c = new ConsoleSession(url);
    await c.get('/api/session');
    const calls = () => s.server.commands.get('pubsub')!.subcommands!.get('channels')!.stats.calls;
    const before = calls();
    const p = (await c.get('/api/pubsub')).json;
    expect(calls()).toBe(before);
    expect(p.channels).toEqual([]);
    expect(p.channelsLeftOut).toBe(5001);
    expect(p.denied.map((d: { what: string }) => d.what)).toEqual(['channels']);
    expect(p.clients).toHaveLength(1);
  } finally {
    sub.disconnect();
  }
});

test('streams, their groups, consumers, pending entries and ranges', async () => {
  const { url, redis } = await server();
  for (let i = 1; i <= 5; i++) await redis.xadd('orders', `${i}-0`, 'n', String(i));
  await redis.xgroup('CREATE', 'orders', 'billing', '0');
  await redis.xreadgroup('GROUP', 'billing', 'alice', 'COUNT', '2', 'STREAMS', 'orders', '>');
  const c = new ConsoleSession(url);
  await c.get('/api/session');
  expect((await c.get('/api/streams')).json.items).toEqual([{ key: 'orders', length: 5, firstId: '1-0', lastId: '5-0', groups: 1, memory: expect.any(Number) }]);
  const d = (await c.get(`/api/stream?k=${q('orders')}`)).json;
  expect(d.groups[0]).toMatchObject({ name: 'billing', consumers: 1, pending: 2, lastDeliveredId: '2-0', lag: 3 });
  expect(d.groups[0].consumerList[0]).toMatchObject({ name: 'alice', pending: 2 });
  const pending = (await c.get(`/api/stream/pending?k=${q('orders')}&group=${q('billing')}&consumer=${q('alice')}`)).json;
  expect(pending.map((p: { id: string }) => p.id)).toEqual(['1-0', '2-0']);
  expect((await c.get(`/api/stream/range?k=${q('orders')}&start=3&end=%2B&count=2`)).json.map((e: { id: string }) => e.id)).toEqual(['3-0', '4-0']);
  expect((await c.get(`/api/stream/range?k=${q('orders')}&rev=1&count=1`)).json.map((e: { id: string }) => e.id)).toEqual(['5-0']);
});

test('pub/sub: channels, patterns and shard channels with their subscribers and messages', async () => {
  const { url, redis, s } = await server();
  const sub = new Redis({ port: s.port, host: '127.0.0.1' });
  try {
    await sub.subscribe('news');
    await sub.psubscribe('news.*');
    await sub.call('SSUBSCRIBE', 'shard1');
    const c = new ConsoleSession(url);
    await c.get('/api/session');
    await c.get('/api/pubsub');
    await redis.publish('news', 'a');
    await redis.publish('news.eu', 'b');
    const p = (await c.get('/api/pubsub')).json;
    expect(p.channels).toEqual([{ name: 'news', subscribers: 1, messages: 1 }]);
    expect(p.patterns).toEqual([{ name: 'news.*', subscribers: 1, messages: 1 }]);
    expect(p.shardChannels).toEqual([{ name: 'shard1', subscribers: 1, messages: 0 }]);
    expect(p.clients).toHaveLength(1);
    expect(p.clients[0]).toMatchObject({ sub: 1, psub: 1, ssub: 1 });
  } finally {
    sub.disconnect();
  }
});

test('queues: lists with the clients blocked on them', async () => {
  const { url, redis, s } = await server();
  await redis.rpush('jobs', 'x');
  const blocker = new Redis({ port: s.port, host: '127.0.0.1' });
  try {
    void blocker.blpop('empty', 0).catch(() => {});
    await waitFor('the client to block', () => s.server.blocking.size === 1);
    const c = new ConsoleSession(url);
    await c.get('/api/session');
    const r = (await c.get('/api/queues')).json;
    expect(r.items).toEqual([{ key: 'jobs', length: 1, blocked: 0 }]);
    expect(r.blocked).toHaveLength(1);
    expect(r.blocked[0].cmd).toBe('blpop');
  } finally {
    blocker.disconnect();
  }
});

describe('BullMQ', () => {
  test('queues are found under any prefix; a failed job is shown, retried (and run again), a queue paused and resumed, a job removed', async () => {
    const { url, s } = await server();
    const connection = { host: '127.0.0.1', port: s.port, maxRetriesPerRequest: null };
    const queue = new Queue('mail', { connection, prefix: 'myapp' });
    let runs = 0;
    let fail = true;
    const worker = new Worker('mail', async (job) => {
      runs++;
      await job.log(`run ${runs}`);
      if (fail) throw new Error('smtp down');
      return 'sent';
    }, { connection, prefix: 'myapp' });
    try {
      const job = await queue.add('welcome', { to: 'a@example.com' });
      const other = await queue.add('welcome', { to: 'b@example.com' });
      await waitFor('both jobs to fail', async () => (await queue.getFailedCount()) === 2);
      const c = new ConsoleSession(url);
      await c.get('/api/session');
      const found = (await c.get('/api/bullmq')).json.items;
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ base: 'myapp:mail', paused: false, counts: { failed: 2, completed: 0, wait: 0 } });
      const failed = (await c.get(`/api/bullmq/jobs?queue=${q('myapp:mail')}&state=failed`)).json;
      expect(failed.total).toBe(2);
      expect(failed.jobs.map((j: { failedReason: string }) => j.failedReason)).toEqual(['smtp down', 'smtp down']);
      const detail = (await c.get(`/api/bullmq/job?queue=${q('myapp:mail')}&id=${q(job.id!)}`)).json;
      expect(Object.fromEntries(detail.fields)).toMatchObject({ name: 'welcome', failedReason: 'smtp down', data: JSON.stringify({ to: 'a@example.com' }) });
      expect(detail.logs).toEqual(['run 1']);

      fail = false;
      expect((await c.post('/api/bullmq/retry', { queue: 'myapp:mail', id: job.id })).json).toEqual({ ok: true, message: 'ok' });
      await waitFor('the retried job to complete', async () => (await queue.getJobState(job.id!)) === 'completed');
      expect((await queue.getJob(job.id!))!.returnvalue).toBe('sent');

      expect((await c.post('/api/bullmq/pause', { queue: 'myapp:mail', pause: true })).json.ok).toBe(true);
      expect(await queue.isPaused()).toBe(true);
      const paused = await queue.add('welcome', { to: 'c@example.com' });
      expect((await c.get('/api/bullmq')).json.items[0]).toMatchObject({ paused: true, counts: { wait: 1 } });
      expect((await c.post('/api/bullmq/pause', { queue: 'myapp:mail', pause: false })).json.ok).toBe(true);
      await waitFor('the job added while paused to complete', async () => (await queue.getJobState(paused.id!)) === 'completed');

      expect((await c.post('/api/bullmq/remove', { queue: 'myapp:mail', id: other.id })).json).toEqual({ ok: true, message: 'ok' });
      expect(await queue.getJob(other.id!)).toBeUndefined();
      expect(await queue.getFailedCount()).toBe(0);
    } finally {
      await worker.close(true);
      await queue.close();
    }
  });
});

test('over TLS when tls-port is set, with the server certificate', async () => {
  const certs = makeCerts();
  try {
    const consolePort = await freePort();
    const s = await startSluice({
      port: await freePort(),
      consolePort,
      config: { 'tls-port': await freePort(), 'tls-auth-clients': 'no', 'tls-cert-file': certs.serverCert, 'tls-key-file': certs.serverKey },
    });
    try {
      expect(s.consoleUrl).toBe(`https://127.0.0.1:${consolePort}/`);
      const c = new ConsoleSession(s.consoleUrl!, readFileSync(certs.caCert));
      const r = await c.get('/api/session');
      expect(r.json.user).toBe('default');
      expect(r.headers['set-cookie']![0]).toMatch(/; Secure/);
      await expect(request(`http://127.0.0.1:${consolePort}/api/session`)).rejects.toThrow();
      // New certificates, as the TLS port takes them, serve the console's next connections.
      const subject = () => new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port: consolePort, ca: readFileSync(certs.caCert), checkServerIdentity: () => undefined }, () => {
          resolve(String(socket.getPeerCertificate().subject.CN));
          socket.destroy();
        });
        socket.once('error', reject);
      });
      const before = await subject();
      const redis = new Redis({ port: s.port, host: '127.0.0.1' });
      expect(await redis.config('SET', 'tls-cert-file', certs.server2Cert, 'tls-key-file', certs.server2Key)).toBe('OK');
      redis.disconnect();
      expect(await subject()).toBe('reloaded');
      expect(before).not.toBe('reloaded');
    } finally {
      await s.close();
    }
  } finally {
    certs.remove();
  }
});
