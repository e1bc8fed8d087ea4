// Memory per hash field, Sluice against redis-server: node bench/hash-memory.mjs [--quick]
// (needs a build). Two shapes, each into a fresh server with HSETs of 100
// pairs, pipelined: 10,000 hashes of 100 fields (packed: listpack) and one
// hash of 1,000,000 fields (hashtable); fields and values are 16 bytes.
//
// Per field, three figures: the growth of each server's resident set; Redis's
// INFO used_memory growth against the heap the same hashes take in a
// separate node process (the values built directly, measured after full
// GCs), which leaves out what V8 keeps for its own growth and garbage.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { encode, firstReplyLine, pipelineLoad } from './lib/resp.mjs';
import { REDIS_SERVER, ROOT, redisVersion, rssAround, startRedis, startSluice, withServer } from './lib/servers.mjs';

const quick = process.argv.includes('--quick');
const SHAPES = [
  { name: '100 fields of 16 bytes', hashes: quick ? 1_000 : 10_000, fields: 100 },
  { name: '1,000,000 fields of 16 bytes', hashes: 1, fields: quick ? 100_000 : 1_000_000 },
];
const PER_COMMAND = 100;
const pad = (prefix, i) => prefix + String(i).padStart(16 - prefix.length, '0');

/** The HSET lines of a shape, each as its argv. */
function* hsets(shape) {
  for (let h = 0; h < shape.hashes; h++) {
    for (let f = 0; f < shape.fields; f += PER_COMMAND) {
      const args = ['HSET', pad('hash:', h)];
      for (let j = f; j < Math.min(shape.fields, f + PER_COMMAND); j++) args.push(pad('f', j), pad('v', j));
      yield args;
    }
  }
}

/** INFO memory's used_memory, read whole. */
function usedMemory(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => {
      text += d.toString('latin1');
      const m = /used_memory:(\d+)/.exec(text);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
    s.write(encode(['INFO', 'memory']));
  });
}

function measure(start, shape) {
  return withServer('sluice-bench-hashmem-', start, {}, async (server) => {
    const commands = [...hsets(shape)].map(encode);
    const usedBefore = await usedMemory(server.port);
    const rss = await rssAround(server, async () => {
      const errors = await pipelineLoad(server.port, commands.length, (i) => commands[i], { batch: 200 });
      if (errors !== 0) throw new Error(`${server.name}: ${errors} HSETs failed`);
    });
    const usedAfter = await usedMemory(server.port);
    const len = await firstReplyLine(server.port, ['HLEN', pad('hash:', 0)]);
    if (len !== `:${shape.fields}`) throw new Error(`${server.name}: HLEN answered ${len}`);
    const total = shape.hashes * shape.fields;
    return { rss: (rss.after - rss.before) / total, used: (usedAfter - usedBefore) / total };
  });
}

/** In a child with --expose-gc: the heap the shape's hashes take, built as HSET builds them, per field. */
async function heapChild(shape) {
  const { HashValue } = await import(`${ROOT}/dist/store/hash/hash-value.js`);
  const limits = { entries: 512, value: 64 };
  // Arguments as the request parser makes them: strings sliced from a Buffer.
  const arg = (s) => Buffer.from(s, 'latin1').latin1Slice(0, s.length);
  global.gc();
  global.gc();
  const before = process.memoryUsage().heapUsed;
  const keys = new Map();
  for (const argv of hsets(shape)) {
    const key = argv[1];
    let h = keys.get(key);
    if (h === undefined) keys.set(arg(key), (h = new HashValue()));
    h.setPairs(argv.map(arg), 2, limits);
  }
  global.gc();
  global.gc();
  const perField = (process.memoryUsage().heapUsed - before) / (shape.hashes * shape.fields);
  const encoding = keys.values().next().value.encoding();
  process.stdout.write(JSON.stringify({ perField, encoding }));
}

function heap(shape) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--heap-child', JSON.stringify(shape)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`heap measurement failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const child = process.argv.indexOf('--heap-child');
if (child !== -1) {
  await heapChild(JSON.parse(process.argv[child + 1]));
} else {
  console.log(`redis-server ${redisVersion() ?? '(none)'}`);
  const f = (n) => `${n.toFixed(1)} B`;
  for (const shape of SHAPES) {
    const sluice = await measure(startSluice, shape);
    const redis = REDIS_SERVER ? await measure(startRedis, shape) : null;
    const h = heap(shape);
    console.log(`${shape.name} (${shape.hashes} × ${shape.fields}, ${h.encoding}), per field:`);
    console.log(`  RSS growth: Sluice ${f(sluice.rss)}, Redis ${redis ? f(redis.rss) : '—'}${redis ? `, ratio ${(sluice.rss / redis.rss).toFixed(2)}` : ''}`);
    console.log(`  data: Sluice heap ${f(h.perField)}, Redis used_memory ${redis ? f(redis.used) : '—'}${redis ? `, ratio ${(h.perField / redis.used).toFixed(2)}` : ''}`);
  }
}
