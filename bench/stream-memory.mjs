// Memory per stream entry: 1,000,000 XADDs of five small fields, Sluice's
// heap growth (this process, the stream command run in-process, after
// `npm run build`) against redis-server's used_memory growth for the same
// commands. Usage: node --expose-gc bench/stream-memory.mjs [entries] [redis-port]
import { spawnSync } from 'node:child_process';
import { Keyspace } from '../dist/keyspace/keyspace.js';
import { xadd } from '../dist/queues/stream/xadd.js';
import { entryXadd } from './lib/stream-entry.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const port = process.argv[3];
const entry = (i) => entryXadd('s', i);

const ks = new Keyspace(1);
const reply = { proto: 2, errors: 0, lastError: '', bulk() {}, bulkDashed() {}, integer() {}, nullBulk() {}, error(e) { throw new Error(e); } };
const c = {
  reply, db: ks.db(0), keyspace: ks, propagateArgv: undefined, effects: null, propagating: false, loading: false, denyBlocking: true,
  config: { num: (n) => (n === 'stream-node-max-entries' ? 100 : 4096), str: () => '' }, argBytes: () => null, block() {},
};
globalThis.gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < N; i++) xadd(c, entry(i));
globalThis.gc();
const sluice = (process.memoryUsage().heapUsed - before) / N;
console.log(`sluice: ${sluice.toFixed(1)} bytes per entry (heap), ${c.db.get('s').blocks.length} nodes`);

if (port !== undefined) {
  const cli = (...args) => spawnSync('redis-cli', ['-p', port, ...args], { encoding: 'utf8' }).stdout;
  const used = () => Number(/used_memory:(\d+)/.exec(cli('INFO', 'memory'))[1]);
  cli('FLUSHALL');
  const base = used();
  let proto = '';
  for (let i = 0; i < N; i++) {
    const a = entry(i);
    proto += `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('');
  }
  spawnSync('redis-cli', ['-p', port, '--pipe'], { input: proto, maxBuffer: 1 << 30 });
  const redis = (used() - base) / N;
  console.log(`redis-server: ${redis.toFixed(1)} bytes per entry (used_memory); ratio ${(sluice / redis).toFixed(2)}`);
}
