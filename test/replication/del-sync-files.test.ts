import { existsSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { perTest } from '../helpers/fixture.js';
import { spawnRedis } from '../helpers/redis-on-dir.js';
import { redisServerPath, startSluice, type TestSluice } from '../helpers/servers.js';

/**
 * rdb-del-sync-files: a server that keeps nothing on disk of its own (no
 * save points, no AOF) removes the RDB file a disk-based full sync made,
 * on the master once no replica waits for it and on the replica once it
 * has loaded it; with the setting off the file stays, as in Redis.
 */

const t = perTest();
const opened: TestSluice[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of opened.splice(0)) await s.close();
});

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function client(port: number): Promise<Redis> {
  const c = new Redis({ port, lazyConnect: true });
  await c.connect();
  clients.push(c);
  return c;
}

async function rdbFile(c: Redis): Promise<string> {
  const [, dir] = (await c.config('GET', 'dir')) as string[];
  const [, name] = (await c.config('GET', 'dbfilename')) as string[];
  return path.join(dir, name);
}

const PERSISTENCE_OFF = { save: '', appendonly: 'no', 'repl-diskless-sync': 'no', 'repl-diskless-load': 'disabled' };

describe.skipIf(redisServerPath === null)('rdb-del-sync-files with Redis on the other end', () => {
  for (const on of [true, false]) {
    it(`a Sluice master ${on ? 'removes' : 'keeps'} the RDB file it wrote for a Redis replica`, async () => {
      // RDB 10: the Redis on PATH may be 7.0, which reads no newer.
      const master = await startSluice({ config: { ...PERSISTENCE_OFF, 'repl-rdb-version': 10, 'rdb-del-sync-files': on ? 'yes' : 'no' }, logLevel: 'notice' });
      opened.push(master);
      const m = await client(master.port);
      await m.set('k', 'v');
      const started = await spawnRedis(['--dir', t.tmp(), '--save', '', '--replicaof', '127.0.0.1', String(master.port)], t.defer);
      if (!('redis' in started)) throw new Error(started.exited);
      const r = await client(started.redis.port);
      await until(async () => (await r.info('replication')).includes('master_link_status:up'), 'the replica to sync');
      expect(await r.get('k')).toBe('v');
      const file = await rdbFile(m);
      if (on) {
        await until(() => !existsSync(file), 'the file to go');
        expect(master.logs.lines.some((l) => l.msg === 'Removing the RDB file used to feed replicas in a persistence-less instance')).toBe(true);
      } else {
        // Two of the master's once-a-second checks later, it is still there.
        await new Promise((resolve) => setTimeout(resolve, 2200));
        expect(existsSync(file)).toBe(true);
      }
    });

    it(`a Sluice replica ${on ? 'removes' : 'keeps'} the RDB file it loaded from a Redis master`, async () => {
      const started = await spawnRedis(['--dir', t.tmp(), '--save', '', '--repl-diskless-sync', 'no'], t.defer);
      if (!('redis' in started)) throw new Error(started.exited);
      const m = await client(started.redis.port);
      await m.set('k', 'v');
      const replica = await startSluice({ config: { ...PERSISTENCE_OFF, 'rdb-del-sync-files': on ? 'yes' : 'no' }, logLevel: 'notice' });
      opened.push(replica);
      const r = await client(replica.port);
      await r.replicaof('127.0.0.1', started.redis.port);
      await until(async () => (await r.info('replication')).includes('master_link_status:up'), 'the replica to sync');
      expect(await r.get('k')).toBe('v');
      const file = await rdbFile(r);
      const removed = 'Removing the RDB file obtained from the master. This replica has persistence disabled';
      expect(replica.logs.lines.some((l) => l.msg === removed)).toBe(on);
      // The file is unlinked in the background once the link is up.
      if (on) await until(() => !existsSync(file), 'the file to go');
      else expect(existsSync(file)).toBe(true);
    });
  }
});
