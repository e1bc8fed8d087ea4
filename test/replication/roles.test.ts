import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Redis } from 'ioredis';
import { freePort, startSluice, type TestSluice } from '../helpers/servers.js';
import { makeCerts } from '../helpers/tls-certs.js';

/** A master and a replica of it, in process, with the diskless sync starting at once. */
async function pair(): Promise<{ master: TestSluice; replica: TestSluice; m: Redis; r: Redis }> {
  const config = { 'repl-diskless-sync-delay': '0', 'enable-debug-command': 'yes' };
  const master = await startSluice({ config, logLevel: 'notice' });
  const replica = await startSluice({ config, logLevel: 'notice' });
  const m = new Redis({ port: master.port, lazyConnect: true });
  const r = new Redis({ port: replica.port, lazyConnect: true });
  await m.connect();
  await r.connect();
  opened.push(master, replica);
  clients.push(m, r);
  await r.replicaof('127.0.0.1', master.port);
  await until(async () => (await r.info('replication')).includes('master_link_status:up'));
  return { master, replica, m, r };
}

const opened: TestSluice[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of opened.splice(0)) await s.close();
});

async function until(check: () => Promise<boolean>, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function field(info: string, name: string): string | undefined {
  return info.split('\r\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
}

describe('master and replica roles', () => {
  it('while paused, a replica holds at most client-query-buffer-limit of its master\'s stream, then stops reading until the pause ends', async () => {
    const { m, r } = await pair();
    const offset = async (c: Redis, name: string) => Number(field(await c.info('replication'), name));
    await r.config('SET', 'client-query-buffer-limit', '1mb');
    await r.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    const value = 'v'.repeat(64 * 1024);
    for (let i = 0; i < 48; i++) await m.set(`big${i}`, value);
    const sent = await offset(m, 'master_repl_offset');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const read = await offset(r, 'slave_read_repl_offset');
    expect(read).toBeGreaterThan(1024 * 1024);
    expect(read).toBeLessThan(sent);
    await r.call('CLIENT', 'UNPAUSE');
    await until(async () => (await offset(r, 'slave_repl_offset')) === sent);
    expect(await r.dbsize()).toBe(48);
  });

  it("scripts on a replica: a read-only replica refuses their writes, a stale one what is not flagged stale (replies as Redis 7.2.6's)", async () => {
    const { r } = await pair();
    const attempt = async (...args: (string | number)[]) => r.call(...(args as [string])).then((v) => JSON.stringify(v), (e: Error) => e.message);
    // Read-only replica: a script without flags is stopped at its first write, one that declares writes before it runs.
    expect(await attempt('EVAL', "return redis.call('set','x','1')", 0)).toMatch(/^READONLY You can't write against a read only replica\. script: \w+, on @user_script:1\.$/);
    expect(await attempt('EVAL', '#!lua\nreturn 1', 0)).toBe("READONLY You can't write against a read only replica.");
    expect(await attempt('EVAL', "#!lua flags=no-writes\nreturn redis.call('get','x')", 1, 'x')).toBe('null');
    expect(await r.get('x')).toBeNull();
    await r.call('REPLICAOF', 'NO', 'ONE');
    await r.call('FUNCTION', 'LOAD', [
      '#!lua name=test',
      "redis.register_function{function_name='f1', callback=function() return 'hello' end, flags={'no-writes'}}",
      "redis.register_function{function_name='f2', callback=function() return 'hello' end, flags={'allow-stale', 'no-writes'}}",
      "redis.register_function{function_name='f3', callback=function() return redis.call('get', 'x') end, flags={'allow-stale', 'no-writes'}}",
    ].join('\n'));
    // Stale: the link down with replica-serve-stale-data no.
    await r.config('SET', 'replica-serve-stale-data', 'no');
    await r.call('REPLICAOF', '127.0.0.1', '1');
    expect(await attempt('FCALL', 'f1', 0)).toBe("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    expect(await attempt('FCALL', 'f2', 0)).toBe('"hello"');
    expect(await attempt('FCALL', 'f3', 0)).toBe('ERR Can not execute the command on a stale replica script: f3, on @user_function:4.');
    expect(await attempt('EVAL', 'return 1', 0)).toBe("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    await r.call('REPLICAOF', 'NO', 'ONE');
    await r.config('SET', 'replica-serve-stale-data', 'yes');
  });

  it('a transaction in another database reaches the replica: the stream has SELECT inside MULTI, as Redis 7.2 sends it', async () => {
    const { m, r } = await pair();
    await m.select(3);
    await m.multi().incr('m').incr('m').exec();
    expect(await m.wait(1, 5000)).toBe(1);
    await r.select(3);
    expect(await r.get('m')).toBe('2');
  });

  it("CLIENT PAUSE WRITE on a replica holds the master's writes: read, not applied, until UNPAUSE (Redis 7.2)", async () => {
    const { m, r } = await pair();
    const offset = async (c: Redis, name: string) => Number(field(await c.info('replication'), name));
    await m.set('foo', 'bar');
    const before = await offset(m, 'master_repl_offset');
    await until(async () => (await offset(r, 'slave_repl_offset')) === before);
    await r.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await m.set('foo2', 'bar2');
    const after = await offset(m, 'master_repl_offset');
    await until(async () => (await offset(r, 'slave_read_repl_offset')) === after);
    expect(await offset(r, 'slave_repl_offset')).toBe(before);
    expect(await r.get('foo2')).toBeNull();
    await r.call('CLIENT', 'UNPAUSE');
    await until(async () => (await offset(r, 'slave_repl_offset')) === after);
    expect(await r.get('foo2')).toBe('bar2');
  });

  it('ROLE and INFO replication describe both ends, in Redis field order', async () => {
    const { master, m, r } = await pair();
    await m.set('k', 'v');
    expect(await m.wait(1, 5000)).toBe(1);
    const minfo = await m.info('replication');
    const names = minfo.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':')[0]);
    expect(names).toEqual([
      'role', 'connected_slaves', 'slave0', 'master_failover_state', 'master_replid', 'master_replid2', 'master_repl_offset',
      'second_repl_offset', 'repl_backlog_active', 'repl_backlog_size', 'repl_backlog_first_byte_offset', 'repl_backlog_histlen',
    ]);
    const offset = Number(field(minfo, 'master_repl_offset'));
    // WAIT's REPLCONF GETACK follows the write in the stream: the ACK it drew stops before it.
    const acked = /^ip=127\.0\.0\.1,port=\d+,state=online,offset=(\d+),lag=\d+$/.exec(field(minfo, 'slave0') ?? '');
    expect(acked).not.toBeNull();
    expect(Number(acked![1])).toBeLessThanOrEqual(offset);
    await until(async () => Number(field(await r.info('replication'), 'slave_repl_offset')) === offset);
    const rinfo = await r.info('replication');
    expect(field(rinfo, 'role')).toBe('slave');
    expect(field(rinfo, 'master_port')).toBe(String(master.port));
    expect(field(rinfo, 'master_replid')).toBe(field(minfo, 'master_replid'));
    expect(Number(field(rinfo, 'slave_repl_offset'))).toBe(offset);
    expect(await r.role()).toEqual(['slave', '127.0.0.1', master.port, 'connected', offset]);
    // The replica acknowledges each second: ROLE shows the offset it acknowledged.
    await until(async () => ((await m.role()) as [string, number, string[][]])[2][0]?.[2] === String(offset), 3000);
    const [role, , replicas] = (await m.role()) as [string, number, string[][]];
    expect(role).toBe('master');
    expect(replicas).toHaveLength(1);
    expect(await r.get('k')).toBe('v');
    await expect(r.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
    await expect(r.wait(1, 0)).rejects.toThrow('WAIT cannot be used with replica instances.');
  });

  it('min-replicas-to-write counts replicas that acknowledged within the lag', async () => {
    const { m, r } = await pair();
    await m.config('SET', 'min-replicas-to-write', '2');
    await expect(m.set('a', '1')).rejects.toThrow('NOREPLICAS Not enough good replicas to write.');
    expect(field(await m.info('replication'), 'min_slaves_good_slaves')).toBe('1');
    await m.config('SET', 'min-replicas-to-write', '1');
    expect(await m.set('a', '1')).toBe('OK');
    expect(await m.wait(1, 5000)).toBe(1);
    expect(await r.get('a')).toBe('1');
  });

  it('FAILOVER hands the master role to the replica, which the old master then follows', async () => {
    const { master, replica, m, r } = await pair();
    await m.set('before', '1');
    expect(await m.wait(1, 5000)).toBe(1);
    const replid = field(await m.info('replication'), 'master_replid');
    expect(await m.failover('TO', '127.0.0.1', replica.port)).toBe('OK');
    await until(async () => field(await r.info('replication'), 'role') === 'master' && field(await m.info('replication'), 'master_link_status') === 'up');
    expect(field(await m.info('replication'), 'master_failover_state')).toBe('no-failover');
    const rinfo = await r.info('replication');
    // The promoted replica continues the history: the old id is its replid2, and the old master resynced partially.
    expect(field(rinfo, 'master_replid2')).toBe(replid);
    expect(field(await r.info('stats'), 'sync_partial_ok')).toBe('1');
    expect(await r.set('after', '2')).toBe('OK');
    expect(await r.wait(1, 5000)).toBe(1);
    expect(await m.get('after')).toBe('2');
    expect(await m.get('before')).toBe('1');
    expect(master.logs.messages('notice')).toContain(`Failover target 127.0.0.1:${replica.port} is synced, failing over.`);
    expect(replica.logs.messages('notice')).toContainEqual(expect.stringMatching(/^MASTER MODE enabled \(failover request from 'id=\d+ /));
  });

  it('SHUTDOWN waits for a replica that has not acknowledged, and SHUTDOWN ABORT calls the wait off', async () => {
    const master = await startSluice({ config: { 'repl-diskless-sync-delay': '0', 'shutdown-timeout': '60' }, logLevel: 'notice' });
    opened.push(master);
    // A replica that takes the snapshot and the stream but never acknowledges anything.
    const fake = net.connect(master.port, '127.0.0.1');
    let asked = false;
    fake.on('data', () => {
      // PSYNC once REPLCONF's reply is in: a master refuses SYNC from a connection with replies pending.
      if (!asked) fake.write('PSYNC ? -1\r\n');
      asked = true;
    });
    fake.write('REPLCONF listening-port 1\r\n');
    const m = new Redis({ port: master.port });
    const shutter = new Redis({ port: master.port });
    const admin = new Redis({ port: master.port });
    clients.push(m, shutter, admin);
    await until(async () => (await m.info('replication')).includes('state=online'));
    await m.set('k', 'v');
    const answer = shutter.shutdown().then(() => 'OK', (e: Error) => e.message);
    await until(async () => Number(field(await m.info('server'), 'shutdown_in_milliseconds') ?? 0) > 0);
    // Writes are held meanwhile.
    const held = m.set('k2', 'v2');
    expect(await admin.shutdown('ABORT')).toBe('OK');
    expect(await answer).toBe('ERR Errors trying to SHUTDOWN. Check logs.');
    expect(await held).toBe('OK');
    expect(master.logs.messages('notice')).toEqual(expect.arrayContaining(['Waiting for replicas before shutting down.', 'Shutdown manually aborted.']));
    fake.destroy();
  });

  it("a replica's keys expire by its master's DEL; a writable replica expires the keys it wrote itself", async () => {
    const { m, r } = await pair();
    await m.debug('SET-ACTIVE-EXPIRE', '0');
    await m.set('from-master', 'v', 'PX', 50);
    expect(await m.wait(1, 5000)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Past its deadline it reads as missing, yet stays until the master deletes it.
    expect(await r.get('from-master')).toBeNull();
    expect(await r.dbsize()).toBe(1);
    await r.config('SET', 'replica-read-only', 'no');
    await r.set('mine', 'v', 'PX', 50);
    expect(await r.dbsize()).toBe(2);
    await until(async () => (await r.dbsize()) === 1, 3000);
    expect(await r.exists('from-master')).toBe(0);
    // A write meets the expired key: it is deleted first, and written anew without a TTL.
    expect(await r.incr('from-master')).toBe(1);
    expect(await r.ttl('from-master')).toBe(-1);
  });

  it('repl-diskless-load swapdb: -LOADING while a new history loads, the old data served while the same history reloads', async () => {
    const config = { 'repl-diskless-sync-delay': '0', 'enable-debug-command': 'yes' };
    const master = await startSluice({ config, logLevel: 'notice' });
    const replica = await startSluice({ config: { ...config, 'repl-diskless-load': 'swapdb' }, logLevel: 'notice' });
    opened.push(master, replica);
    const m = new Redis({ port: master.port });
    const r = new Redis({ port: replica.port });
    clients.push(m, r);
    await m.debug('POPULATE', '2000');
    await r.set('mine', 'x');
    // A slow snapshot (1 ms a key): the transfer lasts long enough to look at the replica meanwhile.
    await m.config('SET', 'rdb-key-save-delay', '1000');
    await r.replicaof('127.0.0.1', master.port);
    await until(async () => field(await r.info('persistence'), 'loading') === '1');
    expect(field(await r.info('persistence'), 'async_loading')).toBe('0');
    await expect(r.get('mine')).rejects.toThrow('LOADING');
    await m.config('SET', 'rdb-key-save-delay', '0');
    await until(async () => field(await r.info('replication'), 'master_link_status') === 'up');
    expect(await r.dbsize()).toBe(2000);
    expect(await r.get('mine')).toBeNull();
    // Same history, full sync again (the backlog no longer holds the replica's offset): the old data is served meanwhile.
    await m.config('SET', 'rdb-key-save-delay', '1000');
    await m.config('SET', 'repl-backlog-size', '16384');
    await m.call('CLIENT', 'KILL', 'TYPE', 'replica');
    for (let i = 0; i < 5; i++) await m.set(`big${i}`, 'x'.repeat(16384));
    await until(async () => field(await r.info('persistence'), 'async_loading') === '1');
    expect(await r.get('key:1')).toBe('value:1');
    await expect(r.replicaof('NO', 'ONE')).rejects.toThrow('LOADING');
    await m.config('SET', 'rdb-key-save-delay', '0');
    await until(async () => field(await r.info('persistence'), 'async_loading') === '0' && field(await r.info('replication'), 'master_link_status') === 'up');
    expect(await r.dbsize()).toBe(2005);
    expect(replica.logs.messages('notice')).toContain('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
  });

  for (const mode of ['swapdb', 'on-empty-db'] as const) {
    it(`repl-diskless-load ${mode}: ROLE says sync and INFO master_link_status:down until the snapshot is loaded, not once its last byte is in`, async () => {
      const master = await startSluice({ config: { 'repl-diskless-sync-delay': '0', 'enable-debug-command': 'yes', rdbcompression: 'no' } });
      // 1 ms a key: the load goes on for about a second after the payload (1 MB) has all arrived and the link has paused.
      // The parser lets clients in every 64 KB it reads, here every 64 keys or so.
      const replica = await startSluice({ config: { 'repl-diskless-load': mode, 'key-load-delay': '1000' } });
      opened.push(master, replica);
      const m = new Redis({ port: master.port });
      const r = new Redis({ port: replica.port });
      clients.push(m, r);
      await m.debug('POPULATE', '1000', 'key', '1000');
      await r.replicaof('127.0.0.1', master.port);
      let whileLoading = 0;
      const deadline = Date.now() + 10000;
      for (;;) {
        expect(Date.now()).toBeLessThan(deadline);
        // Loading before and after ROLE and INFO (one round trip): they answered while it loaded.
        const replies = (await r.pipeline().info('persistence').role().info('replication').info('persistence').exec())!.map(([e, v]) => {
          if (e !== null) throw e;
          return v;
        });
        const before = field(replies[0] as string, 'loading');
        const role = replies[1] as [string, string, number, string, number];
        const info = replies[2] as string;
        const after = field(replies[3] as string, 'loading');
        if (before === '1' && after === '1') {
          // Redis stays in REPL_STATE_TRANSFER until readSyncBulkPayload has loaded the snapshot, and server.master is not made yet.
          whileLoading++;
          expect(role.slice(3)).toEqual(['sync', -1]);
          expect(field(info, 'master_link_status')).toBe('down');
          expect(field(info, 'master_sync_in_progress')).toBe('1');
          expect(field(info, 'master_last_io_seconds_ago')).toBe('-1');
        }
        // What Redis's "replicas drop during rdb pipe" test relies on: once ROLE says connected, the data is in (no -LOADING).
        if (role[3] === 'connected' || field(info, 'master_link_status') === 'up') {
          expect(after).toBe('0');
          expect(await r.dbsize()).toBe(1000);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(whileLoading).toBeGreaterThan(0);
      const role = (await r.role()) as [string, string, number, string, number];
      expect(role[3]).toBe('connected');
      expect(role[4]).toBeGreaterThanOrEqual(0);
      const info = await r.info('replication');
      expect(field(info, 'master_link_status')).toBe('up');
      expect(field(info, 'master_sync_in_progress')).toBe('0');
    });
  }

  it('tls-replication: the replica links to its master over TLS, with a client certificate', async () => {
    const certs = makeCerts();
    try {
      const tlsPort = await freePort();
      // A plain port too (port 0 with a tls-port serves TLS only, as Redis): the test's client is plain.
      const master = await startSluice({
        port: await freePort(),
        config: {
          'repl-diskless-sync-delay': '0', 'tls-port': String(tlsPort), 'tls-cert-file': certs.serverCert, 'tls-key-file': certs.serverKey,
          'tls-ca-cert-file': certs.caCert,
        },
      });
      const replica = await startSluice({
        config: { 'tls-replication': 'yes', 'tls-ca-cert-file': certs.caCert, 'tls-client-cert-file': certs.clientCert, 'tls-client-key-file': certs.clientKey },
        logLevel: 'notice',
      });
      opened.push(master, replica);
      const m = new Redis({ port: master.port });
      const r = new Redis({ port: replica.port });
      clients.push(m, r);
      await m.set('over', 'tls');
      await r.replicaof('127.0.0.1', tlsPort);
      await until(async () => field(await r.info('replication'), 'master_link_status') === 'up', 5000).catch(() => {
        throw new Error(replica.logs.lines.map((l) => l.msg).join('\n'));
      });
      expect(await r.get('over')).toBe('tls');
      const list = await m.call('CLIENT', 'LIST', 'TYPE', 'replica');
      expect(String(list)).toMatch(/flags=S /);
    } finally {
      certs.remove();
    }
  }, 30000);

  it('a transaction from the master that grows past client-query-buffer-limit closes the link, and none of it is applied', async () => {
    const { replica, m, r } = await pair();
    await r.config('SET', 'client-query-buffer-limit', '1mb');
    // DEBUG REPLICATE puts a command straight into the stream: a MULTI whose EXEC never comes.
    await m.call('DEBUG', 'REPLICATE', 'MULTI');
    const value = 'v'.repeat(1000);
    for (let i = 0; i < 1200; i++) await m.call('DEBUG', 'REPLICATE', 'SET', `big:${i}`, value);
    const refused = 'A transaction from the MASTER holds more than client-query-buffer-limit (1048576 bytes). Closing the link with the master.';
    await until(async () => replica.logs.messages('warning').includes(refused));
    expect(await r.exists('big:0')).toBe(0);
    expect(await r.ping()).toBe('PONG');
  });

  for (const mode of ['disabled', 'swapdb'] as const) {
    it(`a master that sends a corrupt snapshot: the replica logs it, retries and keeps serving (repl-diskless-load ${mode})`, async () => {
      // A fake master: the handshake's replies, then a FULLRESYNC whose payload is not an RDB.
      let syncs = 0;
      const fake = net.createServer((s) => {
        s.on('error', () => {});
        let buffered = '';
        s.on('data', (d) => {
          buffered += d.toString('latin1');
          for (let i = buffered.indexOf('\r\n'); i >= 0; i = buffered.indexOf('\r\n')) {
            const line = buffered.slice(0, i);
            buffered = buffered.slice(i + 2);
            if (/^\*/.test(line) || /^\$/.test(line)) continue;
            const word = line.toUpperCase();
            if (word === 'PING') s.write('+PONG\r\n');
            else if (word === 'REPLCONF') s.write('+OK\r\n');
            else if (word === 'PSYNC' || word === 'SYNC') {
              syncs++;
              s.write(`+FULLRESYNC ${'a'.repeat(40)} 0\r\n$20\r\nREDIS0011garbage!!!!`);
            }
          }
        });
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      const fakePort = (fake.address() as net.AddressInfo).port;
      const replica = await startSluice({ config: { 'repl-diskless-load': mode }, logLevel: 'notice' });
      opened.push(replica);
      const r = new Redis({ port: replica.port });
      clients.push(r);
      try {
        await r.set('mine', 'kept');
        await r.replicaof('127.0.0.1', fakePort);
        await until(async () => syncs >= 2, 8000);
        expect(field(await r.info('replication'), 'master_link_status')).toBe('down');
        expect(await r.ping()).toBe('PONG');
        // swapdb only replaces the data once a snapshot is whole; disabled has emptied it first, as Redis does.
        expect(await r.get('mine')).toBe(mode === 'swapdb' ? 'kept' : null);
        expect(replica.logs.messages('warning').some((m) => m.startsWith('Failed trying to load the MASTER synchronization DB'))).toBe(true);
      } finally {
        await r.replicaof('NO', 'ONE');
        fake.close();
      }
    });
  }

  it('a key repl-rdb-version cannot hold fails that sync, logged, and the master goes on taking writes', async () => {
    const master = await startSluice({ config: { 'repl-rdb-version': '10', 'repl-diskless-sync': 'no', save: '3600 1' }, logLevel: 'notice' });
    opened.push(master);
    const m = new Redis({ port: master.port });
    clients.push(m);
    await m.hset('h', 'f', 'v');
    await m.call('HEXPIRE', 'h', '100', 'FIELDS', '1', 'f');
    const raw = net.connect(master.port, '127.0.0.1');
    raw.on('data', () => {});
    raw.on('error', () => {});
    raw.write('SYNC\r\n');
    const refusal = "Can't write an RDB for the replicas (repl-rdb-version 10): key 'h' has hash fields with a TTL, which RDB version 10 cannot hold";
    await until(async () => master.logs.messages('warning').includes(refusal));
    // The snapshot was refused, not the disk: writes go on (no MISCONF), and BGSAVE is still fine.
    expect(await m.set('after', '1')).toBe('OK');
    expect(field(await m.info('persistence'), 'rdb_last_bgsave_status')).toBe('ok');
    raw.destroy();
  });
});
