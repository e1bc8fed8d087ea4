import { describe, expect, test } from 'vitest';
import { latencyDoctor, type DoctorSettings } from '../../src/server/latency/latency-doctor.js';
import type { LatencySeries } from '../../src/server/latency/latency-monitor.js';

const NOW = 1_000_000;
const SETTINGS: DoctorSettings = { threshold: 10, slowlogSlowerThan: 10000, appendfsync: 'everysec', hz: 10, anonHugePages: 0 };

function events(...list: [string, number[], number[]][]): Map<string, LatencySeries> {
  return new Map(list.map(([name, ages, latencies]) => [name, { times: ages.map((a) => NOW - a), latencies, max: Math.max(...latencies) }]));
}

/** The advice lines (they start with "- "), as the report lists them. */
function advice(report: string): string[] {
  return report.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2, 41));
}

describe('LATENCY DOCTOR', () => {
  test('each event\'s line: spikes, integer average and mean deviation, seconds per spike to two decimals, worst ever', () => {
    const report = latencyDoctor(events(['expire-cycle', [9, 5, 1], [20, 31, 45]]), SETTINGS, NOW);
    expect(report.split('\n').slice(0, 3)).toEqual([
      "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?",
      '',
      '1. expire-cycle: 3 latency spikes (average 32ms, mean deviation 8ms, period 3.00 sec). Worst all time event 45ms.',
    ]);
  });

  test('the period per spike is rounded as printf rounds: half to even on the exact quotient', () => {
    // 8 samples over 9 s: 1.125 → 1.12; over 11 s: 1.375 → 1.38.
    const ages = (oldest: number) => [oldest, 6, 5, 4, 3, 2, 1, 0];
    const eight = [10, 10, 10, 10, 10, 10, 10, 10];
    expect(latencyDoctor(events(['aof-write', ages(9), eight]), SETTINGS, NOW)).toContain('period 1.12 sec');
    expect(latencyDoctor(events(['aof-write', ages(11), eight]), SETTINGS, NOW)).toContain('period 1.38 sec');
    // A spike in this very second counts one second.
    expect(latencyDoctor(events(['aof-write', [0], [10]]), SETTINGS, NOW)).toContain('period 1.00 sec');
  });

  test('an event Redis has no advice for: no easy fix', () => {
    expect(latencyDoctor(events(['aof-write', [1], [12]]), SETTINGS, NOW)).toBe(
      "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n"
      + '1. aof-write: 1 latency spikes (average 12ms, mean deviation 0ms, period 1.00 sec). Worst all time event 12ms.\n'
      + "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n",
    );
  });

  test('advice comes once each, in Redis\'s order, whatever the events\' order', () => {
    const report = latencyDoctor(events(
      ['eviction-cycle', [1], [12]], ['aof-write-alone', [1], [12]], ['expire-cycle', [1], [12]], ['fast-command', [1], [12]],
      ['eviction-del', [1], [12]], ['aof-rename', [1], [12]], ['aof-write-active-child', [1], [12]],
    ), SETTINGS, NOW);
    expect(advice(report)).toEqual([
      'The system is slow to execute Redis cod', 'It is strongly advised to use local dis', 'SSD disks are able to reduce fsync late',
      'Mounting ext3/4 filesystems with data=w', 'Assuming from the point of view of data', 'Latency during the AOF atomic rename op',
      "In order to make the Redis keys expirin", 'Deleting, expiring or evicting (because', "Sudden changes to the 'maxmemory' setti",
    ]);
    expect(report).toContain("  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n");
  });

  test('advice that depends on settings: hz already 100, appendfsync always, the slow log threshold', () => {
    const hz100 = latencyDoctor(events(['expire-cycle', [1], [12]]), { ...SETTINGS, hz: 100 }, NOW);
    expect(advice(hz100)).toEqual(['Deleting, expiring or evicting (because']);
    expect(advice(latencyDoctor(events(['aof-fsync-always', [1], [12]]), SETTINGS, NOW))).toEqual([]);
    const always = latencyDoctor(events(['aof-fsync-always', [1], [12]]), { ...SETTINGS, appendfsync: 'always' }, NOW);
    expect(always).toContain("- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n");
    // The slow log logs 20 ms and more, the monitor 10: tuning advice, with the monitor's threshold in µs.
    const tuning = latencyDoctor(events(['command', [1], [12]]), { ...SETTINGS, slowlogSlowerThan: 20000 }, NOW);
    expect(tuning).toContain("Please use 'CONFIG SET slowlog-log-slower-than 10000'.\n");
    const inspect = latencyDoctor(events(['command', [1], [12]]), SETTINGS, NOW);
    expect(advice(inspect)).toEqual(['Check your Slow Log to understand what ', 'Deleting, expiring or evicting (because']);
  });

  test('no spikes: Dave\'s stress pill, unless huge pages call for advice; off and never on: the monitor is disabled', () => {
    expect(latencyDoctor(new Map(), SETTINGS, NOW)).toBe(
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n',
    );
    const thp = latencyDoctor(new Map(), { ...SETTINGS, anonHugePages: 2 << 20 }, NOW);
    expect(thp.startsWith('\nI have a few advices for you:\n\n- I detected a non zero amount of anonymous huge pages used by your process.')).toBe(true);
    expect(latencyDoctor(new Map(), { ...SETTINGS, threshold: 0 }, NOW)).toMatch(/^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled/);
  });
});
