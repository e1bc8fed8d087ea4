import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';
import { call, info, replicaOf, useServers, waitCaughtUp, waitLinkUp, type Node } from './mixed-harness.js';

/**
 * PUBLISH and SPUBLISH on a master reach its replicas' subscribers, as
 * Redis 7.2 propagates them to replicas (forceCommandPropagation with
 * PROPAGATE_REPL, pubsub.c) and not to the AOF: subscribers may listen on
 * any node of a replicated set. The bytes the stream carries for them are
 * Redis's own (the same offset growth on both masters).
 */

const servers = useServers();

async function subscriber(node: Node, command: 'SUBSCRIBE' | 'SSUBSCRIBE', channel: string): Promise<RespClient> {
  const c = await RespClient.connect(node.port);
  await c.call(command, channel);
  return c;
}

/** The next frame a subscriber gets, failing the test after 5 s rather than waiting for its timeout. */
function read(c: RespClient): Promise<Resp> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    c.read().finally(() => clearTimeout(timer)),
    new Promise<Resp>((_, reject) => (timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000))),
  ]);
}

function messageOf(r: Resp): string[] {
  if (r.t !== 'array' && r.t !== 'push') throw new Error(`not a message: ${JSON.stringify(r)}`);
  return (r.v ?? []).map((x) => (x.t === 'bulk' && typeof x.v === 'string' ? x.v : JSON.stringify(x)));
}

const offset = async (n: Node) => Number((await info(n.port, 'replication')).master_repl_offset);

describe.skipIf(redisServerPath === null)('PUBLISH reaches the replicas\' subscribers', () => {
  it('a Sluice master\'s PUBLISH and SPUBLISH reach subscribers on a Sluice and a Redis replica, big and binary messages intact', async () => {
    // Debian's Redis 7.0 reads RDB 10.
    const master = await servers.sluice('publish-master', ['--repl-rdb-version', '10']);
    const replicas = [await servers.sluice('publish-sluice-replica'), await servers.redis('publish-redis-replica')];
    for (const r of replicas) {
      await replicaOf(r, master);
      await waitLinkUp(r);
    }
    const big = 'm'.repeat(100_000);
    const binary = Buffer.from([0, 255, 13, 10, 128, 36]).toString('latin1');
    for (const r of replicas) {
      const sub = await subscriber(r, 'SUBSCRIBE', 'news');
      const ssub = await subscriber(r, 'SSUBSCRIBE', 'shard-news');
      expect(await call(master.port, 'PUBLISH', 'news', `hello ${r.kind}`)).toEqual({ t: 'int', v: '0' });
      expect(messageOf(await read(sub))).toEqual(['message', 'news', `hello ${r.kind}`]);
      await call(master.port, 'PUBLISH', 'news', big);
      expect(messageOf(await read(sub))).toEqual(['message', 'news', big]);
      await call(master.port, 'PUBLISH', 'news', binary);
      expect(messageOf(await read(sub))).toEqual(['message', 'news', binary]);
      await call(master.port, 'SPUBLISH', 'shard-news', 'sharded');
      expect(messageOf(await read(ssub))).toEqual(['smessage', 'shard-news', 'sharded']);
      sub.close();
      ssub.close();
    }
    for (const r of replicas) await waitCaughtUp(master, r);
  }, 30_000);

  it('the stream grows by what Redis\'s grows for the same PUBLISHes, in a transaction too, and the AOF holds none of them', async () => {
    const growth: number[][] = [];
    for (const kind of ['sluice', 'redis'] as const) {
      const args = ['--appendonly', 'yes', '--appendfsync', 'always'];
      const master = kind === 'sluice' ? await servers.sluice(`aof-${kind}-master`, args) : await servers.redis(`aof-${kind}-master`, args);
      const replica = await servers.sluice(`aof-${kind}-replica`);
      await replicaOf(replica, master);
      await waitLinkUp(replica);
      const steps: number[] = [];
      let before = await offset(master);
      const c = await RespClient.connect(master.port);
      for (const command of [['PUBLISH', 'ch', 'one'], ['SPUBLISH', 'ch', 'two'], ['SELECT', '3'], ['PUBLISH', 'ch', 'in db 3']]) {
        await c.call(...command);
        const now = await offset(master);
        steps.push(now - before);
        before = now;
      }
      await c.call('SELECT', '0');
      before = await offset(master);
      for (const command of [['MULTI'], ['PUBLISH', 'ch', 'a'], ['SET', 'k', 'v'], ['PUBLISH', 'ch', 'b'], ['EXEC']]) await c.call(...command);
      steps.push((await offset(master)) - before);
      c.close();
      growth.push(steps);
      await waitCaughtUp(master, replica);
      expect(await call(replica.port, 'GET', 'k')).toEqual({ t: 'bulk', v: 'v' });
      if (kind === 'sluice') {
        const dir = (await call(master.port, 'CONFIG', 'GET', 'dir')) as { v: Resp[] };
        const aofDir = path.join((dir.v[1] as { v: string }).v, 'appendonlydir');
        const aof = readdirSync(aofDir).filter((f) => f.endsWith('.incr.aof')).map((f) => readFileSync(path.join(aofDir, f), 'latin1')).join('');
        expect(aof).toContain('$1\r\nk\r\n');
        expect(aof).not.toMatch(/PUBLISH/i);
      }
    }
    const [sluice, redis] = growth;
    expect(sluice).toEqual(redis);
    // SELECT alone propagates nothing; the PUBLISH after it carries it.
    expect(sluice.map((n) => n > 0)).toEqual([true, true, false, true, true]);
  }, 30_000);
});
