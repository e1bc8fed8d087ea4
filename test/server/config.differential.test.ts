import { describe, expect, test } from 'vitest';
import { c, differential, fails, help } from '../helpers/differential.js';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';

/**
 * CONFIG against redis-server 7.0. Left out on purpose: parameters whose
 * Sluice default differs by design (bind, dir, port), Sluice's own
 * (metrics-port), what 7.2 added (set-max-listpack-*, loglevel "nothing",
 * which also changes loglevel's error text) and maxmemory-policy's values
 * (Sluice never evicts); config.test.ts covers those. Every test leaves the
 * parameters it changed at their defaults: the servers live for the whole
 * block.
 */
// loglevel is left out: an embedded server defaults to warning (sluice-server, like Redis, to notice).
const SHARED_DEFAULTS = [
  'databases', 'requirepass', 'hz', 'timeout', 'maxclients', 'proto-max-bulk-len', 'client-query-buffer-limit',
  'logfile', 'slowlog-log-slower-than', 'slowlog-max-len', 'maxmemory-policy',
  'hash-max-listpack-entries', 'hash-max-ziplist-entries', 'hash-max-listpack-value', 'hash-max-ziplist-value',
  'list-max-listpack-size', 'list-max-ziplist-size', 'list-compress-depth', 'set-max-intset-entries',
  'zset-max-listpack-entries', 'zset-max-ziplist-entries', 'zset-max-listpack-value', 'zset-max-ziplist-value',
  'stream-node-max-bytes', 'stream-node-max-entries',
];

const set = (name: string, value: string) => c('CONFIG', 'SET', name, value);
const get = (name: string) => c('CONFIG', 'GET', name);
const bad = (name: string, value: string) => fails('CONFIG', 'SET', name, value);

differential('CONFIG', {
  'defaults of the parameters both servers have': SHARED_DEFAULTS.map(get),
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
