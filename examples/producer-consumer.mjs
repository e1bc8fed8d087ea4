// A producer and a pool of consumers on one list: the producer LPUSHes
// messages (pipelined), each consumer loops on BRPOP, so messages come out in
// the order they went in and each is delivered to exactly one consumer. A
// "stop" message per consumer ends the run.
//
//   npm run build && node examples/producer-consumer.mjs       (embedded Sluice)
//   node examples/producer-consumer.mjs --port 6379            (a running server)
import Redis from 'ioredis';

const QUEUE = 'pc:messages';
const MESSAGES = 10_000;
const CONSUMERS = 4;
const STOP = 'stop';

async function server() {
  const i = process.argv.indexOf('--port');
  if (i !== -1) return { port: Number(process.argv[i + 1]), close: async () => {} };
  const { startServer } = await import('../dist/index.js');
  return startServer({ port: 0, bind: '127.0.0.1' });
}

/** Pops until the stop message; returns the sequence numbers it received, in order. */
async function consumer(port) {
  const redis = new Redis(port);
  const got = [];
  for (;;) {
    const [, message] = await redis.brpop(QUEUE, 0);
    if (message === STOP) break;
    got.push(Number(message.split(':')[1]));
  }
  redis.disconnect();
  return got;
}

async function producer(port) {
  const redis = new Redis(port);
  for (let i = 0; i < MESSAGES; i += 500) {
    const batch = redis.pipeline();
    for (let j = i; j < Math.min(i + 500, MESSAGES); j++) batch.lpush(QUEUE, `message:${j}`);
    await batch.exec();
  }
  for (let k = 0; k < CONSUMERS; k++) await redis.lpush(QUEUE, STOP);
  redis.disconnect();
}

async function main() {
  const srv = await server();
  const admin = new Redis(srv.port);
  await admin.del(QUEUE);
  const start = performance.now();
  const consumers = Array.from({ length: CONSUMERS }, () => consumer(srv.port));
  await producer(srv.port);
  const results = await Promise.all(consumers);
  const seconds = (performance.now() - start) / 1000;

  const all = results.flat();
  const ordered = results.every((got) => got.every((n, i) => i === 0 || n > got[i - 1]));
  const exactlyOnce = all.length === MESSAGES && new Set(all).size === MESSAGES;
  results.forEach((got, k) => console.log(`consumer ${k + 1}: ${got.length} messages`));
  console.log(`${all.length} messages in ${seconds.toFixed(2)} s (${Math.round(all.length / seconds)}/s); ` +
    `each delivered once: ${exactlyOnce}; each consumer saw them in order: ${ordered}`);
  admin.disconnect();
  await srv.close();
  process.exit(exactlyOnce && ordered ? 0 : 1);
}

main();
