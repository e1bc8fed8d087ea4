// A durable event bus over a stream and a consumer group. A producer appends
// order events to `bus:orders`; three workers share them through the group
// `billing`, each acknowledging what it has handled. One worker dies after
// taking a batch and before handling it: its entries stay pending in the
// group, and once they have been idle long enough a surviving worker claims
// them with XAUTOCLAIM. At the end every event has been handled exactly
// once, and the group has nothing pending.
//
//   npm run build && node examples/stream-bus.mjs       (embedded Sluice)
//   node examples/stream-bus.mjs --port 6379            (a running server)
import Redis from 'ioredis';

const STREAM = 'bus:orders';
const GROUP = 'billing';
const EVENTS = 60;
/** Entries pending longer than this are taken over from a worker presumed dead. */
const CLAIM_IDLE_MS = 200;

async function server() {
  const i = process.argv.indexOf('--port');
  if (i !== -1) return { port: Number(process.argv[i + 1]), close: async () => {} };
  const { startServer } = await import('../dist/index.js');
  return startServer({ port: 0, bind: '127.0.0.1' });
}

/** ioredis gives stream entries as [id, [field, value, …]]; the fields as an object. */
const fields = ([, list]) => Object.fromEntries(Array.from({ length: list.length / 2 }, (_, i) => [list[2 * i], list[2 * i + 1]]));

/** What the workers have handled, by order id: handling an event twice is the bug this example shows cannot happen. */
const handled = new Map();

function handle(worker, entry) {
  const { order } = fields(entry);
  if (handled.has(order)) throw new Error(`order ${order} handled twice (by ${handled.get(order)} and ${worker})`);
  handled.set(order, worker);
}

/**
 * A worker: reads new entries for itself, handles and acknowledges them, and
 * when the stream runs dry claims entries another worker left pending.
 * `dieAfterBatches` makes it take that many batches and then disconnect
 * without handling the last one, as a crashed process would.
 */
async function worker(port, name, { dieAfterBatches = Infinity, done }) {
  const r = new Redis({ port });
  let batches = 0;
  try {
    for (;;) {
      const reply = await r.xreadgroup('GROUP', GROUP, name, 'COUNT', 5, 'BLOCK', 50, 'STREAMS', STREAM, '>');
      const entries = reply === null ? [] : reply[0][1];
      if (entries.length !== 0 && ++batches >= dieAfterBatches) {
        console.log(`${name}: took ${entries.length} entries and died before handling them`);
        return;
      }
      for (const entry of entries) {
        handle(name, entry);
        await r.xack(STREAM, GROUP, entry[0]);
      }
      if (entries.length === 0) {
        // Nothing new: take over what a silent worker left pending.
        const [, claimed] = await r.xautoclaim(STREAM, GROUP, name, CLAIM_IDLE_MS, '0-0', 'COUNT', 10);
        for (const entry of claimed) {
          console.log(`${name}: claimed ${entry[0]} (order ${fields(entry).order}) from a dead worker`);
          handle(name, entry);
          await r.xack(STREAM, GROUP, entry[0]);
        }
        if (claimed.length === 0 && done()) return;
      }
    }
  } finally {
    r.disconnect();
  }
}

const srv = await server();
const admin = new Redis({ port: srv.port });
try {
  await admin.del(STREAM);
  await admin.xgroup('CREATE', STREAM, GROUP, '$', 'MKSTREAM');
  let produced = 0;
  const producer = (async () => {
    for (let order = 1; order <= EVENTS; order++) {
      await admin.xadd(STREAM, '*', 'type', 'order.created', 'order', String(order), 'amount', String(order * 5));
      produced++;
      if (order % 10 === 0) await new Promise((r) => setTimeout(r, 10));
    }
  })();
  // Finished once every event is produced and handled.
  const done = () => produced === EVENTS && handled.size === EVENTS;
  await Promise.all([
    producer,
    worker(srv.port, 'worker-1', { done }),
    worker(srv.port, 'worker-2', { done, dieAfterBatches: 2 }),
    worker(srv.port, 'worker-3', { done }),
  ]);
  const [pending] = await admin.xpending(STREAM, GROUP);
  const perWorker = {};
  for (const w of handled.values()) perWorker[w] = (perWorker[w] ?? 0) + 1;
  console.log(`handled ${handled.size} of ${EVENTS} events exactly once: ${JSON.stringify(perWorker)}`);
  console.log(`pending in the group: ${pending}`);
  if (handled.size !== EVENTS || pending !== 0) process.exitCode = 1;
} finally {
  admin.disconnect();
  await srv.close();
}
