import { describe, expect, test } from 'vitest';
import { c, differential, fails, help, unordered } from '../helpers/differential.js';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';
import { PARAMETERS } from '../../src/server/config-params.js';
import { CONFIG_ADDED_IN_7_2, CONFIG_HIDDEN_IN_7_2 } from '../helpers/redis-7.2-changes.js';

/**
 * CONFIG against redis-server 7.0. Every parameter of the table is compared
 * (defaults, by its name and by its alias), except: those whose Sluice
 * default differs by design (bind, dir, port, save, loglevel: an embedded
 * server logs warnings only), Sluice's own (metrics-port, console-port,
 * metrics-keys, log-format), and what 7.2 added (config.test.ts states 7.2's values;
 * redis-7.2-changes.ts lists them). Every test leaves the parameters it
 * changed at their defaults: the servers live for the whole block.
 */
/** Sluice's own parameters, which Redis does not have. */
const SLUICE_OWN = PARAMETERS.filter((p) => p.sluiceOnly).map((p) => p.name);
const DIFFERENT_BY_DESIGN = new Set(['bind', 'dir', 'port', 'save', 'loglevel', ...SLUICE_OWN]);
const SHARED_NAMES = PARAMETERS.filter((p) => !DIFFERENT_BY_DESIGN.has(p.name) && p.since === undefined)
  .flatMap((p) => (p.alias ? [p.name, p.alias] : [p.name]));

const set = (name: string, value: string) => c('CONFIG', 'SET', name, value);
const get = (name: string) => c('CONFIG', 'GET', name);
const bad = (name: string, value: string) => fails('CONFIG', 'SET', name, value);

/** The numeric parameters both servers have, whose CONFIG SET both treat alike (Sluice binds its port once). */
const NUMERIC = PARAMETERS.filter((p) => p.min !== undefined && p.since === undefined && p.name !== 'port' && !p.sluiceOnly);

/** One past each bound is refused with the same reason (an immutable parameter: refused as immutable by both). */
const pastBounds = NUMERIC.flatMap((p) => {
  const rows = [bad(p.name, String(p.min! - 1n))];
  // Past 2^64 a memory value saturates to the maximum, which an unsigned 64-bit parameter accepts.
  if (!(p.unsigned && p.max === 2n ** 64n - 1n)) rows.push(bad(p.name, String(p.max! + 1n)));
  return rows;
});

/**
 * Each bound itself is accepted and read back as Redis prints it, then the
 * default is restored. Left out: what cannot be set at run time, TLS (Redis
 * then tries to set TLS up), Redis's hidden test knobs (some start timers)
 * and percentages (written as "N%", not as the held -N).
 */
const atBounds = NUMERIC.filter((p) => !p.immutable && !p.hidden && !p.percent && !p.name.startsWith('tls-')).flatMap((p) => [
  set(p.name, String(p.min)), get(p.name), set(p.name, String(p.max)), get(p.name), set(p.name, p.default), get(p.name),
]);

/**
 * Every boolean both servers have, both ways and back. Left out: appendonly
 * (turning it on starts a rewrite), activedefrag (Debian's build refuses
 * yes: it lacks Redis's own jemalloc) and TLS.
 */
const BOOL_ASIDE = new Set(['appendonly', 'activedefrag']);
const booleans = PARAMETERS.filter((p) => p.type === 'bool' && !p.immutable && p.since === undefined && !BOOL_ASIDE.has(p.name) && !p.name.startsWith('tls-'))
  .flatMap((p) => [set(p.name, 'Yes'), get(p.name), set(p.name, 'NO'), get(p.name), set(p.name, p.default), bad(p.name, 'true')]);

/** Every free-form string both servers have (TLS aside: Redis reloads its certificates), set and cleared. */
const strings = PARAMETERS.filter((p) => p.type === 'string' && !p.immutable && !p.protected && p.since === undefined && !p.validate && !p.name.startsWith('tls-') && !p.sluiceOnly)
  .flatMap((p) => [set(p.name, 'a value'), get(p.name), set(p.name, ''), get(p.name), set(p.name, p.default)]);

/** Every name of every enum both servers have (loglevel aside: 7.2 added "nothing"), read back, and one name neither knows. */
const enumNames = PARAMETERS.filter((p) => p.type === 'enum' && !p.immutable && !p.sluiceOnly && p.name !== 'loglevel' && !p.name.startsWith('tls-'))
  .flatMap((p) => [...p.values!.flatMap((v) => [set(p.name, v.toUpperCase()), get(p.name)]), set(p.name, p.default), bad(p.name, 'zzz')]);

differential('CONFIG', {
  'defaults of every parameter both servers have, by name and by alias': SHARED_NAMES.map(get),
  'CONFIG GET by exact name keeps the spelling asked for and lists a parameter once': [
    get('HZ'), get('Hash-Max-Ziplist-Entries'), c('CONFIG', 'GET', 'hz', 'HZ'), c('CONFIG', 'GET', 'HZ', 'h?'),
    get('nosuch'), c('CONFIG', 'GET', 'nosuch', 'other'), get(''), fails('CONFIG', 'GET'),
  ],
  'integer values are parsed as string2ll and range-checked': [
    bad('hz', 'abc'), bad('hz', '+5'), bad('hz', '007'), bad('hz', '-0'), bad('hz', ' 5'), bad('hz', '5 '), bad('hz', '1e3'),
    bad('hz', ''), bad('hz', '-1'), bad('timeout', '2147483648'), bad('timeout', '-1'),
    bad('slowlog-log-slower-than', '-2'), bad('slowlog-log-slower-than', '9223372036854775808'),
    bad('slowlog-max-len', '-1'), bad('list-max-listpack-size', '-2147483649'), bad('list-compress-depth', '-1'),
    bad('stream-node-max-entries', '-1'), bad('databases', 'x'),
  ],
  'unsigned parameters see a negative number as out of range': [
    bad('maxclients', '0'), bad('maxclients', '-1'), bad('maxclients', '4294967296'), bad('maxclients', ''),
    bad('hash-max-listpack-entries', '-1'), bad('set-max-intset-entries', '-5'), bad('zset-max-ziplist-entries', 'x'),
  ],
  'memory values take units and wrap as Redis memtoull does': [
    bad('proto-max-bulk-len', ''), bad('proto-max-bulk-len', 'kb'), bad('proto-max-bulk-len', '1KB'),
    bad('proto-max-bulk-len', '+1mb'), bad('proto-max-bulk-len', '1.5mb'), bad('proto-max-bulk-len', '1 mb'),
    bad('proto-max-bulk-len', '-1'), bad('proto-max-bulk-len', '0'), bad('proto-max-bulk-len', '1tb'),
    bad('proto-max-bulk-len', '99999999999999999999'), bad('proto-max-bulk-len', '18446744073709551615'),
    bad('client-query-buffer-limit', '-1'), bad('client-query-buffer-limit', '18446744073709551615'),
    bad('client-query-buffer-limit', '1000k'), bad('hash-max-listpack-value', '-1'), bad('stream-node-max-bytes', 'x'),
    set('proto-max-bulk-len', '2gb'), get('proto-max-bulk-len'),
    set('proto-max-bulk-len', '9999999999999gb'), get('proto-max-bulk-len'),
    set('proto-max-bulk-len', '1MB'), get('proto-max-bulk-len'),
    set('proto-max-bulk-len', '536870912'),
    set('client-query-buffer-limit', '2mb'), get('client-query-buffer-limit'), set('client-query-buffer-limit', '1gb'),
    set('hash-max-ziplist-value', '1kb'), get('hash-max-listpack-value'), set('hash-max-listpack-value', '64'),
    set('stream-node-max-bytes', '0'), get('stream-node-max-bytes'), set('stream-node-max-bytes', '4k'),
    get('stream-node-max-bytes'), set('stream-node-max-bytes', '4096'),
  ],
  'accepted values read back as Redis prints them': [
    set('hz', '0'), get('hz'), set('hz', '1000'), get('hz'), set('hz', '2147483647'), get('hz'), set('hz', '10'),
    set('slowlog-log-slower-than', '9223372036854775807'), get('slowlog-log-slower-than'), set('slowlog-log-slower-than', '-1'),
    get('slowlog-log-slower-than'), set('slowlog-log-slower-than', '10000'),
    set('list-max-ziplist-size', '-2147483648'), get('list-max-listpack-size'), set('list-max-listpack-size', '-2'),
    set('timeout', '2147483647'), get('timeout'), set('timeout', '0'),
    set('maxclients', '5000'), get('maxclients'), set('maxclients', '10000'),
    set('LOGLEVEL', 'WARNING'), get('loglevel'), set('loglevel', 'notice'),
    set('requirepass', 'sec ret'), get('requirepass'), set('requirepass', ''), get('requirepass'),
    set('maxmemory-policy', 'NoEviction'), get('maxmemory-policy'),
  ],
  'an alias and its parameter are distinct names: both may be set at once, the last wins': [
    c('CONFIG', 'SET', 'hash-max-ziplist-entries', '100', 'hash-max-listpack-entries', '200'),
    get('hash-max-ziplist-entries'), get('hash-max-listpack-entries'),
    set('hash-max-listpack-entries', '512'),
  ],
  'name errors come before value errors, and the first one is reported': [
    fails('CONFIG', 'SET', 'nosuch', '1'), fails('CONFIG', 'SET', 'hz', 'abc', 'nosuch', '1'),
    fails('CONFIG', 'SET', 'nosuch', '1', 'databases', '2'), fails('CONFIG', 'SET', 'DATABASES', '2', 'nosuch', '1'),
    fails('CONFIG', 'SET', 'logfile', 'x'), fails('CONFIG', 'SET', 'hz', '5', 'hz', '6'), fails('CONFIG', 'SET', 'HZ', '5', 'hz', '6'),
    fails('CONFIG', 'SET', 'hz', '5', 'timeout', 'x'), fails('CONFIG', 'SET', 'HZ', 'x'), fails('CONFIG', 'SET', 'Hash-Max-Ziplist-Entries', 'x'),
    get('hz'), get('timeout'),
  ],
  'a failing CONFIG SET changes nothing': [
    c('CONFIG', 'SET', 'timeout', '5', 'slowlog-max-len', '64'), get('timeout'), get('slowlog-max-len'),
    fails('CONFIG', 'SET', 'timeout', '7', 'slowlog-max-len', '65', 'maxclients', '0'), get('timeout'), get('slowlog-max-len'),
    c('CONFIG', 'SET', 'timeout', '0', 'slowlog-max-len', '128'),
  ],
  'syntax, arity and subcommands': [
    fails('CONFIG', 'SET', 'hz', '1', 'hz'), fails('CONFIG', 'SET', 'hz'), fails('CONFIG'), fails('CONFIG', 'nosuch'),
    fails('CONFIG', 'HELP', 'x'), fails('CONFIG', 'RESETSTAT', 'x'), fails('CONFIG', 'REWRITE', 'x'),
    help('CONFIG', 'HELP'), help('config', 'help'), c('CONFIG', 'RESETSTAT'),
  ],
  'CONFIG REWRITE without a config file': [fails('CONFIG', 'REWRITE')],
  'booleans take yes or no in any case; what Redis sets only at start is immutable': [
    set('activerehashing', 'NO'), get('activerehashing'), set('activerehashing', 'yes'),
    bad('activerehashing', '1'), bad('lazyfree-lazy-expire', 'on'), bad('replica-read-only', ''),
    bad('daemonize', 'no'), bad('io-threads', '2'), bad('rdbchecksum', 'no'), bad('syslog-enabled', 'yes'),
    bad('supervised', 'no'), bad('unixsocket', '/tmp/x.sock'), bad('unixsocketperm', '1'), bad('pidfile', 'x'),
    bad('cluster-enabled', 'yes'), bad('aclfile', 'x'), bad('tcp-backlog', '10'), bad('socket-mark-id', '1'),
    bad('replicaof', 'no one'), bad('slaveof', 'no one'), bad('dbfilename', 'x.rdb'),
  ],
  "enums take Redis's names in any case; a synonym reads back as the name it stands for": [
    set('maxmemory-policy', 'ALLKEYS-LRU'), get('maxmemory-policy'), set('maxmemory-policy', 'noeviction'),
    bad('maxmemory-policy', 'lru'), bad('maxmemory-policy', ''), bad('appendfsync', 'sometimes'),
    set('oom-score-adj', 'relative'), get('oom-score-adj'), set('oom-score-adj', 'no'), bad('oom-score-adj', 'maybe'),
    set('acl-pubsub-default', 'allchannels'), get('acl-pubsub-default'), set('acl-pubsub-default', 'resetchannels'),
    bad('sanitize-dump-payload', 'always'), bad('propagation-error-behavior', 'x'), bad('cluster-preferred-endpoint-type', 'x'),
    bad('tls-auth-clients', 'sometimes'), bad('repl-diskless-load', 'x'),
  ],
  'memory values, and maxmemory-clients which also takes a percentage': [
    set('maxmemory', '100mb'), get('maxmemory'), set('maxmemory', '18446744073709551615'), get('maxmemory'),
    bad('maxmemory', '-1'), bad('maxmemory', '1xx'), bad('maxmemory', '1%'), set('maxmemory', '0'),
    set('maxmemory-clients', '10%'), get('maxmemory-clients'), bad('maxmemory-clients', '101%'),
    bad('maxmemory-clients', '-1%'), bad('maxmemory-clients', '1%%'), bad('maxmemory-clients', '%'), bad('maxmemory-clients', 'x'),
    set('maxmemory-clients', '99999999999999999999'), get('maxmemory-clients'),
    set('maxmemory-clients', '1gb'), get('maxmemory-clients'), set('maxmemory-clients', '0%'), get('maxmemory-clients'),
    set('maxmemory-clients', '0'), get('maxmemory-clients'),
    set('repl-backlog-size', '2mb'), get('repl-backlog-size'), bad('repl-backlog-size', '0'), set('repl-backlog-size', '1mb'),
    bad('active-defrag-ignore-bytes', '0'), bad('cluster-link-sendbuf-limit', 'x'),
  ],
  'integer ranges of every C type Redis stores them in': [
    bad('replica-announce-port', '-1'), bad('slave-announce-port', '65536'), bad('active-defrag-max-scan-fields', '0'),
    bad('active-defrag-max-scan-fields', '-1'), bad('maxmemory-samples', '0'), bad('maxmemory-eviction-tenacity', '101'),
    bad('active-expire-effort', '11'), bad('active-expire-effort', '0'), bad('tracking-table-max-keys', '-1'),
    bad('acllog-max-len', '-1'), bad('lfu-decay-time', '-1'), bad('repl-timeout', '0'), bad('repl-ping-slave-period', '0'),
    bad('active-defrag-cycle-max', '100'), bad('active-defrag-threshold-upper', '1001'), bad('cluster-node-timeout', '-1'),
    bad('repl-backlog-ttl', '-1'), bad('min-slaves-to-write', 'x'), bad('tcp-keepalive', '-1'), bad('shutdown-timeout', '-1'),
    set('tcp-keepalive', '60'), get('tcp-keepalive'), set('tcp-keepalive', '300'),
    set('slave-priority', '5'), get('replica-priority'), get('slave-priority'), set('replica-priority', '100'),
    set('lua-time-limit', '100'), get('busy-reply-threshold'), set('busy-reply-threshold', '5000'),
  ],
  'parameters of several arguments, and their errors': [
    bad('oom-score-adj-values', '0 200 800 '), bad('oom-score-adj-values', '1 2'), bad('oom-score-adj-values', '0 200 2001'),
    bad('oom-score-adj-values', '0 x 1'), set('oom-score-adj-values', '-2000 +5 2000'), get('oom-score-adj-values'),
    set('oom-score-adj-values', '0 200 800'),
    set('latency-tracking-info-percentiles', '50 1e1 99.9999999'), get('latency-tracking-info-percentiles'),
    set('latency-tracking-info-percentiles', ''), get('latency-tracking-info-percentiles'),
    bad('latency-tracking-info-percentiles', '101'), bad('latency-tracking-info-percentiles', 'abc'),
    bad('latency-tracking-info-percentiles', '-0.5'), set('latency-tracking-info-percentiles', '50 99 99.9'),
    set('shutdown-on-sigint', 'now save'), get('shutdown-on-sigint'), set('shutdown-on-sigint', 'DEFAULT NOW'), get('shutdown-on-sigint'),
    bad('shutdown-on-sigint', 'save nosave'), bad('shutdown-on-sigint', ''), bad('shutdown-on-sigint', 'bogus'),
    set('shutdown-on-sigterm', 'force nosave'), get('shutdown-on-sigterm'),
    set('shutdown-on-sigint', 'default'), set('shutdown-on-sigterm', 'default'), get('shutdown-on-sigterm'),
  ],
  "strings with Redis's validators": [
    bad('proc-title-template', '{title}'), bad('proc-title-template', '{nope} x'), bad('proc-title-template', 'x {'),
    bad('proc-title-template', 'x {port'), bad('proc-title-template', ''), bad('proc-title-template', '   '),
    set('proc-title-template', 'sluice {{ {port}'), get('proc-title-template'),
    set('proc-title-template', '{title} {listen-addr} {server-mode}'),
    bad('cluster-announce-hostname', 'bad_host'), bad('cluster-announce-hostname', 'a b'),
    set('ignore-warnings', 'ARM64-COW-BUG'), get('ignore-warnings'), set('ignore-warnings', ''),
    set('masteruser', 'u'), get('masteruser'), set('masteruser', ''),
  ],
  'every numeric parameter refuses one past each of its bounds': pastBounds,
  'every numeric parameter accepts its bounds and reads them back': atBounds,
  'every free-form string is stored as given': strings,
  'every boolean takes yes and no in any case and nothing else': booleans,
  'every enum takes each of its names in any case and reads it back; an unknown name is refused with the list': enumNames,
  'a failing CONFIG SET of several parameters changes none of them': [
    fails('CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory-policy', 'nope'), get('maxmemory'), get('maxmemory-policy'),
    fails('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu', 'maxmemory', '10mb', 'activerehashing', 'maybe'),
    get('maxmemory'), get('maxmemory-policy'), get('activerehashing'),
    fails('CONFIG', 'SET', 'maxmemory', '10mb', 'daemonize', 'no'), fails('CONFIG', 'SET', 'maxmemory', '10mb', 'MAXMEMORY', '20mb'),
    fails('CONFIG', 'SET', 'maxmemory', '10mb', 'oom-score-adj-values', '1 2'), get('maxmemory'), get('oom-score-adj-values'),
    c('CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory-policy', 'volatile-ttl', 'maxmemory-clients', '5%'),
    unordered('CONFIG', 'GET', 'maxmemory', 'maxmemory-policy', 'maxmemory-clients'),
    c('CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction', 'maxmemory-clients', '0'),
  ],
  // The servers start with different save points (the harness starts redis-server with none), so the case sets them first.
  'save points: pairs of seconds (at least 1) and changes (at least 0), read back as Redis prints them': [
    set('save', '3600 1'), get('save'), set('save', '1 0 2 3'), get('save'), set('save', '+5 1'), get('save'),
    set('save', '5 9999999999'), get('save'), set('save', '99999999999999999999 1'), get('save'),
    bad('save', '0 1'), bad('save', '1 -1'), bad('save', '1'), bad('save', ' 5 1'), bad('save', 'a 1'), bad('save', '5 1 '),
    get('save'), set('save', ''), get('save'),
  ],
});

differential('CONFIG in RESP3', {
  'CONFIG GET answers a map': [get('hz'), get('nosuch'), set('timeout', '0')],
}, { proto: 3 });

/** A CONFIG GET reply as sorted name/value pairs: Redis lists glob matches in hash-table order. */
function pairs(r: Resp): string[] {
  const flat: Resp[] = r.t === 'map' ? r.v.flat() : r.t === 'array' && r.v !== null ? r.v : [];
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push(`${(flat[i] as { v: string }).v}=${(flat[i + 1] as { v: string }).v}`);
  return out.sort();
}

describe.skipIf(redisServerPath === null)('CONFIG GET patterns (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis();

  const patterns: string[][] = [
    ['hash-max-*'], ['zset-max-*'], ['list-*'], ['stream-node-*'], ['slowlog-*'], ['*ziplist*'], ['HASH-MAX-*'],
    ['[h]z'], ['h?'], ['slowlog-*', 'slowlog-max-len', 'SLOWLOG-MAX-LEN'], ['hz', 'timeout', 'databases'],
    ['zset-*-value', 'hash-*'],
  ];
  test("CONFIG GET * lists Redis's parameters with Redis's values, 7.2's changes and Sluice's own aside", async () => {
    const [a, b] = await Promise.all([RespClient.connect(servers.sluice.port), RespClient.connect(servers.redis.port)]);
    try {
      const ours = new Map(pairs(await a.call('CONFIG', 'GET', '*')).map((p) => p.split(/=(.*)/s).slice(0, 2) as [string, string]));
      const theirs = new Map(pairs(await b.call('CONFIG', 'GET', '*')).map((p) => p.split(/=(.*)/s).slice(0, 2) as [string, string]));
      const hidden = new Set(PARAMETERS.filter((p) => p.hidden).map((p) => p.name));
      const expected = [...theirs.keys()].filter((n) => !CONFIG_HIDDEN_IN_7_2.includes(n));
      expected.push(...CONFIG_ADDED_IN_7_2.filter((n) => !hidden.has(n)), ...SLUICE_OWN);
      expect([...ours.keys()].sort()).toEqual(expected.sort());
      for (const [name, value] of theirs) {
        if (ours.has(name) && !DIFFERENT_BY_DESIGN.has(name)) expect(ours.get(name), name).toBe(value);
      }
    } finally {
      a.close();
      b.close();
    }
  });

  test('the parameters the table says 7.2 added are the ones recorded as 7.2 changes', () => {
    expect(PARAMETERS.filter((p) => p.since === '7.2').map((p) => p.name).sort()).toEqual([...CONFIG_ADDED_IN_7_2].sort());
  });

  for (const proto of [2, 3] as const) {
    test(`globs match every name and alias, each listed once (RESP${proto})`, async () => {
      const a = await RespClient.connect(servers.sluice.port);
      const b = await RespClient.connect(servers.redis.port);
      try {
        if (proto === 3) await Promise.all([a.call('HELLO', '3'), b.call('HELLO', '3')]);
        for (const p of patterns) {
          const [ra, rb] = await Promise.all([a.call('CONFIG', 'GET', ...p), b.call('CONFIG', 'GET', ...p)]);
          expect(ra.t, p.join(' ')).toBe(rb.t);
          expect(pairs(ra), p.join(' ')).toEqual(pairs(rb));
          expect(pairs(ra).length, p.join(' ')).toBeGreaterThan(0);
        }
      } finally {
        a.close();
        b.close();
      }
    });
  }
});
