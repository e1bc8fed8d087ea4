import { describe, expect, test } from 'vitest';
import { c, differential, fails, sameType } from '../helpers/differential.js';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';

differential('LATENCY with no samples', {
  'an empty monitor': [
    c('LATENCY', 'LATEST'), c('LATENCY', 'HISTORY', 'command'), c('LATENCY', 'RESET'), c('LATENCY', 'RESET', 'command', 'fast-command'),
  ],
  'arguments': [
    fails('LATENCY'), fails('LATENCY', 'FOO'), fails('LATENCY', 'LATEST', 'x'), fails('LATENCY', 'HISTORY'),
    fails('LATENCY', 'HISTORY', 'a', 'b'), fails('LATENCY', 'HELP', 'x'), sameType('LATENCY', 'HELP'),
    fails('LATENCY', 'GRAPH'), fails('LATENCY', 'GRAPH', 'a', 'b'), fails('LATENCY', 'DOCTOR', 'x'),
  ],
  'GRAPH of an event never seen': [fails('LATENCY', 'GRAPH', 'command'), fails('LATENCY', 'GRAPH', 'no such event')],
  'DOCTOR with the monitor off, then on without spikes': [
    c('LATENCY', 'DOCTOR'), c('CONFIG', 'SET', 'latency-monitor-threshold', '100'), c('LATENCY', 'DOCTOR'),
    c('CONFIG', 'SET', 'latency-monitor-threshold', '0'),
  ],
});

/** Times and latencies move with the clock: kept are the shape, the event names, and whether each latency reached `atLeast`. */
function shape(r: Resp, atLeast: number): unknown {
  if (r.t === 'array' && r.v !== null) return r.v.map((x) => shape(x, atLeast));
  if (r.t === 'int') return Number(r.v) >= atLeast ? 'big' : 'small';
  return r;
}

describe.skipIf(redisServerPath === null)('LATENCY events (against redis-server)', () => {
  const s = useSluiceAndRedis({ sluice: { config: { 'enable-debug-command': 'yes' } }, redis: ['--enable-debug-command', 'yes'] });

  test('a command slower than latency-monitor-threshold is a "command" event in LATEST and HISTORY, until RESET', async () => {
    const replies: unknown[][] = [];
    for (const port of [s.sluice.port, s.redis.port]) {
      const cl = await RespClient.connect(port);
      try {
        const out: unknown[] = [];
        out.push(await cl.call('CONFIG', 'SET', 'latency-monitor-threshold', '100'));
        out.push(await cl.call('DEBUG', 'SLEEP', '0.2'));
        out.push(await cl.call('DEBUG', 'SLEEP', '0'));
        out.push(shape(await cl.call('LATENCY', 'LATEST'), 100));
        out.push(shape(await cl.call('LATENCY', 'HISTORY', 'command'), 100));
        const latest = await cl.call('LATENCY', 'LATEST');
        const row = (latest.v as Resp[])[0].v as Resp[];
        // The latest sample is the worst so far: the event's max.
        out.push(row[2].v === row[3].v && Number(row[2].v) >= 200);
        out.push(await cl.call('LATENCY', 'RESET', 'COMMAND'));
        out.push(await cl.call('LATENCY', 'LATEST'));
        out.push(await cl.call('CONFIG', 'SET', 'latency-monitor-threshold', '0'));
        out.push(await cl.call('DEBUG', 'SLEEP', '0.2'));
        out.push(await cl.call('LATENCY', 'LATEST'));
        replies.push(out);
      } finally {
        cl.close();
      }
    }
    expect(replies[0]).toEqual(replies[1]);
    expect(replies[0][5]).toBe(true);
  });

  test('DOCTOR reports a "command" spike with the slow log advice, in Redis\'s words; it stays after the monitor is turned off', async () => {
    const replies: unknown[][] = [];
    // The latencies move with the clock: each figure is masked.
    const mask = (r: Resp): unknown => (r.v as string).replace(/\d+ms/g, 'Nms');
    for (const port of [s.sluice.port, s.redis.port]) {
      const cl = await RespClient.connect(port);
      try {
        const out: unknown[] = [];
        await cl.call('LATENCY', 'RESET');
        await cl.call('CONFIG', 'SET', 'latency-monitor-threshold', '100');
        await cl.call('DEBUG', 'SLEEP', '0.2');
        out.push(mask(await cl.call('LATENCY', 'DOCTOR')));
        await cl.call('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
        await cl.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
        out.push(mask(await cl.call('LATENCY', 'DOCTOR')));
        await cl.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
        out.push(await cl.call('LATENCY', 'RESET'));
        out.push((await cl.call('LATENCY', 'DOCTOR')).v);
        replies.push(out);
      } finally {
        cl.close();
      }
    }
    expect(replies[0]).toEqual(replies[1]);
    expect(replies[0][0]).toContain('1. command: 1 latency spikes (average Nms, mean deviation Nms, period 1.00 sec).');
    expect(replies[0][1]).toContain("Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than 0'.");
  });

  test('HELP lists the subcommands Sluice has, in Redis\'s words', async () => {
    const cl = await RespClient.connect(s.sluice.port);
    try {
      const lines = ((await cl.call('LATENCY', 'HELP')).v as Resp[]).map((x) => x.v as string);
      expect(lines.filter((l) => !l.startsWith(' '))).toEqual([
        'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:', 'DOCTOR', 'GRAPH <event>', 'HISTORY <event>', 'LATEST', 'RESET [<event> ...]',
        'HISTOGRAM [COMMAND ...]', 'HELP',
      ]);
    } finally {
      cl.close();
    }
  });
});

describe.skipIf(redisServerPath === null)('LATENCY HISTOGRAM (against redis-server)', () => {
  const s = useSluiceAndRedis();

  /** Bucket boundaries depend on the clock: kept are the commands, their calls, and that the cumulative counts rise to them. */
  function histogramShape(r: Resp): unknown {
    const out: Record<string, unknown> = {};
    for (const [name, stats] of pairs(r)) {
      const [[, calls], [, buckets]] = pairs(stats);
      const counts = pairs(buckets).map(([, n]) => Number(n.v));
      out[name.v as string] = { calls: Number(calls.v), rising: counts.every((n, j) => j === 0 || n > counts[j - 1]), last: counts[counts.length - 1] };
    }
    return out;
  }

  /** A map's pairs, whether it came as a RESP3 map or a RESP2 flat array. */
  function pairs(r: Resp): [Resp, Resp][] {
    if (r.t === 'map') return r.v;
    const flat = r.v as Resp[];
    const out: [Resp, Resp][] = [];
    for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
    return out;
  }

  test('calls and cumulative microsecond buckets per command and subcommand, in RESP2 and RESP3', async () => {
    const results: unknown[] = [];
    for (const port of [s.sluice.port, s.redis.port]) {
      const cl = await RespClient.connect(port);
      try {
        const out: unknown[] = [];
        out.push(await cl.call('CONFIG', 'RESETSTAT'));
        out.push(await cl.call('LATENCY', 'HISTOGRAM', 'set', 'nosuch'));
        for (let i = 0; i < 5; i++) await cl.call('SET', `k${i}`, 'v');
        await cl.call('CONFIG', 'GET', 'maxmemory');
        out.push(histogramShape(await cl.call('LATENCY', 'HISTOGRAM', 'set', 'config', 'nosuch')));
        out.push(histogramShape(await cl.call('LATENCY', 'HISTOGRAM', 'config|get')));
        await cl.call('HELLO', '3');
        out.push(histogramShape(await cl.call('LATENCY', 'HISTOGRAM', 'set')));
        out.push((await cl.call('LATENCY', 'HISTOGRAM', 'set')).t);
        results.push(out);
      } finally {
        cl.close();
      }
    }
    expect(results[0]).toEqual(results[1]);
  });
});

describe.skipIf(redisServerPath === null)('INFO latencystats (against redis-server)', () => {
  const s = useSluiceAndRedis();

  /** The section's lines with every figure masked, sorted (Redis lists commands in hash order). */
  async function section(cl: RespClient): Promise<string[]> {
    const text = (await cl.call('INFO', 'latencystats')).v as string;
    return text.split('\r\n').filter((l) => l !== '').map((l) => l.replace(/=\d+\.\d{3}\b/g, '=N')).sort();
  }

  test('a line per command called, at each configured percentile; none while latency-tracking is off', async () => {
    const results: unknown[] = [];
    for (const port of [s.sluice.port, s.redis.port]) {
      const cl = await RespClient.connect(port);
      try {
        const out: unknown[] = [];
        await cl.call('CONFIG', 'RESETSTAT');
        await cl.call('SET', 'k', 'v');
        await cl.call('GET', 'k');
        await cl.call('CLIENT', 'ID');
        out.push(await section(cl));
        out.push(await cl.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '0 12.3456789 99.99 100'));
        out.push(await cl.call('CONFIG', 'GET', 'latency-tracking-info-percentiles'));
        out.push(await section(cl));
        out.push(await cl.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', ''));
        out.push(await section(cl));
        out.push(await cl.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 100.1'));
        out.push(await cl.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 x'));
        out.push(await cl.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9'));
        out.push(await cl.call('CONFIG', 'SET', 'latency-tracking', 'no'));
        out.push(await section(cl));
        out.push(await cl.call('CONFIG', 'SET', 'latency-tracking', 'yes'));
        results.push(out);
      } finally {
        cl.close();
      }
    }
    expect(results[0]).toEqual(results[1]);
    expect((results[0] as string[][])[0]).toContain('latency_percentiles_usec_client|id:p50=N,p99=N,p99.9=N');
  });
});

describe('LatencyMonitor', () => {
  test('one sample a second, the worst of it; the last 160 seconds kept; the max over all of them', async () => {
    const { LatencyMonitor } = await import('../../src/server/latency/latency-monitor.js');
    const m = new LatencyMonitor();
    m.add('command', 5, 1000);
    m.add('command', 9, 1000);
    m.add('command', 7, 1000);
    expect(m.events.get('command')).toEqual({ times: [1000], latencies: [9], max: 9 });
    for (let t = 1001; t < 1200; t++) m.add('command', t === 1100 ? 50 : 3, t);
    const s = m.events.get('command')!;
    expect(s.times.length).toBe(160);
    expect(s.times[0]).toBe(1040);
    expect(s.times[159]).toBe(1199);
    expect(s.max).toBe(50);
    m.threshold = 10;
    m.addIfNeeded('fast-command', 9);
    expect(m.events.has('fast-command')).toBe(false);
    expect(m.reset('COMMAND')).toBe(1);
    expect(m.reset()).toBe(0);
  });
});

describe('LatencyHistogram', () => {
  test('steps are the highest values equivalent to 1024·2^k ns at two significant digits, as Redis reports them', async () => {
    const { LatencyHistogram } = await import('../../src/server/latency/latency-histogram.js');
    const h = new LatencyHistogram();
    // 1 µs = 1000 ns is within the first step (up to 1031 ns); 3 µs within the third (up to 4127 ns).
    for (const usec of [0, 1, 1, 3, 65, 67]) h.record(usec);
    expect(h.cumulative()).toEqual([[1, 3], [4, 4], [66, 5], [132, 6]]);
    const long = new LatencyHistogram();
    // Past 1 s a call counts as 1 s, in the last step.
    for (const usec of [1_000_000, 5_000_000]) long.record(usec);
    expect(long.cumulative()).toEqual([[1082130, 2]]);
  });

  test('percentiles are the highest value equivalent to the one at that rank (the lowest for p0), as hdr_value_at_percentile', async () => {
    const { LatencyHistogram } = await import('../../src/server/latency/latency-histogram.js');
    const h = new LatencyHistogram();
    for (let usec = 1; usec <= 100; usec++) h.record(usec);
    // Rank ⌊p/100·n + 0.5⌋: p50 is the 50th call (50 µs: 195·256 ns up to 50,175), p99 the 99th (99,327), p99.9 and p100 the last.
    expect([50, 99, 99.9, 100, 0].map((p) => h.valueAtPercentile(p))).toEqual([50175, 99327, 100351, 100351, 1000]);
    const one = new LatencyHistogram();
    one.record(55);
    // Redis 7.2.6 printed p50=55.039 and p0=54.784 for a single call of 55 µs, p50=1.003 and p0=1.000 for one of 1 µs.
    expect([one.valueAtPercentile(50), one.valueAtPercentile(0)]).toEqual([55039, 54784]);
    one.record(1);
    expect([one.valueAtPercentile(1), one.valueAtPercentile(0)]).toEqual([1003, 1000]);
  });
});
