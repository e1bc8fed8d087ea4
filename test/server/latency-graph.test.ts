import { describe, expect, test } from 'vitest';
import { latencyGraph } from '../../src/server/latency/latency-graph.js';
import type { LatencySeries } from '../../src/server/latency/latency-monitor.js';
import { renderSparkline } from '../../src/server/latency/sparkline.js';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';
import { REDIS_GRAPHS } from './latency-graph.fixtures.js';

function series(times: number[], latencies: number[]): LatencySeries {
  return { times, latencies, max: Math.max(...latencies) };
}

describe('LATENCY GRAPH rendering', () => {
  for (const [name, fx] of Object.entries(REDIS_GRAPHS)) {
    test(`${name}: the same text as Redis 7.2.6 rendered for the same samples`, () => {
      expect(latencyGraph('command', series(fx.times, fx.latencies), fx.now)).toBe(fx.graph);
    });
  }

  test('equal samples sit on the bottom level; a lone sample has a one-column graph', () => {
    expect(renderSparkline([{ value: 7, label: '' }, { value: 7, label: '' }], 80, 2)).toBe('  \n__\n');
    expect(renderSparkline([{ value: 3, label: 'ab' }], 80, 1)).toBe('_\n \na\nb\n');
  });

  test('past the column count the samples continue in another block, a blank line apart, with the sequence\'s scale', () => {
    const samples = [0, 5, 11].map((value) => ({ value, label: '' }));
    // Three rows of three levels over 0..11: 5 is level 4 (row two, 'o'), 11 the top ('#').
    expect(renderSparkline(samples, 2, 3)).toBe('  \n o\n_|\n\n#\n|\n|\n');
  });

  test('labels say how long ago in seconds, minutes, hours or days', () => {
    const text = latencyGraph('expire-cycle', { times: [0, 100_000 - 7200, 100_000 - 120, 100_000 - 5], latencies: [9, 9, 9, 9], max: 30 }, 100_000);
    expect(text.split('\n')).toEqual([
      'expire-cycle - high 9 ms, low 9 ms (all time high 30 ms)', '-'.repeat(80),
      '    ', '    ', '    ', '____', '    ', '1225', 'dhms', '',
    ]);
  });
});

/** Waits into the next whole second, so that the next sample starts a new one. */
async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
}

/**
 * TIME, HISTORY, GRAPH and HISTORY again of `command` in one transaction;
 * again if it straddled a second (the labels are ages at `now`) or if a
 * command in it was slow enough to add a sample (a loaded machine).
 */
async function graphAtOneSecond(cl: RespClient): Promise<[number, Resp, Resp]> {
  for (;;) {
    await cl.call('MULTI');
    const history = ['LATENCY', 'HISTORY', 'command'];
    for (const cmd of [['TIME'], history, ['LATENCY', 'GRAPH', 'command'], history, ['TIME']]) await cl.call(...cmd);
    const [before, historyBefore, graph, historyAfter, after] = (await cl.call('EXEC')).v as Resp[];
    const now = Number((before.v as Resp[])[0].v);
    if (Number((after.v as Resp[])[0].v) === now && JSON.stringify(historyAfter) === JSON.stringify(historyBefore)) return [now, historyBefore, graph];
  }
}

describe.skipIf(redisServerPath === null)('LATENCY GRAPH (against redis-server)', () => {
  const s = useSluiceAndRedis({ sluice: { config: { 'enable-debug-command': 'yes' } }, redis: ['--enable-debug-command', 'yes'] });

  test('GRAPH of an event is the sparkline of its HISTORY at the server\'s time, on both servers', async () => {
    const cls = await Promise.all([RespClient.connect(s.sluice.port), RespClient.connect(s.redis.port)]);
    try {
      // Well above what a command takes, below the shortest sleep (5 ms).
      for (const cl of cls) await cl.call('CONFIG', 'SET', 'latency-monitor-threshold', '4');
      for (const sleep of ['0.03', '0.005', '0.012']) {
        await Promise.all(cls.map((cl) => cl.call('DEBUG', 'SLEEP', sleep)));
        await nextSecond();
      }
      for (const cl of cls) {
        const [now, history, graph] = await graphAtOneSecond(cl);
        const samples = (history.v as Resp[]).map((p) => (p.v as Resp[]).map((x) => Number(x.v)));
        // The three sleeps, each in a second of its own, and any command the machine slowed past the threshold.
        expect(samples.length).toBeGreaterThanOrEqual(3);
        const expected = latencyGraph('command', series(samples.map((p) => p[0]), samples.map((p) => p[1])), now);
        expect(graph.v).toBe(expected);
      }
    } finally {
      for (const cl of cls) cl.close();
    }
  });
});
