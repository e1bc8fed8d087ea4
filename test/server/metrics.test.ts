import { readFileSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, test } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { perTest } from '../helpers/fixture.js';
import { freePort, startSluice } from '../helpers/servers.js';
import { makeCerts } from '../helpers/tls-certs.js';

const { sluice, connect } = perTest();

async function withMetrics(): Promise<RunningServer> {
  return sluice({ config: { 'metrics-port': await freePort() } });
}

async function scrape(s: RunningServer): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${s.server.metrics.port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series, e.g. value(text, 'sluice_db_keys{db="0"}'); undefined when absent. */
function value(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('Prometheus endpoint', () => {
  test('is off when metrics-port is 0', async () => {
    const s = await sluice();
    expect(s.server.metrics.port).toBeNull();
    expect(s.server.metrics.url).toBeNull();
  });

  test('serves /metrics on the first bind address and 404 elsewhere', async () => {
    const s = await withMetrics();
    expect(s.server.metrics.url).toBe(`http://127.0.0.1:${s.server.metrics.port}/metrics`);
    const text = await scrape(s);
    expect(text).toContain('# TYPE sluice_connected_clients gauge');
    expect(text).toContain('# TYPE sluice_command_duration_seconds summary');
    const other = await fetch(`http://127.0.0.1:${s.server.metrics.port}/`);
    expect(other.status).toBe(404);
    await other.text();
  });

  test('connected clients follow connections', async () => {
    const s = await withMetrics();
    expect(value(await scrape(s), 'sluice_connected_clients')).toBe(0);
    const a = await connect(s);
    await connect(s);
    await a.call('PING');
    expect(value(await scrape(s), 'sluice_connected_clients')).toBe(2);
    a.close();
    await a.closed;
    for (let i = 0; i < 100 && s.server.clients.size !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(value(await scrape(s), 'sluice_connected_clients')).toBe(1);
  });

  test('per-command calls, failures, rejections and latency come from the command statistics', async () => {
    const s = await withMetrics();
    const c = await connect(s);
    for (let i = 0; i < 3; i++) await c.call('PING');
    await c.call('ECHO', 'x');
    expect((await c.call('ECHO')).t).toBe('error');
    expect((await c.call('SELECT', '99')).t).toBe('error');
    const text = await scrape(s);
    expect(value(text, 'sluice_command_calls_total{cmd="ping"}')).toBe(3);
    expect(value(text, 'sluice_command_calls_total{cmd="echo"}')).toBe(1);
    expect(value(text, 'sluice_command_rejected_calls_total{cmd="echo"}')).toBe(1);
    expect(value(text, 'sluice_command_failed_calls_total{cmd="select"}')).toBe(1);
    expect(value(text, 'sluice_command_duration_seconds_count{cmd="ping"}')).toBe(3);
    const pingUsec = s.server.commands.get('ping')!.stats.usec;
    expect(value(text, 'sluice_command_duration_seconds_sum{cmd="ping"}')).toBeCloseTo(pingUsec / 1e6, 9);
    // A command refused before running (wrong arity) is not processed.
    expect(value(text, 'sluice_commands_processed_total')).toBe(5);
    expect(value(text, 'sluice_error_replies_total')).toBe(2);
    expect(value(text, 'sluice_command_calls_total{cmd="dbsize"}')).toBeUndefined();
  });

  test('counters move between scrapes', async () => {
    const s = await withMetrics();
    const c = await connect(s);
    await c.call('PING');
    const first = value(await scrape(s), 'sluice_commands_processed_total')!;
    await c.call('PING');
    await c.call('PING');
    expect(value(await scrape(s), 'sluice_commands_processed_total')).toBe(first + 2);
  });

  test('keys and expiring keys per database', async () => {
    const s = await withMetrics();
    const ks = s.server.keyspace;
    ks.db(0).set('a', 'x');
    ks.db(0).set('b', 'y');
    ks.db(0).setDeadline('b', ks.now + 60_000);
    ks.db(3).set('c', 'z');
    let text = await scrape(s);
    expect(value(text, 'sluice_db_keys{db="0"}')).toBe(2);
    expect(value(text, 'sluice_db_keys_expiring{db="0"}')).toBe(1);
    expect(value(text, 'sluice_db_keys{db="3"}')).toBe(1);
    expect(value(text, 'sluice_db_keys_expiring{db="3"}')).toBe(0);
    expect(value(text, 'sluice_db_keys{db="1"}')).toBeUndefined();
    const c = await connect(s);
    await c.call('FLUSHALL');
    text = await scrape(s);
    expect(value(text, 'sluice_db_keys{db="0"}')).toBe(0);
    expect(value(text, 'sluice_db_keys{db="3"}')).toBeUndefined();
  });

  test('blocked clients are read from the server at scrape time', async () => {
    const s = await withMetrics();
    expect(value(await scrape(s), 'sluice_blocked_clients')).toBe(0);
    let blocked = 2;
    s.server.metrics.blockedClients = () => blocked;
    expect(value(await scrape(s), 'sluice_blocked_clients')).toBe(2);
    blocked = 0;
    expect(value(await scrape(s), 'sluice_blocked_clients')).toBe(0);
  });

  test('memory and uptime describe this process', async () => {
    const s = await withMetrics();
    const text = await scrape(s);
    expect(value(text, 'sluice_memory_bytes{kind="rss"}')).toBeGreaterThan(0);
    expect(value(text, 'sluice_memory_bytes{kind="heap_used"}')).toBeGreaterThan(0);
    expect(value(text, 'sluice_uptime_seconds')).toBeGreaterThanOrEqual(0);
  });

  test('evictions and used memory against the limit', async () => {
    const s = await sluice({ config: { 'metrics-port': await freePort(), 'maxmemory-policy': 'allkeys-random' } });
    const c = await connect(s);
    await c.call('CONFIG', 'SET', 'maxmemory', '1gb');
    for (let i = 0; i < 100; i++) await c.call('SET', `k${i}`, 'v');
    // What the limit is compared with: used memory less what eviction does not count (mem_not_counted_for_evict).
    const counted = s.server.memory.counted();
    const notCounted = s.server.memory.notCounted();
    await c.call('CONFIG', 'SET', 'maxmemory', String(counted - 2000));
    await c.call('PING');
    const text = await scrape(s);
    expect(value(text, 'sluice_maxmemory_bytes')).toBe(counted - 2000);
    expect(value(text, 'sluice_used_memory_bytes')).toBeLessThanOrEqual(counted - 2000 + notCounted);
    expect(value(text, 'sluice_evicted_keys_total')).toBeGreaterThan(0);
    expect(value(text, 'sluice_evicted_clients_total')).toBe(0);
  });

  test('servers in one process keep separate registries', async () => {
    const a = await withMetrics();
    const b = await withMetrics();
    expect(await a.server.metrics.registry()).not.toBe(await b.server.metrics.registry());
    const c = await connect(a);
    await c.call('PING');
    expect(value(await scrape(a), 'sluice_command_calls_total{cmd="ping"}')).toBe(1);
    expect(value(await scrape(b), 'sluice_command_calls_total{cmd="ping"}')).toBeUndefined();
  });

  test('closing the server closes the endpoint', async () => {
    const s = await startSluice({ config: { 'metrics-port': await freePort() } });
    const port = s.server.metrics.port;
    await s.close();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  test('CONFIG SET metrics-port opens the endpoint on the new port, moves it, and 0 closes it', async () => {
    const s = await sluice();
    const conn = await connect(s);
    const first = await freePort();
    expect(await conn.call('CONFIG', 'SET', 'metrics-port', String(first))).toEqual({ t: 'simple', v: 'OK' });
    expect(s.server.metrics.port).toBe(first);
    expect(await scrape(s)).toContain('# TYPE sluice_connected_clients gauge');
    const second = await freePort();
    expect(await conn.call('CONFIG', 'SET', 'metrics-port', String(second))).toEqual({ t: 'simple', v: 'OK' });
    expect(s.server.metrics.port).toBe(second);
    await expect(fetch(`http://127.0.0.1:${first}/metrics`)).rejects.toThrow();
    expect(await scrape(s)).toContain('# TYPE sluice_connected_clients gauge');
    expect(await conn.call('CONFIG', 'SET', 'metrics-port', '0')).toEqual({ t: 'simple', v: 'OK' });
    expect(s.server.metrics.port).toBeNull();
    await expect(fetch(`http://127.0.0.1:${second}/metrics`)).rejects.toThrow();
  });

  test('CONFIG SET metrics-port to a port in use fails as a port change does, and keeps the endpoint where it was', async () => {
    const s = await withMetrics();
    const before = s.server.metrics.port!;
    const conn = await connect(s);
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      expect(await conn.call('CONFIG', 'SET', 'metrics-port', String(port))).toEqual({
        t: 'error', v: "ERR CONFIG SET failed (possibly related to argument 'metrics-port') - Unable to listen on this port. Check server logs.",
      });
      expect(await conn.call('CONFIG', 'GET', 'metrics-port')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'metrics-port' }, { t: 'bulk', v: String(before) }] });
      expect(s.server.metrics.port).toBe(before);
      expect(await scrape(s)).toContain('# TYPE sluice_connected_clients gauge');
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  test('a metrics port already in use makes listen fail and leaves nothing open', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      await expect(startSluice({ config: { 'metrics-port': port } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});

describe('Prometheus endpoint: TLS connections', () => {
  test('TLS clients open now and TLS connections accepted, apart from plain ones; a failed handshake is not counted', async () => {
    const certs = makeCerts();
    try {
      const s = await sluice({
        port: await freePort(),
        config: {
          'metrics-port': await freePort(), 'tls-port': await freePort(), 'tls-auth-clients': 'no',
          'tls-cert-file': certs.serverCert, 'tls-key-file': certs.serverKey,
        },
      });
      const tlsPort = s.server.config.num('tls-port');
      const text = await scrape(s);
      expect(text).toContain('# TYPE sluice_tls_connected_clients gauge');
      expect(text).toContain('# TYPE sluice_tls_connections_received_total counter');
      expect([value(text, 'sluice_tls_connected_clients'), value(text, 'sluice_tls_connections_received_total')]).toEqual([0, 0]);
      const open = () => new Promise<tls.TLSSocket>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port: tlsPort, ca: readFileSync(certs.caCert) }, () => {
          // The server counts the connection once it hands it on: a reply proves it has.
          socket.write('PING\r\n');
          socket.once('data', () => resolve(socket));
        });
        socket.once('error', reject);
      });
      const [a, b] = [await open(), await open()];
      await connect(s);
      // A client that does not trust the server's CA gives up during the handshake.
      await expect(new Promise((resolve, reject) => {
        const bad = tls.connect({ host: '127.0.0.1', port: tlsPort, ca: readFileSync(certs.otherCaCert) }, () => resolve(bad));
        bad.once('error', reject);
      })).rejects.toThrow();
      let after = await scrape(s);
      expect([value(after, 'sluice_tls_connected_clients'), value(after, 'sluice_tls_connections_received_total'), value(after, 'sluice_connected_clients')])
        .toEqual([2, 2, 3]);
      a.destroy();
      await waitUntil(() => s.server.tlsListener.open === 1);
      after = await scrape(s);
      expect([value(after, 'sluice_tls_connected_clients'), value(after, 'sluice_tls_connections_received_total')]).toEqual([1, 2]);
      b.destroy();
    } finally {
      certs.remove();
    }
  });
});

test('with only a TLS port the endpoint listens on its address', async () => {
  const certs = makeCerts();
  try {
    const s = await sluice({
      port: 0,
      config: {
        'metrics-port': await freePort(), 'tls-port': await freePort(), 'tls-auth-clients': 'no', 'tls-cert-file': certs.serverCert, 'tls-key-file': certs.serverKey,
      },
    });
    expect(s.server.metrics.url).toBe(`http://127.0.0.1:${s.server.metrics.port}/metrics`);
    expect(value(await scrape(s), 'sluice_tls_connected_clients')).toBe(0);
  } finally {
    certs.remove();
  }
});

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('Prometheus endpoint: what an operator alerts on', () => {
  test('persistence: the last save and AOF write, changes since the save, a save or rewrite running', async () => {
    const s = await withMetrics();
    const c = await connect(s);
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '2');
    let text = await scrape(s);
    expect(value(text, 'sluice_rdb_last_save_ok')).toBe(1);
    expect(value(text, 'sluice_rdb_changes_since_last_save')).toBe(2);
    expect(value(text, 'sluice_rdb_last_save_timestamp_seconds')).toBe(s.server.lastSave);
    expect(value(text, 'sluice_rdb_last_save_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'sluice_rdb_save_in_progress')).toBe(0);
    expect(value(text, 'sluice_aof_enabled')).toBe(0);
    expect(value(text, 'sluice_aof_last_write_ok')).toBe(1);
    expect(value(text, 'sluice_aof_rewrite_in_progress')).toBe(0);
    expect(value(text, 'sluice_aof_last_rewrite_ok')).toBe(1);
    await c.call('SAVE');
    text = await scrape(s);
    expect(value(text, 'sluice_rdb_changes_since_last_save')).toBe(0);
  });

  test('the streams and lists metrics-keys names: lengths, and each group\'s pending entries, lag and consumers', async () => {
    const s = await sluice({ config: { 'metrics-port': await freePort(), 'metrics-keys': 'orders jobs:*' } });
    const c = await connect(s);
    for (let i = 1; i <= 5; i++) await c.call('XADD', 'orders', `${i}-0`, 'n', String(i));
    await c.call('XGROUP', 'CREATE', 'orders', 'billing', '0');
    await c.call('XREADGROUP', 'GROUP', 'billing', 'alice', 'COUNT', '2', 'STREAMS', 'orders', '>');
    await c.call('RPUSH', 'jobs:mail', 'a', 'b', 'c');
    await c.call('RPUSH', 'other', 'x');
    // The patterns are matched by the cron's scan: a pass over a small keyspace takes a tick or two.
    for (let i = 0; i < 100 && value(await scrape(s), 'sluice_list_length{db="0",key="jobs:mail"}') === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    const text = await scrape(s);
    expect(value(text, 'sluice_list_length{db="0",key="jobs:mail"}')).toBe(3);
    expect(text).not.toContain('key="other"');
    expect(value(text, 'sluice_stream_length{db="0",key="orders"}')).toBe(5);
    expect(value(text, 'sluice_stream_group_pending{db="0",key="orders",group="billing"}')).toBe(2);
    expect(value(text, 'sluice_stream_group_lag{db="0",key="orders",group="billing"}')).toBe(3);
    expect(value(text, 'sluice_stream_group_consumers{db="0",key="orders",group="billing"}')).toBe(1);
    expect(value(text, 'sluice_metrics_keys_truncated')).toBe(0);
    await c.call('DEL', 'jobs:mail');
    expect(await scrape(s)).not.toContain('key="jobs:mail"');
  });

  test('every series the Grafana dashboard in docs/ queries is served', async () => {
    const s = await sluice({ config: { 'metrics-port': await freePort(), 'metrics-keys': 'orders jobs' } });
    const c = await connect(s);
    await c.call('XADD', 'orders', '1-0', 'n', '1');
    await c.call('XGROUP', 'CREATE', 'orders', 'billing', '0');
    await c.call('RPUSH', 'jobs', 'a');
    const dashboard = readFileSync(path.join(import.meta.dirname, '../../docs/grafana-dashboard.json'), 'utf8');
    const names = [...new Set(dashboard.match(/sluice_[a-z_]+/g))];
    expect(names.length).toBeGreaterThan(25);
    const served = new Set((await scrape(s)).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
    expect(names.filter((n) => !served.has(n))).toEqual([]);
  });
});
