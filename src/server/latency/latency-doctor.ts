import { readFileSync } from 'node:fs';
import type { LatencySeries } from './latency-monitor.js';

/** The settings LATENCY DOCTOR's advice depends on. */
export interface DoctorSettings {
  /** latency-monitor-threshold, ms. */
  threshold: number;
  /** slowlog-log-slower-than, µs (negative: the slow log is off). */
  slowlogSlowerThan: number;
  appendfsync: string;
  hz: number;
  /** Bytes of transparent huge pages the process holds. */
  anonHugePages: number;
}

/** An event's samples summarised as Redis's analyzeLatencyForEvent: integer average and mean absolute deviation. */
interface EventStats {
  samples: number;
  avg: number;
  mad: number;
  /** Seconds from the oldest sample to now (at least 1). */
  period: number;
}

function analyze(s: LatencySeries, nowSec: number): EventStats {
  const n = s.latencies.length;
  let sum = 0;
  let oldest = s.times[0];
  for (let i = 0; i < n; i++) {
    sum += s.latencies[i];
    if (s.times[i] < oldest) oldest = s.times[i];
  }
  const avg = Math.floor(sum / n);
  let dev = 0;
  for (const ms of s.latencies) dev += Math.abs(avg - ms);
  return { samples: n, avg, mad: Math.floor(dev / n), period: nowSec - oldest || 1 };
}

/** num/den with two decimals, rounded as C's printf("%.2f") rounds the exact quotient (half to even). */
function fixed2(num: number, den: number): string {
  const neg = num < 0 !== den < 0 && num !== 0;
  num = Math.abs(num);
  den = Math.abs(den);
  let q = Math.floor((num * 100) / den);
  const r = num * 100 - q * den;
  if (2 * r > den || (2 * r === den && q % 2 === 1)) q++;
  const digits = String(q).padStart(3, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** The advice each event brings, by Redis's flags; the order of ADVICE is the report's. */
type Advice =
  | 'slowlogEnable' | 'slowlogTuning' | 'slowlogInspect' | 'scheduler' | 'localDisk' | 'ssd' | 'writeback'
  | 'diskContention' | 'noAppendfsync' | 'relaxFsync' | 'writeLoad' | 'hz' | 'largeObjects' | 'massEviction' | 'thp';

const EVENT_ADVICE: Record<string, Advice[]> = {
  'fast-command': ['scheduler'],
  'aof-write-pending-fsync': ['localDisk', 'diskContention', 'ssd', 'writeback'],
  'aof-write-active-child': ['noAppendfsync', 'writeback', 'ssd'],
  'aof-write-alone': ['localDisk', 'writeback', 'ssd'],
  'aof-fsync-always': ['relaxFsync'],
  'aof-fstat': ['diskContention', 'localDisk'],
  'rdb-unlink-temp-file': ['diskContention', 'localDisk'],
  'aof-rewrite-diff-write': ['writeLoad', 'writeback', 'ssd', 'localDisk'],
  'aof-rename': ['writeLoad', 'writeback', 'ssd', 'localDisk'],
  'expire-cycle': ['hz', 'largeObjects'],
  'eviction-del': ['largeObjects'],
  'eviction-cycle': ['massEviction'],
};

const ADVICE: [Advice, (s: DoctorSettings) => string | null][] = [
  ['slowlogEnable', (s) => `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${s.threshold * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`],
  ['slowlogTuning', (s) => `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${s.threshold * 1000}'.\n`],
  ['slowlogInspect', () => '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n'],
  ['scheduler', () => '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n'
    + '  1) Lower the system load.\n'
    + '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n'
    + '  3) Check if you have a "noisy neighbour" problem.\n'
    + "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n"
    + '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n'],
  ['localDisk', () => '- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n'],
  ['ssd', () => '- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n'],
  ['writeback', () => '- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n'],
  ['diskContention', () => '- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n'],
  ['noAppendfsync', () => "- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n"],
  ['relaxFsync', (s) => s.appendfsync !== 'always' ? null : "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n"],
  ['writeLoad', () => '- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n'],
  ['hz', (s) => s.hz >= 100 ? null : "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n"],
  ['largeObjects', () => '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n'],
  ['massEviction', () => "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n"],
  ['thp', () => "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n"],
];

/**
 * LATENCY DOCTOR's report, in Redis's words (createLatencyReport): each
 * event's summary, then the advice its events call for. Sluice does not
 * fork, so Redis's fork-rate line and its advice never appear.
 */
export function latencyDoctor(events: Map<string, LatencySeries>, s: DoctorSettings, nowSec: number): string {
  if (events.size === 0 && s.threshold === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  let report = '';
  const advised = new Set<Advice>();
  // Redis counts advice per event, so two events asking the same thing still count as advice given.
  let advices = 0;
  const advise = (a: Advice): void => {
    advised.add(a);
    advices++;
  };
  let n = 0;
  for (const [event, series] of events) {
    if (++n === 1) report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const st = analyze(series, nowSec);
    report += `${n}. ${event}: ${st.samples} latency spikes (average ${st.avg}ms, mean deviation ${st.mad}ms, period ${fixed2(st.period, st.samples)} sec). Worst all time event ${series.max}ms.`;
    const name = event.toLowerCase();
    if (name === 'command') {
      if (s.slowlogSlowerThan < 0) advise('slowlogEnable');
      else if (Math.trunc(s.slowlogSlowerThan / 1000) > s.threshold) advise('slowlogTuning');
      advise('slowlogInspect');
      advise('largeObjects');
    }
    for (const a of EVENT_ADVICE[name] ?? []) advise(a);
    report += '\n';
  }
  if (s.anonHugePages > 0) advise('thp');
  if (n === 0 && advices === 0) {
    return report + 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  }
  if (advices === 0) {
    return report + "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
  }
  report += '\nI have a few advices for you:\n\n';
  for (const [a, text] of ADVICE) {
    if (!advised.has(a)) continue;
    const t = text(s);
    if (t !== null) report += t;
  }
  return report;
}

/** Bytes of AnonHugePages the process maps (Redis's THPGetAnonHugePagesSize); 0 where /proc cannot tell. */
export function anonHugePages(): number {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps_rollup', 'latin1');
  } catch {
    return 0;
  }
  const m = /^AnonHugePages:\s+(\d+) kB/m.exec(text);
  return m === null ? 0 : Number(m[1]) * 1024;
}
