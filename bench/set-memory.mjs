// Memory per set member, Sluice against Redis: node --expose-gc bench/set-memory.mjs [--redis <redis-server>]
//
// Three shapes: 10,000 sets of 100 members of 16 bytes (listpacks at Redis
// 7.2's defaults), one set of 1,000,000 such members (a hashtable), 10,000
// sets of 100 small integers (intsets). Sluice runs in
// this process (from dist/: npm run build first) so that garbage can be
// collected before measuring: heap plus external memory after a full GC,
// against the same before filling. Redis is measured by INFO used_memory.
// Both include the keys' own overhead. Use a 7.2 redis-server: 7.0 has no
// listpack sets.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pipelineLoad, encode } from './lib/resp.mjs';
import { freePort, ROOT, rssBytes, scratchDir } from './lib/servers.mjs';

const redisAt = process.argv.indexOf('--redis');
const REDIS = redisAt > 0 ? process.argv[redisAt + 1] : 'redis-server';
if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');

const padded = (i) => `m${String(i).padStart(15, '0')}`;
const SHAPES = [
  { title: '10,000 sets x 100 members of 16 bytes', sets: 10_000, members: 100, member: padded },
  { title: '1 set x 1,000,000 members of 16 bytes', sets: 1, members: 1_000_000, member: padded },
  { title: '10,000 sets x 100 integers below 32768', sets: 10_000, members: 100, member: (i) => String(i % 30000) },
];

/** SADD commands filling `shape`, at most 1000 members each. */
function commands(shape) {
  const out = [];
  for (let s = 0; s < shape.sets; s++) {
    for (let from = 0; from < shape.members; from += 1000) {
      const members = [];
      for (let j = from; j < Math.min(shape.members, from + 1000); j++) members.push(shape.member(s * shape.members + j));
      out.push(encode(['SADD', `set:${s}`, ...members]));
    }
  }
  return out;
}

function heap() {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function info(port, field) {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(encode(['INFO', 'memory'])));
    let text = '';
    s.on('data', (d) => {
      text += d.toString('latin1');
      const m = new RegExp(`${field}:(\\d+)`).exec(text);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
  });
}

async function sluice(shape) {
  const { startServer } = await import(path.join(ROOT, 'dist/index.js'));
  const scratch = scratchDir('sluice-setmem-');
  const quiet = { write: () => true };
  const server = await startServer({ port: await freePort(), bind: '127.0.0.1', config: { dir: scratch.dir, appendonly: 'no' }, logTo: quiet });
  try {
    const cmds = commands(shape);
    const before = heap();
    const rss = rssBytes(process.pid);
    await pipelineLoad(server.port, cmds.length, (i) => cmds[i], { batch: 200 });
    const after = heap();
    return { bytes: (after - before) / (shape.sets * shape.members), rss: (rssBytes(process.pid) - rss) / (shape.sets * shape.members) };
  } finally {
    await server.close();
    scratch.remove();
  }
}

async function redis(shape) {
  const scratch = scratchDir('redis-setmem-');
  const port = await freePort();
  const child = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', scratch.dir], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await info(port, 'used_memory');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const cmds = commands(shape);
    const before = await info(port, 'used_memory');
    const rss = rssBytes(child.pid);
    await pipelineLoad(port, cmds.length, (i) => cmds[i], { batch: 200 });
    const after = await info(port, 'used_memory');
    return { bytes: (after - before) / (shape.sets * shape.members), rss: (rssBytes(child.pid) - rss) / (shape.sets * shape.members) };
  } finally {
    child.kill('SIGKILL');
    scratch.remove();
  }
}

for (const shape of SHAPES) {
  const s = await sluice(shape);
  const r = await redis(shape);
  console.log(
    `${shape.title}: Sluice ${s.bytes.toFixed(1)} bytes/member (RSS ${s.rss.toFixed(1)}), ` +
      `Redis ${r.bytes.toFixed(1)} (RSS ${r.rss.toFixed(1)}): ${(s.bytes / r.bytes).toFixed(2)}x`,
  );
}
