// Run as `node --allow-natives-syntax dictionary-probe.mjs <dist/index.js>`: starts a
// server, gives it a client's usual traffic (strings, a hash, a list, a script,
// a subscriber), then walks every object reachable from it through data
// properties and the entries of its Maps and Sets, and prints as JSON the paths
// of those V8 keeps in dictionary mode (test/server/object-shapes.test.ts).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const { startServer } = await import(pathToFileURL(process.argv[2]).href);
const Redis = createRequire(import.meta.url)('ioredis').Redis;
const server = await startServer({ port: 0, bind: '127.0.0.1', config: { appendonly: 'no', save: '' }, logTo: { write: () => true } });
const client = new Redis({ port: server.port, host: '127.0.0.1' });
const subscriber = new Redis({ port: server.port, host: '127.0.0.1' });
await client.set('k', 'v');
await client.hset('h', 'f', 'v');
await client.lpush('l', 'a');
await client.eval("return redis.call('GET', KEYS[1])", 1, 'k');
await subscriber.subscribe('channel');

const isDictionary = new Function('o', 'return !%HasFastProperties(o)');
const seen = new Set([server]);
const queue = [[server, 'server']];
const slow = [];
const push = (v, path) => {
  if (v !== null && typeof v === 'object' && !seen.has(v)) {
    seen.add(v);
    queue.push([v, path]);
  }
};
while (queue.length > 0) {
  const [o, path] = queue.shift();
  if (!Array.isArray(o) && !ArrayBuffer.isView(o) && !(o instanceof Map) && !(o instanceof Set) && isDictionary(o)) slow.push(path);
  if (o instanceof Map) for (const [k, v] of o) (push(k, `${path}<key>`), push(v, `${path}<value>`));
  if (o instanceof Set) for (const v of o) push(v, `${path}<member>`);
  if (ArrayBuffer.isView(o)) continue;
  for (const k of Reflect.ownKeys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (d !== undefined && 'value' in d) push(d.value, `${path}.${String(k)}`);
  }
}
process.stdout.write(JSON.stringify({ objects: seen.size, slow }));
client.disconnect();
subscriber.disconnect();
await server.close();
process.exit(0);
