// The strings section: SETRANGE and APPEND on a 64 MB value, time per call,
// unpipelined and pipelined, Sluice against redis-server in the same run.
// These are the commands that change a string in place: their cost must be
// what they write, not the size of the value.
import net from 'node:net';
import { cpuMicros } from './lib/cpu.mjs';
import { encode } from './lib/resp.mjs';
import { REDIS_SERVER, withBothServers } from './lib/servers.mjs';
import { fmtRatio, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'strings';
export const title = 'Strings changed in place: SETRANGE and APPEND on a 64 MB value';

const SERVER_CPU = 0;
const VALUE_BYTES = 64 * 1024 * 1024;
const SETRANGE_PIECE = 'abcdefgh';
const APPEND_PIECE = 'a'.repeat(100);
/** Requests sent together in the pipelined runs. */
const BATCH = 100;
/** Rounds, alternating which server goes first; each server keeps its best round per row. */
const ROUNDS = 3;
/** Maximum Sluice/Redis time per call. */
const TARGET = 2;

const SIZES = {
  full: { unpipelined: 2_000, pipelined: 200_000, warmup: 2_000 },
  quick: { unpipelined: 300, pipelined: 20_000, warmup: 500 },
};

/**
 * One connection that sends requests and waits for their replies, all of
 * them one line long (+OK, :n, -error); an error reply fails the run.
 */
async function connectLines(port) {
  const s = await new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(sock));
    sock.once('error', reject);
  });
  let waiting = 0;
  let done = null;
  let fail = null;
  let line = '';
  s.on('data', (d) => {
    for (let i = 0; i < d.length; i++) {
      const b = d[i];
      if (b !== 0x0a) {
        if (line.length < 200) line += String.fromCharCode(b);
        continue;
      }
      if (line.startsWith('-')) fail?.(new Error(`error reply: ${line.trim()}`));
      line = '';
      if (--waiting === 0) done?.();
    }
  });
  s.on('error', (e) => fail?.(e));
  return {
    /** Sends `requests` (encoded RESP) as one write and resolves once `count` replies are in. */
    round(requests, count) {
      return new Promise((resolve, reject) => {
        waiting = count;
        done = resolve;
        fail = reject;
        s.write(requests, 'latin1');
      });
    },
    close: () => s.destroy(),
  };
}

/** Offsets spread over the whole value, the same sequence on both servers. */
const offsetOf = (i) => (i * 2654435761) % (VALUE_BYTES - SETRANGE_PIECE.length);

const setrange = (key, i) => encode(['SETRANGE', key, String(offsetOf(i)), SETRANGE_PIECE]);
const append = (key) => encode(['APPEND', key, APPEND_PIECE]);

/** Microseconds per call: `n` calls one at a time. */
async function unpipelined(conn, n, make) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await conn.round(make(i), 1);
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

/**
 * `n` calls sent BATCH at a time: microseconds per call as the client sees
 * them, and of the server's CPU time (null without /proc).
 */
async function pipelined(conn, n, make, pid) {
  const cpu0 = cpuMicros(pid);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += BATCH) {
    let chunk = '';
    const count = Math.min(BATCH, n - i);
    for (let j = 0; j < count; j++) chunk += make(i + j);
    await conn.round(chunk, count);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  const cpu1 = cpuMicros(pid);
  return { wall, cpu: cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / n };
}

/**
 * One round on one server: PING, what any call costs on this connection;
 * then per command a fresh 64 MB value, the first call on it timed alone
 * (where a server converts the value to its mutable form), a warm-up, and
 * the unpipelined and pipelined runs.
 */
async function round({ port, pid }, sizes) {
  const conn = await connectLines(port);
  const value = 'x'.repeat(VALUE_BYTES);
  const out = {};
  try {
    const ping = () => encode(['PING']);
    await pipelined(conn, sizes.warmup, ping, pid);
    out['ping:1'] = await unpipelined(conn, sizes.unpipelined, ping);
    const pings = await pipelined(conn, sizes.pipelined, ping, pid);
    out['ping:batch'] = pings.wall;
    if (pings.cpu !== null) out['ping:cpu'] = pings.cpu;
    const commands = [
      ['setrange', (i) => setrange('bench:sr', i), 'bench:sr'],
      ['append', () => append('bench:ap'), 'bench:ap'],
    ];
    for (const [name, make, key] of commands) {
      await conn.round(encode(['SET', key, value]), 1);
      out[`${name}:first`] = await unpipelined(conn, 1, make);
      await pipelined(conn, sizes.warmup, make, pid);
      out[`${name}:1`] = await unpipelined(conn, sizes.unpipelined, make);
      const batch = await pipelined(conn, sizes.pipelined, make, pid);
      out[`${name}:batch`] = batch.wall;
      if (batch.cpu !== null) out[`${name}:cpu`] = batch.cpu;
      await conn.round(encode(['DEL', key]), 1);
    }
  } finally {
    conn.close();
  }
  return out;
}

const ROWS = [
  { key: 'ping:1', label: 'PING (reference)', mode: 'unpipelined' },
  { key: 'ping:batch', label: 'PING (reference)', mode: `pipelined (${BATCH})` },
  { key: 'ping:cpu', label: 'PING (reference)', mode: 'server CPU, pipelined' },
  { key: 'setrange:1', label: `SETRANGE ${SETRANGE_PIECE.length} B`, mode: 'unpipelined', target: TARGET },
  { key: 'setrange:batch', label: `SETRANGE ${SETRANGE_PIECE.length} B`, mode: `pipelined (${BATCH})`, target: TARGET },
  { key: 'setrange:cpu', label: `SETRANGE ${SETRANGE_PIECE.length} B`, mode: `server CPU, pipelined`, target: TARGET },
  { key: 'append:1', label: `APPEND ${APPEND_PIECE.length} B`, mode: 'unpipelined', target: TARGET },
  { key: 'append:batch', label: `APPEND ${APPEND_PIECE.length} B`, mode: `pipelined (${BATCH})`, target: TARGET },
  { key: 'append:cpu', label: `APPEND ${APPEND_PIECE.length} B`, mode: `server CPU, pipelined`, target: TARGET },
  { key: 'setrange:first', label: 'first SETRANGE after SET', mode: 'one call' },
  { key: 'append:first', label: 'first APPEND after SET', mode: 'one call' },
];

function measure(sizes, log) {
  return withBothServers('sluice-bench-strings-', { cpu: SERVER_CPU }, async ({ sluice, redis }) => {
    const servers = [{ name: 'Sluice', server: sluice }];
    if (redis) servers.push({ name: 'Redis', server: redis });
    const best = { Sluice: {}, Redis: {} };
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 === 0 ? servers : [...servers].reverse()) {
        log(`round ${r + 1}/${ROUNDS}: ${s.name}`);
        const got = await round(s.server, sizes);
        for (const [k, v] of Object.entries(got)) best[s.name][k] = Math.min(best[s.name][k] ?? Infinity, v);
      }
    }
    return best;
  });
}

const fmtMicros = (us) => (us === undefined ? '—' : us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(1)} µs`);

function table(best, hasRedis) {
  const columns = [
    { title: 'test' }, { title: 'measured' }, { title: 'Sluice per call', right: true }, { title: 'Redis per call', right: true },
    { title: 'Sluice/Redis', right: true }, { title: 'target', right: true }, { title: 'verdict' },
  ];
  const rows = ROWS.map(({ key, label, mode, target }) => {
    const s = best.Sluice[key];
    const r = best.Redis[key];
    const ratio = s !== undefined && r !== undefined ? s / r : null;
    let verdict = '—';
    if (ratio !== null && target !== undefined) verdict = ratio <= target ? 'met' : 'above';
    return [
      label, mode, fmtMicros(s), hasRedis ? fmtMicros(r) : 'not installed', ratio === null ? '—' : fmtRatio(ratio),
      target === undefined ? '—' : `≤ ${target}×`, verdict,
    ];
  });
  return { columns, rows };
}

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const best = await measure(sizes, log);
  const t = table(best, REDIS_SERVER !== null);
  const what = `one connection; a fresh 64 MB value per command; SETRANGE of ${SETRANGE_PIECE.length} bytes at offsets spread over the value, APPEND of ${APPEND_PIECE.length} bytes; ${sizes.warmup} calls of warm-up, then ${sizes.unpipelined} calls one at a time and ${sizes.pipelined} in batches of ${BATCH}; ${ROUNDS} rounds, the servers alternating; each server's best round per row`;
  return {
    text: [`SETRANGE and APPEND on a 64 MB value (${what})`, renderText(t.columns, t.rows)].join('\n\n'),
    markdown: [
      `### SETRANGE and APPEND on a 64 MB value\n\n${what[0].toUpperCase()}${what.slice(1)}. Time per call as the client sees it, and the server's CPU time (user + system, from /proc, in 10 ms ticks) per call over the pipelined run; lower is better. Target: within ${TARGET}× of Redis. PING on the same connection is the floor: an unpipelined call costs each server a round trip and its event loop's turn whatever the command does, and on a loaded machine that difference can exceed the command's own cost. The first call after SET is where Sluice moves the value from the JS string SET stored into a buffer (one copy of 64 MB into fresh memory; an APPEND also doubles the room), once per value; no target.`,
      renderMarkdown(t.columns, t.rows),
    ].join('\n\n'),
  };
}
