import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { bulkSnapshot, fakeMaster, type FakeMaster } from '../helpers/fake-master.js';
import { startSluice, type TestSluice } from '../helpers/servers.js';

/**
 * repl-diskless-load disabled on a replica that holds no key: Sluice writes
 * the snapshot to disk as Redis does and parses it as it arrives, reading
 * back from the file whatever the parser has fallen behind on. Clients must
 * see what Redis's replica shows them: the old (empty) data during the
 * transfer, then -LOADING until the snapshot is in where what is left to
 * parse is more than loading-process-events-interval-bytes (a smaller rest
 * is parsed with them waiting, as Redis loads a file), the lines of a load
 * from disk, and the received file kept as the RDB file.
 */

const opened: TestSluice[] = [];
const clients: Redis[] = [];
const dirs: string[] = [];
const fakes: FakeMaster[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of opened.splice(0)) await s.close();
  for (const f of fakes.splice(0)) f.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function field(info: string, name: string): string | undefined {
  return info.split('\r\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
}

async function until(check: () => Promise<boolean>, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The RDB file of a Sluice given DEBUG POPULATE `count` keys of `size` bytes, saved uncompressed, and its DEBUG DIGEST. */
async function populatedSnapshot(count: number, size: number): Promise<{ rdb: Buffer; digest: string }> {
  const source = await startSluice({ config: { 'enable-debug-command': 'yes', rdbcompression: 'no' } });
  opened.push(source);
  const m = new Redis({ port: source.port });
  clients.push(m);
  await m.debug('POPULATE', String(count), 'key', String(size));
  await m.save();
  const rdb = fs.readFileSync(path.join(await m.config('GET', 'dir').then((r) => (r as string[])[1]), 'dump.rdb'));
  return { rdb, digest: (await m.debug('DIGEST')) as string };
}

describe('a disk load overlapped with its transfer', () => {
  it('serves the empty data during the transfer, -LOADING after it, and ends with the master’s data and its file on disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-overlap-'));
    dirs.push(dir);
    // 10 KB values, uncompressed: about 20 MB of snapshot, more than the parser is handed from the socket before it must read back from the file.
    const master = await startSluice({ config: { 'repl-diskless-sync-delay': '0', 'enable-debug-command': 'yes', rdbcompression: 'no', 'rdb-key-save-delay': '100' } });
    // 1 ms a key: the parse outlasts the transfer (0.1 ms a key), so both phases are seen. The rest left when the transfer ends
    // (a few hundred KB: the parser shares the thread that reads the socket) is parsed with clients answered only past
    // loading-process-events-interval-bytes, as Redis's loader serves them; at its least it lets them in.
    const replica = await startSluice({
      config: { dir, appendonly: 'no', 'key-load-delay': '1000', 'enable-debug-command': 'yes', 'loading-process-events-interval-bytes': '1024' },
      logLevel: 'notice',
    });
    opened.push(master, replica);
    const m = new Redis({ port: master.port });
    const r = new Redis({ port: replica.port });
    clients.push(m, r);
    await m.debug('POPULATE', '2000', 'key', '10000');
    await r.replicaof('127.0.0.1', master.port);
    const seen = { servedEmpty: 0, loading: 0 };
    for (;;) {
      const replies = (await r.pipeline().info('replication').info('persistence').dbsize().exec())!;
      const replication = replies[0][1] as string;
      const loading = field(replies[1][1] as string, 'loading');
      if (field(replication, 'master_link_status') === 'up') break;
      if (field(replication, 'master_sync_in_progress') === '1') {
        if (loading === '0' && replies[2][0] === null) {
          // During the transfer: the old data (none), not keys of the snapshot arriving.
          expect(replies[2][1]).toBe(0);
          seen.servedEmpty++;
        } else if (loading === '1') {
          expect(String(replies[2][0])).toMatch(/^ReplyError: LOADING/);
          seen.loading++;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(seen.servedEmpty).toBeGreaterThan(0);
    expect(seen.loading).toBeGreaterThan(0);
    expect(await r.dbsize()).toBe(2000);
    expect(await r.debug('DIGEST')).toBe(await m.debug('DIGEST'));
    const lines = replica.logs.messages('notice');
    const order = [
      'MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk',
      'MASTER <-> REPLICA sync: Flushing old data',
      'MASTER <-> REPLICA sync: Loading DB in memory',
      'Loading RDB produced by version',
      'Done loading RDB, keys loaded: 2000, keys expired: 0.',
      'MASTER <-> REPLICA sync: Finished with success',
    ].map((line) => lines.findIndex((l) => l.startsWith(line)));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The received snapshot is the replica's RDB file (rdb-del-sync-files is off), and no temporary file is left.
    expect(fs.readdirSync(dir).sort()).toEqual(['dump.rdb']);
    await r.debug('RELOAD');
    expect(await r.debug('DIGEST')).toBe(await m.debug('DIGEST'));
  }, 30000);

  it('a rest under loading-process-events-interval-bytes when the transfer ends is parsed with clients waiting, as Redis loads it: no -LOADING', async () => {
    const { rdb } = await populatedSnapshot(1000, 10);
    // The snapshot's last byte waits for the test: it arrives while the replica sleeps, with a client's DBSIZE behind it.
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const fake = await fakeMaster((s) => {
      s.write(`$${rdb.length}\r\n`);
      s.write(rdb.subarray(0, rdb.length - 1));
      void held.then(() => s.write(rdb.subarray(rdb.length - 1)));
    });
    fakes.push(fake);
    const replica = await startSluice({ config: { appendonly: 'no', 'enable-debug-command': 'yes' }, logLevel: 'notice' });
    opened.push(replica);
    const [r, sleeper, reader] = [0, 1, 2].map(() => new Redis({ port: replica.port }));
    clients.push(r, sleeper, reader);
    // Every time the server went into loading (-LOADING to the commands that do not run while loading).
    let loadingSet = 0;
    let loading = replica.server.loading;
    Object.defineProperty(replica.server, 'loading', {
      get: () => loading,
      set: (v: boolean) => {
        if (v) loadingSet++;
        loading = v;
      },
    });
    await r.replicaof('127.0.0.1', fake.port);
    await until(async () => Number(field(await r.info('replication'), 'master_sync_read_bytes')) === rdb.length - 1);
    expect(await r.dbsize()).toBe(0);
    const slept = sleeper.debug('SLEEP', '0.5');
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Redis's replica loads the file before it reads another request; Sluice's then had a parse slice to go, and answered -LOADING.
    const size = reader.dbsize();
    await slept;
    expect(await size).toBe(1000);
    await until(async () => field(await r.info('replication'), 'master_link_status') === 'up');
    expect(loadingSet).toBe(0);
    expect(replica.logs.messages('notice')).toContain('Done loading RDB, keys loaded: 1000, keys expired: 0.');
    await r.replicaof('NO', 'ONE');
  }, 30000);

  for (const mode of ['disabled', 'on-empty-db', 'swapdb'] as const) {
    it(`a key of the snapshot past its deadline is loaded and reads as missing, as a Redis 7.2 replica keeps it (repl-diskless-load ${mode})`, async () => {
      const master = await startSluice({ config: { 'repl-diskless-sync-delay': '0', 'enable-debug-command': 'yes' } });
      const replica = await startSluice({ config: { 'repl-diskless-load': mode }, logLevel: 'notice' });
      opened.push(master, replica);
      const m = new Redis({ port: master.port });
      const r = new Redis({ port: replica.port });
      clients.push(m, r);
      await m.debug('SET-ACTIVE-EXPIRE', '0');
      await m.set('gone', 'v', 'PX', 20);
      await m.set('kept', 'v');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await r.replicaof('127.0.0.1', master.port);
      await until(async () => field(await r.info('replication'), 'master_link_status') === 'up');
      expect(await r.dbsize()).toBe(2);
      expect(await r.get('gone')).toBeNull();
      expect(replica.logs.messages('notice')).toContain('Done loading RDB, keys loaded: 2, keys expired: 0.');
    });
  }

  it('a parser far behind the transfer reads the rest back from the file, and loads the same data', async () => {
    // About 20 MB, sent at once by the fake master: far more than the parser is handed from the socket while 1 ms a key holds it back.
    const { rdb, digest } = await populatedSnapshot(2000, 10000);
    const fake = await fakeMaster(bulkSnapshot(rdb));
    fakes.push(fake);
    const replica = await startSluice({ config: { 'key-load-delay': '1000', 'enable-debug-command': 'yes' }, logLevel: 'notice' });
    opened.push(replica);
    const r = new Redis({ port: replica.port });
    clients.push(r);
    await r.replicaof('127.0.0.1', fake.port);
    await until(async () => field(await r.info('replication'), 'master_link_status') === 'up');
    expect(await r.dbsize()).toBe(2000);
    expect(await r.debug('DIGEST')).toBe(digest);
    await r.replicaof('NO', 'ONE');
  }, 30000);

  it('a snapshot that breaks in the middle is reported as the load from disk reports it, and the replica keeps serving', async () => {
    // Header, SELECTDB 0, one string key, then an opcode no RDB has.
    const fake = await fakeMaster(bulkSnapshot(Buffer.concat([Buffer.from('REDIS0011'), Buffer.from([0xfe, 0x00, 0x00, 0x01, 0x6b, 0x01, 0x76, 0xf0]), Buffer.alloc(32, 0x21)])));
    fakes.push(fake);
    const replica = await startSluice({ logLevel: 'notice' });
    opened.push(replica);
    const r = new Redis({ port: replica.port });
    clients.push(r);
    await r.replicaof('127.0.0.1', fake.port);
    await until(async () => fake.psyncs.length >= 2);
    const warnings = replica.logs.messages('warning');
    expect(warnings.some((w) => w.startsWith('Failed trying to load the MASTER synchronization DB from disk, check server logs.'))).toBe(true);
    expect(field(await r.info('replication'), 'master_link_status')).toBe('down');
    expect(await r.dbsize()).toBe(0);
    await r.replicaof('NO', 'ONE');
  }, 30000);
});
