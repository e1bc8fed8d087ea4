/**
 * Values built by commands, one key each, whose DUMP payload Redis 7.2
 * makes the same every time (no hash-table order, no clock): what Sluice's
 * DUMP must equal byte for byte (dump-golden.ts holds 7.2.6's payloads).
 * `config` is applied with CONFIG SET first, to force an encoding.
 */
export interface DumpCase {
  name: string;
  config?: [string, string][];
  cmds: string[][];
  /** Restored, the intset takes the narrowest width its members need (Redis keeps the payload's), so its DUMP differs. */
  restoreNarrows?: true;
}

const bulk = (cmd: string, key: string, n: number, item: (i: number) => string[]): string[] => {
  const out = [cmd, key];
  for (let i = 0; i < n; i++) out.push(...item(i));
  return out;
};

export const KEY = 'k';

export const DUMP_CASES: DumpCase[] = [
  { name: 'string, raw', cmds: [['SET', KEY, 'hello world']] },
  { name: 'string, 8-bit integer', cmds: [['SET', KEY, '-100']] },
  { name: 'string, 16-bit integer', cmds: [['SET', KEY, '30000']] },
  { name: 'string, 32-bit integer', cmds: [['SET', KEY, '-2000000000']] },
  { name: 'string, integer past 32 bits', cmds: [['SET', KEY, '12345678901234']] },
  { name: 'string, not quite an integer', cmds: [['SET', KEY, '007']] },
  { name: 'string, LZF compressed', cmds: [['SET', KEY, 'abcabcabc'.repeat(20)]] },
  { name: 'string, too short to compress', cmds: [['SET', KEY, 'a'.repeat(20)]] },
  { name: 'string, incompressible', cmds: [['SET', KEY, Array.from({ length: 40 }, (_, i) => String.fromCharCode((i * 97 + 13) % 256)).join('')]] },
  { name: 'string, rdbcompression off', config: [['rdbcompression', 'no']], cmds: [['SET', KEY, 'x'.repeat(100)]] },
  { name: 'string, after APPEND', cmds: [['SET', KEY, 'abc'], ['APPEND', KEY, 'def']] },
  { name: 'string, 5000 bytes', cmds: [['SET', KEY, 'The quick brown fox. '.repeat(250)]] },
  {
    name: 'list, listpack with every integer width',
    cmds: [['RPUSH', KEY, '0', '127', '128', '-4096', '4095', '-32768', '32767', '-8388608', '8388607', '-2147483648', '2147483647', '9223372036854775807', '-9223372036854775808', 'text', '']],
  },
  { name: 'list, listpack with long strings', cmds: [['RPUSH', KEY, 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096)]] },
  { name: 'list, quicklist of 8 KiB nodes', cmds: [bulk('RPUSH', KEY, 1200, (i) => [`element-${i}`])] },
  { name: 'list, quicklist of 5-element nodes', config: [['list-max-listpack-size', '5']], cmds: [bulk('RPUSH', KEY, 23, (i) => [`e${i}`])] },
  { name: 'list, quicklist of 4 KiB nodes', config: [['list-max-listpack-size', '-1']], cmds: [bulk('RPUSH', KEY, 500, (i) => [`element-${i}`])] },
  { name: 'set, 16-bit intset', cmds: [['SADD', KEY, '5', '-3', '100', '0']] },
  { name: 'set, 32-bit intset', cmds: [['SADD', KEY, '5', '-70000', '100000']] },
  { name: 'set, 64-bit intset', cmds: [['SADD', KEY, '1', '9223372036854775807', '-9223372036854775808']] },
  {
    name: 'set, intset that keeps its width after its wide member left',
    cmds: [['SADD', KEY, '1', '100000'], ['SREM', KEY, '100000']],
    restoreNarrows: true,
  },
  { name: 'set, listpack', cmds: [['SADD', KEY, 'apple', 'banana', '42', 'cherry']] },
  { name: 'sorted set, listpack', cmds: [['ZADD', KEY, '1', 'a', '2.5', 'b', '-inf', 'c', 'inf', 'd', '-0.125', 'e', '1e300', 'f', '3', '7']] },
  {
    name: 'sorted set, skiplist',
    config: [['zset-max-listpack-entries', '4']],
    cmds: [bulk('ZADD', KEY, 50, (i) => [String(i / 7), `member:${i}`]), ['ZADD', KEY, '-inf', 'low', 'inf', 'high']],
  },
  { name: 'sorted set, skiplist for a long member', cmds: [['ZADD', KEY, '1', 'a', '2', 'm'.repeat(100)]] },
  { name: 'hash, listpack', cmds: [['HSET', KEY, 'name', 'sluice', 'count', '42', 'neg', '-7', 'empty', '']] },
  { name: 'stream, one node', cmds: [['XADD', KEY, '1-1', 'a', '1', 'b', 'two'], ['XADD', KEY, '1-2', 'a', '3', 'b', 'four'], ['XADD', KEY, '5-0', 'other', 'x']] },
  {
    name: 'stream, tombstones',
    cmds: [['XADD', KEY, '1-1', 'f', 'v1'], ['XADD', KEY, '2-1', 'f', 'v2'], ['XADD', KEY, '3-1', 'f', 'v3'], ['XDEL', KEY, '2-1']],
  },
  {
    name: 'stream, many nodes',
    config: [['stream-node-max-entries', '3']],
    cmds: [...Array.from({ length: 10 }, (_, i) => ['XADD', KEY, `${1000 + i * 1000}-${i}`, 'n', String(i)])],
  },
  {
    name: 'stream, trimmed, with groups and no consumers',
    cmds: [
      ...Array.from({ length: 6 }, (_, i) => ['XADD', KEY, `${i + 1}-0`, 'n', String(i)]),
      ['XTRIM', KEY, 'MAXLEN', '4'],
      ['XGROUP', 'CREATE', KEY, 'g1', '0'],
      ['XGROUP', 'CREATE', KEY, 'g2', '$'],
      ['XGROUP', 'CREATE', KEY, 'g3', '4-0', 'ENTRIESREAD', '4'],
    ],
  },
  { name: 'stream, emptied', cmds: [['XADD', KEY, '7-7', 'a', 'b'], ['XDEL', KEY, '7-7']] },
  { name: 'stream, IDs past 2^53', cmds: [['XADD', KEY, '18446744073709551614-5', 'a', 'b'], ['XADD', KEY, '18446744073709551615-18446744073709551615', 'c', 'd']] },
];
