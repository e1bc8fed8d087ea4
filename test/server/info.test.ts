import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { REDIS_VERSION, SLUICE_VERSION } from '../../src/server/version.js';
import { useSluice } from '../helpers/fixture.js';
import { REDIS_7_2_INFO_FIELDS } from '../helpers/redis-7.2-info-fields.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath, startRedis, type RealRedis } from '../helpers/servers.js';

const DEFAULT_HEADINGS = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace'];

async function infoText(conn: RespClient, ...sections: string[]): Promise<string> {
  const r = await conn.call('INFO', ...sections);
  if (r.t !== 'bulk' && r.t !== 'verbatim') throw new Error(`INFO answered ${JSON.stringify(r)}`);
  return r.v ?? '';
}

function headings(text: string): string[] {
  return text.split('\r\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2));
}

/** Section heading → field → value. */
function parse(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.set(line.slice(2), (current = new Map()));
    else if (line.includes(':')) current.set(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1));
  }
  return out;
}

function field(text: string, name: string): string | undefined {
  for (const section of parse(text).values()) if (section.has(name)) return section.get(name);
  return undefined;
}

const sluice = useSluice({ conn: 'fresh' });
beforeEach(async () => {
  await sluice.conn.call('CONFIG', 'RESETSTAT');
});

describe('INFO sections', () => {
  test('plain INFO and INFO default print the default sections in Redis order', async () => {
    expect(headings(await infoText(sluice.conn))).toEqual(DEFAULT_HEADINGS);
    expect(headings(await infoText(sluice.conn, 'default'))).toEqual(DEFAULT_HEADINGS);
  });

  test('all and everything add commandstats after modules and latencystats after errorstats', async () => {
    const all = [...DEFAULT_HEADINGS.slice(0, 8), 'Commandstats', 'Errorstats', 'Latencystats', ...DEFAULT_HEADINGS.slice(9)];
    expect(headings(await infoText(sluice.conn, 'all'))).toEqual(all);
    expect(headings(await infoText(sluice.conn, 'EVERYTHING'))).toEqual(all);
    expect(headings(await infoText(sluice.conn, 'default', 'commandstats', 'latencystats'))).toEqual(all);
  });

  test('named sections come in Redis order whatever the order asked, any case, unknown names adding nothing', async () => {
    expect(headings(await infoText(sluice.conn, 'keyspace', 'CPU', 'Server', 'nosuch', 'cpu'))).toEqual(['Server', 'CPU', 'Keyspace']);
    expect(await infoText(sluice.conn, 'nosuch')).toBe('');
  });

  test('sections are separated by one blank line and every line ends in CRLF', async () => {
    const text = await infoText(sluice.conn, 'server', 'cluster');
    expect(text).toMatch(/^# Server\r\n(?:[a-z_0-9]+:[^\r\n]*\r\n)+\r\n# Cluster\r\ncluster_enabled:0\r\n$/);
  });

  test('the reply is a bulk string in RESP2 and a txt verbatim string in RESP3', async () => {
    expect((await sluice.conn.call('INFO', 'cluster')).t).toBe('bulk');
    const c3 = await RespClient.connect(sluice.port);
    await c3.call('HELLO', '3');
    expect(await c3.call('INFO', 'cluster')).toEqual({ t: 'verbatim', v: 'txt:# Cluster\r\ncluster_enabled:0\r\n' });
    c3.close();
  });
});

describe('INFO fields', () => {
  test('server: the Redis version clients gate on, Sluice own version, the real port and the listener', async () => {
    const text = await infoText(sluice.conn, 'server');
    expect(field(text, 'redis_version')).toBe(REDIS_VERSION);
    expect(REDIS_VERSION).toMatch(/^7\.2\./);
    expect(field(text, 'sluice_version')).toBe(SLUICE_VERSION);
    expect(field(text, 'tcp_port')).toBe(String(sluice.port));
    expect(field(text, 'listener0')).toBe(`name=tcp,bind=127.0.0.1,port=${sluice.port}`);
    expect(field(text, 'process_id')).toBe(String(process.pid));
    expect(field(text, 'config_file')).toBe('');
    expect(field(text, 'run_id')).toMatch(/^[0-9a-f]{40}$/);
    expect(field(text, 'run_id')).toBe(field(await infoText(sluice.conn, 'server'), 'run_id'));
  });

  test('server: hz follows CONFIG SET, held within 1..500', async () => {
    await sluice.conn.call('CONFIG', 'SET', 'hz', '9999');
    expect(field(await infoText(sluice.conn, 'server'), 'hz')).toBe('500');
    await sluice.conn.call('CONFIG', 'SET', 'hz', '10');
    expect(field(await infoText(sluice.conn, 'server'), 'configured_hz')).toBe('10');
  });

  test('clients: connected_clients counts open connections, maxclients follows the config', async () => {
    const before = Number(field(await infoText(sluice.conn, 'clients'), 'connected_clients'));
    const other = await RespClient.connect(sluice.port);
    await other.call('PING');
    expect(Number(field(await infoText(sluice.conn, 'clients'), 'connected_clients'))).toBe(before + 1);
    other.close();
    expect(field(await infoText(sluice.conn, 'clients'), 'maxclients')).toBe('10000');
  });

  test('memory: measured usage in bytes and human form, no limit, noeviction', async () => {
    const text = await infoText(sluice.conn, 'memory');
    expect(Number(field(text, 'used_memory'))).toBeGreaterThan(0);
    expect(field(text, 'used_memory_human')).toMatch(/^\d+\.\d\d[KMGTP]$/);
    expect(field(text, 'maxmemory')).toBe('0');
    expect(field(text, 'maxmemory_policy')).toBe('noeviction');
  });

  test('memory: used_memory counts the keys and values the keyspace keeps as bytes outside V8\'s heap', async () => {
    const before = Number(field(await infoText(sluice.conn, 'memory'), 'used_memory'));
    // 40 MB of records, more than a collection between the two readings could take off the heap's figure.
    const value = 'v'.repeat(380);
    for (let batch = 0; batch < 100; batch++) {
      const args = Array.from({ length: 1000 }, (_, i) => [`mem:${batch}:${i}`, value]).flat();
      expect(await sluice.conn.call('MSET', ...args)).toEqual({ t: 'simple', v: 'OK' });
    }
    const after = Number(field(await infoText(sluice.conn, 'memory'), 'used_memory'));
    expect(after - before).toBeGreaterThan(100_000 * 390);
  });

  test('stats and persistence: hits, misses, errors and changes since the last save', async () => {
    const dirtyBefore = Number(field(await infoText(sluice.conn, 'persistence'), 'rdb_changes_since_last_save'));
    await sluice.conn.call('SET', 'k', 'v');
    await sluice.conn.call('GET', 'k');
    await sluice.conn.call('GET', 'nope');
    await sluice.conn.call('GET', 'nope');
    await sluice.conn.call('NOSUCH');
    const text = await infoText(sluice.conn);
    expect(field(text, 'keyspace_hits')).toBe('1');
    expect(field(text, 'keyspace_misses')).toBe('2');
    expect(field(text, 'total_error_replies')).toBe('1');
    expect(Number(field(text, 'rdb_changes_since_last_save'))).toBe(dirtyBefore + 1);
    expect(field(text, 'role')).toBe('master');
    expect(field(text, 'connected_slaves')).toBe('0');
  });

  test('commandstats: calls, time, rejected and failed calls; subcommands as parent|sub', async () => {
    await sluice.conn.call('SET', 's', 'notanumber');
    await sluice.conn.call('GET', 's');
    await sluice.conn.call('GET');
    await sluice.conn.call('INCR', 's');
    await sluice.conn.call('CONFIG', 'GET', 'hz');
    const stats = parse(await infoText(sluice.conn, 'commandstats')).get('Commandstats')!;
    expect(stats.get('cmdstat_get')).toMatch(/^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0$/);
    expect(stats.get('cmdstat_incr')).toMatch(/^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1$/);
    expect(stats.get('cmdstat_config|get')).toMatch(/^calls=1,/);
    expect(stats.has('cmdstat_config')).toBe(false);
    const usec = /usec=(\d+),usec_per_call=([\d.]+)/.exec(stats.get('cmdstat_incr')!)!;
    expect(usec[2]).toBe(Number(usec[1]).toFixed(2));
  });

  test('errorstats: one line per error code, sorted, counting rejected and failed commands', async () => {
    await sluice.conn.call('SET', 's', 'x');
    await sluice.conn.call('HELLO', '4');
    await sluice.conn.call('INCR', 's');
    await sluice.conn.call('NOSUCH');
    const text = await infoText(sluice.conn, 'errorstats');
    const lines = text.split('\r\n').filter((l) => l.startsWith('errorstat_'));
    expect(lines).toEqual(['errorstat_ERR:count=2', 'errorstat_NOPROTO:count=1']);
  });

  test('keyspace: keys, keys with a deadline and their average time to live, for non-empty databases only', async () => {
    await sluice.conn.call('SET', 'a', '1');
    await sluice.conn.call('SET', 'b', '2', 'PX', '100000');
    await sluice.conn.call('SET', 'c', '3', 'PX', '50000');
    await sluice.conn.call('SELECT', '3');
    await sluice.conn.call('SET', 'x', '1');
    const lines = (await infoText(sluice.conn, 'keyspace')).split('\r\n').filter((l) => l.startsWith('db'));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('db3:keys=1,expires=0,avg_ttl=0');
    const m = /^db0:keys=3,expires=2,avg_ttl=(\d+)$/.exec(lines[0]);
    expect(m).not.toBeNull();
    // The mean of two TTLs of at most 100 and 50 seconds, some milliseconds later.
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![1])).toBeLessThanOrEqual(75000);
  });
});

/** Fields Sluice prints that Redis 7.0 does not: its own, and what 7.2 or later added. */
const NOT_IN_7_0 = new Set([
  'sluice_version', 'listener0', 'client_query_buffer_limit_disconnections', 'client_output_buffer_limit_disconnections',
  'pubsub_clients', 'total_blocking_keys', 'total_blocking_keys_on_nokey',
  'acl_access_denied_auth', 'acl_access_denied_cmd', 'acl_access_denied_key', 'acl_access_denied_channel',
  'eventloop_cycles', 'eventloop_duration_sum', 'eventloop_duration_cmd_sum', 'instantaneous_eventloop_cycles_per_sec',
  'instantaneous_eventloop_duration_usec',
]);

/** Fields whose value is fixed for a Sluice that has no replicas, cluster, modules, persistence in progress or memory limit. */
const SAME_AS_A_FRESH_REDIS = [
  'redis_mode', 'process_supervised', 'hz', 'configured_hz', 'io_threads_active', 'config_file',
  'cluster_connections', 'maxclients', 'maxmemory', 'maxmemory_human', 'maxmemory_policy',
  'loading', 'async_loading', 'rdb_bgsave_in_progress', 'aof_enabled', 'aof_rewrite_in_progress', 'evicted_keys',
  'role', 'connected_slaves', 'master_failover_state', 'master_replid2', 'master_repl_offset', 'second_repl_offset',
  'repl_backlog_active', 'repl_backlog_size', 'repl_backlog_first_byte_offset', 'repl_backlog_histlen', 'cluster_enabled',
];

describe("every field of Redis 7.2's INFO", () => {
  test('is printed, in its section and in Redis 7.2.6 order', async () => {
    const ours = parse(await infoText(sluice.conn, 'everything'));
    for (const [section, fields] of Object.entries(REDIS_7_2_INFO_FIELDS)) {
      const printed = [...(ours.get(section)?.keys() ?? [])].filter((f) => fields.includes(f));
      expect(printed, section).toEqual(fields);
    }
  });

  test('fixed for a server that never forks, replicates or defragments: what Redis prints then', async () => {
    const text = await infoText(sluice.conn, 'everything');
    for (const name of [
      'total_forks', 'latest_fork_usec', 'sync_full', 'sync_partial_ok', 'sync_partial_err', 'total_net_repl_input_bytes',
      'active_defrag_hits', 'io_threaded_reads_processed', 'module_fork_in_progress', 'aof_last_cow_size', 'current_cow_size',
    ]) expect(`${name}:${field(text, name)}`).toBe(`${name}:0`);
    expect(field(text, 'used_cpu_user_children')).toBe('0.000000');
    expect(field(text, 'redis_git_sha1')).toBe('00000000');
    expect(field(text, 'multiplexing_api')).toBe(process.platform === 'linux' ? 'epoll' : 'kqueue');
  });

  test('reads, writes and the event loop are counted as Redis counts them', async () => {
    const before = parse(await infoText(sluice.conn, 'stats')).get('Stats')!;
    for (let i = 0; i < 10; i++) await sluice.conn.call('PING');
    await new Promise((r) => setTimeout(r, 110));
    const after = parse(await infoText(sluice.conn, 'stats')).get('Stats')!;
    const grew = (name: string) => Number(after.get(name)) - Number(before.get(name));
    expect(grew('total_reads_processed')).toBeGreaterThanOrEqual(11);
    expect(grew('total_writes_processed')).toBeGreaterThanOrEqual(11);
    // Redis's own test: a few cycles in 110 ms (the cron's, each request's), some busy time, the commands' share of it.
    expect(grew('eventloop_cycles')).toBeGreaterThan(0);
    expect(grew('eventloop_duration_sum')).toBeGreaterThan(0);
    expect(grew('eventloop_duration_sum')).toBeLessThan(110_000);
    expect(grew('eventloop_duration_cmd_sum')).toBeGreaterThan(0);
  });

  test('the debug section is printed only when named: the AOF and cron times, the longest turn, the most commands in one', async () => {
    expect(headings(await infoText(sluice.conn, 'everything'))).not.toContain('Debug');
    const before = parse(await infoText(sluice.conn, 'debug')).get('Debug')!;
    expect([...before.keys()]).toEqual(['eventloop_duration_aof_sum', 'eventloop_duration_cron_sum', 'eventloop_duration_max', 'eventloop_cmd_per_cycle_max']);
    await Promise.all(Array.from({ length: 5 }, () => sluice.conn.call('PING')));
    await new Promise((r) => setTimeout(r, 110));
    const after = parse(await infoText(sluice.conn, 'debug')).get('Debug')!;
    expect(Number(after.get('eventloop_duration_cron_sum'))).toBeGreaterThan(Number(before.get('eventloop_duration_cron_sum')));
    expect(Number(after.get('eventloop_duration_max'))).toBeGreaterThan(0);
    expect(Number(after.get('eventloop_cmd_per_cycle_max'))).toBeGreaterThanOrEqual(1);
  });

  test('instantaneous figures are the mean of the last 16 samples, one every 100 ms', async () => {
    const conn = sluice.conn;
    const until = Date.now() + 1700;
    while (Date.now() < until) await Promise.all(Array.from({ length: 20 }, () => conn.call('PING')));
    const stats = parse(await infoText(conn, 'stats')).get('Stats')!;
    expect(Number(stats.get('instantaneous_ops_per_sec'))).toBeGreaterThan(0);
    expect(Number(stats.get('instantaneous_input_kbps'))).toBeGreaterThan(0);
    expect(Number(stats.get('instantaneous_output_kbps'))).toBeGreaterThan(0);
    expect(Number(stats.get('instantaneous_eventloop_cycles_per_sec'))).toBeGreaterThan(0);
    expect(Number(stats.get('instantaneous_eventloop_duration_usec'))).toBeGreaterThan(0);
  });
});

describe.skipIf(redisServerPath === null)('INFO against redis-server (differential)', () => {
  let redis: RealRedis;
  let r: RespClient;
  let s: RespClient;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    r?.close();
    r = await RespClient.connect(redis.port);
    s = await sluice.connect();
  });

  test('default and selected sections have the same headings in the same order', async () => {
    for (const args of [[], ['default'], ['server', 'CLIENTS', 'nosuch'], ['keyspace', 'cpu'], ['nosuch'], ['modules'], ['errorstats'], ['latencystats'], ['default', 'latencystats']]) {
      expect(headings(await infoText(s, ...args)), args.join(' ')).toEqual(headings(await infoText(r, ...args)));
    }
  });

  test('INFO all and everything have Redis headings', async () => {
    expect(headings(await infoText(s, 'all'))).toEqual(headings(await infoText(r, 'all')));
    expect(headings(await infoText(s, 'everything'))).toEqual(headings(await infoText(r, 'everything')));
  });

  test('every field Sluice prints is a Redis field of the same section, fixed ones with the same value', async () => {
    const ours = parse(await infoText(s, 'everything'));
    const theirs = parse(await infoText(r, 'everything'));
    const problems: string[] = [];
    for (const [section, fields] of ours) {
      for (const name of fields.keys()) {
        if (NOT_IN_7_0.has(name) || name.startsWith('cmdstat_') || name.startsWith('errorstat_') || name.startsWith('latency_percentiles_usec_') || /^db\d+$/.test(name)) continue;
        if (!theirs.get(section)?.has(name)) problems.push(`${section}/${name}`);
      }
    }
    expect(problems).toEqual([]);
    for (const name of SAME_AS_A_FRESH_REDIS) {
      expect(`${name}:${field(await infoText(s, 'everything'), name)}`).toBe(`${name}:${field(await infoText(r, 'everything'), name)}`);
    }
  });

  test('every field redis-server prints, Sluice prints in the same section', async () => {
    const ours = parse(await infoText(s, 'everything'));
    const theirs = parse(await infoText(r, 'everything'));
    const missing: string[] = [];
    for (const [section, fields] of theirs) {
      for (const name of fields.keys()) {
        if (name.startsWith('cmdstat_') || name.startsWith('errorstat_') || name.startsWith('latency_percentiles_usec_') || /^db\d+$/.test(name)) continue;
        if (!ours.get(section)?.has(name)) missing.push(`${section}/${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('replication: min_slaves_good_slaves follows connected_slaves while min-replicas-to-write and its lag are set', async () => {
    const lines = async (conn: RespClient) => (await infoText(conn, 'replication')).split('\r\n').slice(1, 4);
    for (const [toWrite, lag] of [['1', '10'], ['1', '0'], ['0', '10']]) {
      for (const conn of [s, r]) {
        await conn.call('CONFIG', 'SET', 'min-replicas-to-write', toWrite, 'min-replicas-max-lag', lag);
      }
      expect(await lines(s), `${toWrite} ${lag}`).toEqual(await lines(r));
    }
    expect((await lines(s))[2]).toBe('master_failover_state:no-failover');
    await s.call('CONFIG', 'SET', 'min-replicas-to-write', '1');
    expect((await lines(s))[2]).toBe('min_slaves_good_slaves:0');
    await s.call('CONFIG', 'SET', 'min-replicas-to-write', '0');
  });

  test('keyspace lines have the same shape', async () => {
    for (const c of [r, s]) {
      await c.call('FLUSHALL');
      await c.call('SET', 'a', '1');
      await c.call('SET', 'b', '2', 'EX', '100');
    }
    const line = async (c: RespClient) => (await infoText(c, 'keyspace')).split('\r\n').find((l) => l.startsWith('db0:'))!;
    expect((await line(s)).replace(/avg_ttl=\d+/, 'avg_ttl=N')).toBe((await line(r)).replace(/avg_ttl=\d+/, 'avg_ttl=N'));
    for (const c of [r, s]) await c.call('FLUSHALL');
  });

  test('the reply types match in RESP3', async () => {
    await Promise.all([r.call('HELLO', '3'), s.call('HELLO', '3')]);
    const [a, b]: Resp[] = await Promise.all([s.call('INFO', 'cluster'), r.call('INFO', 'cluster')]);
    expect(a).toEqual(b);
  });
});
