// The build's last step, run by scripts/bundle.mjs in a fresh node: Sluice
// from the new bundle goes through a warm-up (a server, commands of each
// family, a transaction, pub/sub, BullMQ's scripts loaded, a job added and
// processed), then V8's code cache of the bundle as compiled by then is
// saved beside it, dist/bundle/sluice.v8. A process uses it until its
// user's store holds a cache of its own (src/main/load-bundle.ts), so that
// even the first process after an install starts with Sluice's code
// compiled. V8 takes it only under the Node that made it; elsewhere the
// bundle compiles from source as it would without one.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.SLUICE_SCRIPT_CACHE_DIR !== 'off') throw new Error('run by scripts/bundle.mjs, with SLUICE_SCRIPT_CACHE_DIR=off');

const require = createRequire(import.meta.url);
const Redis = require('ioredis');
const { Queue, Worker } = require('bullmq');
const { sluice, saveCodeCache } = await import(pathToFileURL(path.join(ROOT, 'dist/main/load-bundle.js')).href);

const server = await sluice.startServer({ port: 0, bind: '127.0.0.1', config: { appendonly: 'no', save: '' }, logTo: { write: () => true } });
const connection = { host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null };
const client = new Redis(connection);
const subscriber = new Redis(connection);
try {
  const commands = [
    ['SET', 'k', 'v', 'EX', '100'], ['GET', 'k'], ['INCR', 'n'], ['MSET', 'a', '1', 'b', '2'], ['MGET', 'a', 'b'], ['TTL', 'k'],
    ['LPUSH', 'l', 'a', 'b', 'c'], ['RPOP', 'l'], ['LRANGE', 'l', '0', '-1'], ['BRPOP', 'l', '0.01'],
    ['HSET', 'h', 'f', 'v', 'g', 'w'], ['HGET', 'h', 'f'], ['HGETALL', 'h'], ['HINCRBY', 'h', 'n', '1'],
    ['SADD', 's', 'a', 'b'], ['SMEMBERS', 's'], ['SISMEMBER', 's', 'a'],
    ['ZADD', 'z', '1', 'a', '2', 'b'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGEBYSCORE', 'z', '-inf', '+inf'], ['ZPOPMIN', 'z'],
    ['XADD', 'x', '*', 'f', 'v'], ['XGROUP', 'CREATE', 'x', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '10', 'STREAMS', 'x', '>'], ['XRANGE', 'x', '-', '+'],
    ['SCAN', '0'], ['TYPE', 'k'], ['EXISTS', 'k'], ['DEL', 'k', 'l', 'h', 's', 'z', 'x'], ['INFO'],
  ];
  for (const command of commands) await client.call(...command);
  await client.multi().set('t', '1').incr('t').exec();
  await subscriber.subscribe('channel');
  await client.publish('channel', 'message');
  await client.eval("return redis.call('SET', KEYS[1], ARGV[1])", 1, 'e', 'v');
  for (const script of Object.values(require('bullmq/dist/cjs/scripts/index.js'))) await client.script('LOAD', script.content);
  const queue = new Queue('warm-up', { connection });
  await queue.add('job', { n: 1 });
  await new Promise((resolve, reject) => {
    const worker = new Worker('warm-up', async () => 'done', { connection });
    worker.on('completed', () => worker.close().then(resolve, reject));
    worker.on('failed', (_, e) => reject(e));
  });
  await queue.close();
} finally {
  client.disconnect();
  subscriber.disconnect();
  await server.close();
}
saveCodeCache(path.join(ROOT, 'dist/bundle/sluice.v8'));
