// A small event bus over pub/sub. The orders service publishes `orders.created`
// and, when paid, `orders.paid`; billing and shipping pattern-subscribe to
// `orders.*` and react to the events they care about (shipping publishes
// `orders.shipped`); an audit service pattern-subscribes to everything. Each
// order also holds a stock reservation key with a TTL: keyspace
// notifications tell the inventory service when an unpaid order's
// reservation expires, and it releases the stock.
//
//   npm run build && node examples/event-bus.mjs       (embedded Sluice)
//   node examples/event-bus.mjs --port 6379            (a running server)
import Redis from 'ioredis';

const ORDERS = 8;
/** Orders with an even number get paid; the others let their reservation expire. */
const paid = (id) => id % 2 === 0;
const RESERVATION_MS = 300;

async function server() {
  const i = process.argv.indexOf('--port');
  if (i !== -1) return { port: Number(process.argv[i + 1]), close: async () => {} };
  const { startServer } = await import('../dist/index.js');
  return startServer({ port: 0, bind: '127.0.0.1' });
}

/** A service: a subscriber connection, a connection to publish and write on, and what it handles. */
async function service(port, name, patterns, handle) {
  const sub = new Redis({ port });
  const bus = new Redis({ port });
  sub.on('pmessage', (_pattern, channel, message) => {
    // Keyspace notifications carry a key name; the services' own events are JSON.
    const event = channel.startsWith('__keyevent@') ? message : JSON.parse(message);
    handle(channel, event, bus).catch((e) => console.error(`${name}:`, e));
  });
  await sub.psubscribe(...patterns);
  return { name, close: () => Promise.all([sub.quit(), bus.quit()]) };
}

const publish = (bus, channel, event) => bus.publish(channel, JSON.stringify(event));

async function main() {
  const srv = await server();
  const admin = new Redis({ port: srv.port });
  // Expired-key events only (E for the keyevent channel, x for expiries).
  await admin.config('SET', 'notify-keyspace-events', 'Ex');
  await admin.set('stock:widget', ORDERS);

  const audit = [];
  const done = new Set();
  let finished;
  const allDone = new Promise((resolve) => (finished = resolve));
  const settle = (id) => {
    done.add(id);
    if (done.size === ORDERS) finished();
  };

  const services = await Promise.all([
    service(srv.port, 'billing', ['orders.*'], async (channel, order, bus) => {
      if (channel !== 'orders.created' || !paid(order.id)) return;
      // Payment succeeded: the reservation is no longer needed.
      await bus.del(`reservation:${order.id}`);
      await bus.incrby('revenue', order.amount);
      await publish(bus, 'orders.paid', order);
    }),
    service(srv.port, 'shipping', ['orders.*'], async (channel, order, bus) => {
      if (channel !== 'orders.paid') return;
      await publish(bus, 'orders.shipped', { ...order, carrier: 'pigeon' });
    }),
    service(srv.port, 'inventory', ['orders.shipped', '__keyevent@0__:expired'], async (channel, event, bus) => {
      if (channel === 'orders.shipped') {
        settle(event.id);
      } else if (event.startsWith('reservation:')) {
        // An unpaid order's reservation expired: give the stock back.
        await bus.incr('stock:widget');
        settle(Number(event.slice('reservation:'.length)));
      }
    }),
    service(srv.port, 'audit', ['*'], async (channel, event) => {
      audit.push(`${channel} ${JSON.stringify(event)}`);
    }),
  ]);

  const orders = new Redis({ port: srv.port });
  for (let id = 1; id <= ORDERS; id++) {
    await orders.decr('stock:widget');
    await orders.set(`reservation:${id}`, 'widget', 'PX', RESERVATION_MS);
    await publish(orders, 'orders.created', { id, item: 'widget', amount: 10 * id });
  }

  const timeout = setTimeout(() => {
    console.error(`timed out with ${done.size} of ${ORDERS} orders settled`);
    process.exit(1);
  }, 10_000);
  await allDone;
  clearTimeout(timeout);

  console.log('audit trail:');
  for (const line of audit) console.log(`  ${line}`);
  const [revenue, stock] = await Promise.all([admin.get('revenue'), admin.get('stock:widget')]);
  const shipped = audit.filter((l) => l.startsWith('orders.shipped')).length;
  console.log(`\nshipped ${shipped} orders, revenue ${revenue}, widgets back in stock: ${stock}`);
  const expectedRevenue = Array.from({ length: ORDERS }, (_, i) => i + 1).filter(paid).reduce((s, id) => s + 10 * id, 0);
  if (shipped !== ORDERS / 2 || Number(revenue) !== expectedRevenue || Number(stock) !== ORDERS / 2) {
    throw new Error('the bus lost an event');
  }

  await admin.del('revenue', 'stock:widget');
  await admin.config('SET', 'notify-keyspace-events', '');
  await Promise.all([...services.map((s) => s.close()), orders.quit(), admin.quit()]);
  await srv.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
