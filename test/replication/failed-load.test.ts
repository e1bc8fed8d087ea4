import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Redis } from 'ioredis';
import { waitFor as until } from '../helpers/aof.js';
import { fakeMaster as startFakeMaster, type FakeMaster } from '../helpers/fake-master.js';
import { startSluice, type TestSluice } from '../helpers/servers.js';

/**
 * A full sync whose snapshot fails to load, and what the replica asks next.
 * Redis 7.2's readSyncBulkPayload calls replicationAttachToNewMaster (the
 * cached master goes, sub-replicas are dropped, the backlog freed) before
 * it empties the data and loads in repl-diskless-load disabled and
 * on-empty-db, and only after a successful load in swapdb: after a failed
 * load the first two retry with PSYNC ? -1, swapdb (whose old data is still
 * there) with the old history.
 */

const opened: TestSluice[] = [];
const clients: Redis[] = [];
const fakes: FakeMaster[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of opened.splice(0)) await s.close();
  for (const f of fakes.splice(0)) f.close();
});

function field(info: string, name: string): string | undefined {
  return info.split('\r\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
}

const MARK = 'e'.repeat(40);

/** What a fake master sends after +FULLRESYNC: a whole snapshot that does not load, or the start of one and then the connection held or closed. */
const PAYLOADS = {
  // A complete $<len> payload with an RDB version no server handles: Redis's rdbLoad fails on it without exiting.
  badVersion: (s: net.Socket) => s.write('$9\r\nREDIS0099'),
  // The master goes in the middle of a streamed ($EOF:) snapshot.
  cutEof: (s: net.Socket) => {
    s.write(`$EOF:${MARK}\r\nREDIS0011`);
    setTimeout(() => s.destroy(), 100);
  },
  // The start of a streamed snapshot, then nothing: the load is in progress until the test closes the link.
  held: (s: net.Socket) => s.write(`$EOF:${MARK}\r\nREDIS0011`),
};


/** A Sluice master with `keys`, and a replica of it in `mode`, synchronised: the replica then follows a history with an offset past 0. */
async function syncedReplica(mode: string, keys: number): Promise<{ master: TestSluice; replica: TestSluice; m: Redis; r: Redis }> {
  const master = await startSluice({ config: { 'repl-diskless-sync-delay': '0' } });
  const replica = await startSluice({ config: { 'repl-diskless-load': mode }, logLevel: 'notice' });
  opened.push(master, replica);
  const m = new Redis({ port: master.port });
  const r = new Redis({ port: replica.port });
  clients.push(m, r);
  for (let i = 0; i < keys; i++) await m.set(`k${i}`, `v${i}`);
  await r.replicaof('127.0.0.1', master.port);
  await until(async () => field(await r.info('replication'), 'master_link_status') === 'up');
  // Some of the stream past the snapshot, leaving the dataset as it was (on-empty-db's case needs it empty).
  await m.set('passing', 'x');
  await m.del('passing');
  const offset = Number(field(await m.info('replication'), 'master_repl_offset'));
  await until(async () => Number(field(await r.info('replication'), 'slave_repl_offset')) === offset);
  return { master, replica, m, r };
}

describe('a full sync whose snapshot fails to load', () => {
  const cases = [
    // The load from disk empties the data first.
    { mode: 'disabled', keys: 1, payload: 'badVersion', continues: false },
    // on-empty-db with keys loads from disk as disabled does.
    { mode: 'on-empty-db', keys: 1, payload: 'badVersion', continues: false },
    // on-empty-db with no key: a diskless load, begun (the data emptied) as the payload starts.
    { mode: 'on-empty-db', keys: 0, payload: 'cutEof', continues: false },
    // swapdb keeps the old data (and the cached master) until the new snapshot is whole.
    { mode: 'swapdb', keys: 1, payload: 'cutEof', continues: true },
  ] as const;
  for (const c of cases) {
    it(`repl-diskless-load ${c.mode}${c.keys === 0 ? ' (empty)' : ''}, ${c.payload}: the retry is ${c.continues ? 'PSYNC <old replid> <old offset+1>' : 'PSYNC ? -1'}`, async () => {
      const { r } = await syncedReplica(c.mode, c.keys);
      const before = await r.info('replication');
      const replid = field(before, 'master_replid')!;
      const offset = Number(field(before, 'slave_repl_offset'));
      expect(offset).toBeGreaterThan(0);
      const fake = await fakeMaster(PAYLOADS[c.payload]);
      await r.replicaof('127.0.0.1', fake.port);
      await until(async () => fake.psyncs.length >= 2);
      const old = `${replid} ${offset + 1}`;
      expect(fake.psyncs[0]).toBe(old);
      expect(fake.psyncs[1]).toBe(c.continues ? old : '? -1');
      const after = await r.info('replication');
      if (c.continues) {
        expect(await r.get('k0')).toBe('v0');
        expect(field(after, 'slave_repl_offset')).toBe(String(offset));
      } else {
        // Redis's INFO with neither a master nor a cached master.
        expect(field(after, 'slave_repl_offset')).toBe('1');
        expect(field(after, 'slave_read_repl_offset')).toBe('1');
        expect(await r.dbsize()).toBe(0);
      }
      await r.replicaof('NO', 'ONE');
    });
  }

  it('repl-diskless-load disabled: a replica whose load failed does not +CONTINUE its old master over the emptied data', async () => {
    const { master, m, r, replica } = await syncedReplica('disabled', 3);
    // Another master's snapshot does not load: the replica's data is gone.
    const fake = await fakeMaster(PAYLOADS.badVersion);
    await r.replicaof('127.0.0.1', fake.port);
    await until(async () => fake.psyncs.length >= 1 && replica.logs.messages('warning').some((l) => l.startsWith('Failed trying to load the MASTER synchronization DB')));
    expect(await r.dbsize()).toBe(0);
    // Back to the old master, which still holds the replica's offset in its backlog: only a full sync restores the data.
    const fullBefore = Number(field(await m.info('stats'), 'sync_full'));
    await r.replicaof('127.0.0.1', master.port);
    await until(async () => field(await r.info('replication'), 'master_link_status') === 'up');
    expect(await r.dbsize()).toBe(3);
    expect(await r.get('k2')).toBe('v2');
    expect(Number(field(await m.info('stats'), 'sync_full'))).toBe(fullBefore + 1);
  });

  for (const mode of ['on-empty-db', 'swapdb'] as const) {
    it(`repl-diskless-load ${mode}: INFO's slave offsets while a diskless load is in progress`, async () => {
      const { r } = await syncedReplica(mode, 0);
      const offset = Number(field(await r.info('replication'), 'slave_repl_offset'));
      const fake = await fakeMaster(PAYLOADS.held);
      await r.replicaof('127.0.0.1', fake.port);
      await until(async () => field(await r.info('replication'), 'master_sync_in_progress') === '1' && fake.psyncs.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const info = await r.info('replication');
      expect(field(info, 'master_sync_in_progress')).toBe('1');
      // on-empty-db gave up the old history as the load began (Redis: no master, no cached master, so 1); swapdb keeps it until the load is done.
      const expected = mode === 'swapdb' ? String(offset) : '1';
      expect(field(info, 'slave_repl_offset')).toBe(expected);
      expect(field(info, 'slave_read_repl_offset')).toBe(expected);
      expect(field(info, 'repl_backlog_active')).toBe(mode === 'swapdb' ? '1' : '0');
      for (const s of fake.links) s.destroy();
    });
  }
});

async function fakeMaster(payload: (s: net.Socket) => void): Promise<FakeMaster> {
  const fake = await startFakeMaster(payload);
  fakes.push(fake);
  return fake;
}
