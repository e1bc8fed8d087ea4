import { get } from '../api.js';
import { lineChart } from '../chart.js';
import { card, duration, fill, h, num, size } from '../dom.js';
import type { Overview } from '../types.js';
import type { ViewContext } from '../view.js';

const okPill = (v: string | undefined) => h('span', { class: `pill ${v === 'ok' ? 'ok' : 'bad'}` }, v ?? '–');

function persistence(p: Record<string, string>): HTMLElement {
  const aofOn = p.aof_enabled === '1';
  const lastSave = Number(p.rdb_last_save_time ?? 0);
  return h(
    'div',
    { class: 'cards' },
    card('Last save', lastSave > 0 ? `${duration(Date.now() / 1000 - lastSave)} ago` : '–', p.rdb_last_save_time),
    card('Last save status', okPill(p.rdb_last_bgsave_status)),
    card('Changes since save', num(Number(p.rdb_changes_since_last_save ?? 0))),
    card('Save in progress', p.rdb_bgsave_in_progress === '1' ? 'yes' : 'no'),
    card('AOF', aofOn ? 'on' : 'off'),
    card('AOF last write', aofOn ? okPill(p.aof_last_write_status) : '–'),
    card('AOF rewrite', p.aof_rewrite_in_progress === '1' ? 'in progress' : p.aof_rewrite_scheduled === '1' ? 'scheduled' : 'no'),
    card('AOF last rewrite', aofOn ? okPill(p.aof_last_bgrewrite_status) : '–'),
  );
}

/** Overview: INFO's figures and the server's sampled history, refreshed every two seconds. */
export async function overview(ctx: ViewContext): Promise<void> {
  const body = h('div');
  fill(ctx.main, h('h2', null, 'Overview'), body);
  const draw = async () => {
    const o = await get<Overview>('overview');
    if (!ctx.live()) return;
    const { server = {}, clients = {}, memory = {}, stats = {}, replication = {}, persistence: p = {}, keyspace = {} } = o.info;
    const max = Number(memory.maxmemory ?? 0);
    const used = Number(memory.used_memory ?? 0);
    const keys = Object.entries(keyspace).map(([db, v]) => `${db}: ${/keys=(\d+)/.exec(v)?.[1] ?? '?'}`);
    const hist = o.history;
    fill(
      body,
      h(
        'div',
        { class: 'cards' },
        card('Role', replication.role ?? '–', `connected replicas: ${replication.connected_slaves ?? '0'}`),
        card('Version', `${server.redis_version ?? ''} (Sluice ${server.sluice_version ?? ''})`.trim()),
        card('Uptime', duration(Number(server.uptime_in_seconds ?? 0))),
        card('Clients', num(Number(clients.connected_clients ?? 0))),
        card('Blocked clients', num(Number(clients.blocked_clients ?? 0))),
        card('Pub/sub clients', num(Number(clients.pubsub_clients ?? 0))),
        card('Commands/s', num(Number(stats.instantaneous_ops_per_sec ?? 0))),
        card('Commands processed', num(Number(stats.total_commands_processed ?? 0))),
        card('Memory', max > 0 ? `${size(used)} of ${size(max)}` : `${size(used)} (no maxmemory)`, memory.maxmemory_policy),
        card('Keys', keys.length === 0 ? '0' : keys.join(', ')),
        card('Pub/sub channels', num(Number(stats.pubsub_channels ?? 0))),
        card('Pub/sub patterns', num(Number(stats.pubsub_patterns ?? 0))),
      ),
      h('h3', null, 'Activity'),
      h(
        'div',
        { class: 'charts' },
        lineChart('Commands per second', [{ name: 'ops/s', points: hist.map((s) => [s.t, s.opsPerSec]) }], num),
        lineChart('Network, kB/s', [
          { name: 'in', points: hist.map((s) => [s.t, s.inputKbps]) },
          { name: 'out', points: hist.map((s) => [s.t, s.outputKbps]) },
        ], (v) => v.toFixed(1)),
        lineChart('Memory', [{ name: 'used', points: hist.map((s) => [s.t, s.usedMemory]) }], size, max),
      ),
      h('h3', null, 'Persistence'),
      persistence(p),
    );
  };
  await draw();
  ctx.every(2000, draw);
}
