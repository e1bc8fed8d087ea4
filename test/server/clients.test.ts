import { Redis, type RedisOptions } from 'ioredis';
import { createClient, RESP_TYPES } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { useSluice } from '../helpers/fixture.js';
import { startSluice } from '../helpers/servers.js';

/** Every byte value, CR LF and NUL included: values must come back byte for byte. */
const BINARY = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));

const sluice = useSluice();
beforeEach(() => {
  sluice.server.keyspace.flushAll();
});

/** The names of the connected clients, as the server sees them. */
function clientNames(): string[] {
  return [...sluice.server.clients.values()].map((c) => c.name);
}

describe.each([2, 3] as const)('ioredis 6 with protocol %i', (protocol) => {
  let redis: Redis;
  const open = (extra: RedisOptions = {}) =>
    new Redis({ host: '127.0.0.1', port: sluice.port, protocol, retryStrategy: () => null, maxRetriesPerRequest: 0, ...extra });

  beforeAll(async () => {
    redis = open();
    await new Promise<void>((resolve, reject) => redis.once('ready', resolve).once('error', reject));
  });
  afterAll(() => redis?.disconnect());

  test('connects, negotiates the protocol and answers PING', async () => {
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.echo('hi there')).toBe('hi there');
    const me = sluice.server.clients.get(Number(await redis.client('ID')));
    expect(me?.reply.proto).toBe(protocol);
    expect(me?.libName).toBe('ioredis');
  });

  test('stores and returns binary values byte for byte', async () => {
    expect(await redis.set('bin', BINARY)).toBe('OK');
    expect((await redis.getBuffer('bin'))!.equals(BINARY)).toBe(true);
    expect(await redis.get('missing')).toBeNull();
  });

  test('pipelines several commands and gets each reply in order', async () => {
    const results = await redis.pipeline().set('p', '1').incr('p').get('p').echo('x').exec();
    expect(results).toEqual([[null, 'OK'], [null, 2], [null, '2'], [null, 'x']]);
  });

  test('runs MULTI/EXEC transactions', async () => {
    expect(await redis.multi().set('t', 'a').append('t', 'b').get('t').exec()).toEqual([[null, 'OK'], [null, 2], [null, 'ab']]);
  });

  test('a transaction with a command refused while queuing is aborted as EXECABORT', async () => {
    await expect(redis.multi().set('t', 'a').call('NOSUCHCOMMAND').exec()).rejects.toThrow(
      'EXECABORT Transaction discarded because of previous errors.',
    );
    expect(await redis.exists('t')).toBe(0);
  });

  test('errors surface as rejections carrying Redis text', async () => {
    await expect(redis.call('NOSUCH', 'a')).rejects.toThrow("ERR unknown command 'NOSUCH', with args beginning with: 'a' ");
    await redis.set('s', 'abc');
    await expect(redis.incr('s')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(redis.call('ECHO')).rejects.toThrow("ERR wrong number of arguments for 'echo' command");
  });

  test('the HELLO reply parses into its fields', async () => {
    const reply = (await redis.call('HELLO', String(protocol))) as unknown[];
    const fields = Object.fromEntries(Array.from({ length: reply.length / 2 }, (_, i) => [reply[2 * i], reply[2 * i + 1]]));
    expect(fields).toMatchObject({ server: 'redis', proto: protocol, mode: 'standalone', role: 'master', modules: [] });
    expect(typeof fields.version).toBe('string');
    expect(typeof fields.id).toBe('number');
  });

  test('the db option selects the database', async () => {
    const other = open({ db: 5 });
    try {
      await other.set('in-five', 'yes');
      expect(await redis.exists('in-five')).toBe(0);
      expect(sluice.server.keyspace.db(5).get('in-five')).toBe('yes');
    } finally {
      other.disconnect();
    }
  });

  test('the connectionName option names the connection', async () => {
    const named = open({ connectionName: `io-${protocol}` });
    try {
      expect(await named.client('GETNAME')).toBe(`io-${protocol}`);
      expect(clientNames()).toContain(`io-${protocol}`);
    } finally {
      named.disconnect();
    }
  });
});

describe.each([2, 3] as const)('node-redis 6 with RESP%i', (RESP) => {
  const url = () => `redis://127.0.0.1:${sluice.port}`;
  const open = (extra: { database?: number; name?: string } = {}) =>
    createClient({ url: url(), RESP, ...extra, socket: { reconnectStrategy: false } });
  let client: ReturnType<typeof open>;

  beforeAll(async () => {
    client = open();
    client.on('error', () => {});
    await client.connect();
  });
  afterAll(() => client?.destroy());

  test('connects, negotiates the protocol and answers PING', async () => {
    expect(await client.ping()).toBe('PONG');
    const me = sluice.server.clients.get(await client.clientId());
    expect(me?.reply.proto).toBe(RESP);
    expect(me?.libName).toBe('node-redis');
  });

  test('stores and returns binary values byte for byte', async () => {
    expect(await client.set('bin', BINARY)).toBe('OK');
    const bytes = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get('bin');
    expect(Buffer.isBuffer(bytes) && bytes.equals(BINARY)).toBe(true);
    expect(await client.get('missing')).toBeNull();
  });

  test('pipelines several commands and gets each reply in order', async () => {
    expect(await client.multi().set('p', '1').incr('p').get('p').echo('x').execAsPipeline()).toEqual(['OK', 2, '2', 'x']);
    // Commands issued together are written together (auto-pipelining).
    expect(await Promise.all([client.set('q', 'v'), client.get('q'), client.strLen('q')])).toEqual(['OK', 'v', 1]);
  });

  test('runs MULTI/EXEC transactions', async () => {
    expect(await client.multi().set('t', 'a').append('t', 'b').get('t').exec()).toEqual(['OK', 2, 'ab']);
  });

  test('a transaction with a command refused while queuing is aborted, reporting the refusal', async () => {
    // node-redis rejects with the queuing error rather than EXECABORT (it does the same against redis-server).
    await expect(client.multi().set('t', 'a').addCommand(['NOSUCHCOMMAND']).exec()).rejects.toThrow(
      "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ",
    );
    expect(await client.exists('t')).toBe(0);
  });

  test('errors surface as rejections carrying Redis text', async () => {
    await expect(client.sendCommand(['NOSUCH', 'a'])).rejects.toThrow("ERR unknown command 'NOSUCH', with args beginning with: 'a' ");
    await client.set('s', 'abc');
    await expect(client.incr('s')).rejects.toThrow('ERR value is not an integer or out of range');
  });

  test('the HELLO reply parses into its fields', async () => {
    const hello = await client.hello(RESP);
    expect(hello).toMatchObject({ server: 'redis', proto: RESP, mode: 'standalone', role: 'master', modules: [] });
    expect(typeof hello.version).toBe('string');
    expect(typeof hello.id).toBe('number');
  });

  test('the database option selects the database', async () => {
    const other = open({ database: 6 });
    other.on('error', () => {});
    await other.connect();
    try {
      await other.set('in-six', 'yes');
      expect(await client.exists('in-six')).toBe(0);
      expect(sluice.server.keyspace.db(6).get('in-six')).toBe('yes');
    } finally {
      other.destroy();
    }
  });

  test('the name option names the connection', async () => {
    const named = open({ name: `nr-${RESP}` });
    named.on('error', () => {});
    await named.connect();
    try {
      expect(await named.clientGetName()).toBe(`nr-${RESP}`);
      expect(clientNames()).toContain(`nr-${RESP}`);
    } finally {
      named.destroy();
    }
  });
});

describe('client defaults and authentication', () => {
  test('ioredis 6 negotiates RESP3 by default (HELLO 3)', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: sluice.port, retryStrategy: () => null });
    try {
      const id = Number(await redis.client('ID'));
      expect(sluice.server.clients.get(id)?.reply.proto).toBe(3);
    } finally {
      redis.disconnect();
    }
  });

  describe('against a server with requirepass', () => {
    let secured: RunningServer;
    beforeAll(async () => {
      secured = await startSluice({ config: { requirepass: 's3cret' } });
    });
    afterAll(async () => {
      await secured?.close();
    });

    test.each([2, 3] as const)('ioredis authenticates with the password option (protocol %i)', async (protocol) => {
      const redis = new Redis({ host: '127.0.0.1', port: secured.port, protocol, password: 's3cret', retryStrategy: () => null });
      try {
        expect(await redis.ping()).toBe('PONG');
      } finally {
        redis.disconnect();
      }
    });

    test('ioredis with a wrong password reports WRONGPASS', async () => {
      const redis = new Redis({
        host: '127.0.0.1', port: secured.port, password: 'nope', retryStrategy: () => null, maxRetriesPerRequest: 0, lazyConnect: true,
      });
      const failure = new Promise<Error>((resolve) => redis.once('error', resolve));
      redis.connect().catch(() => {});
      try {
        expect((await failure).message).toBe('WRONGPASS invalid username-password pair or user is disabled.');
      } finally {
        redis.disconnect();
      }
    });

    test.each([2, 3] as const)('node-redis authenticates with a password in the URL (RESP%i)', async (RESP) => {
      const client = createClient({ url: `redis://:s3cret@127.0.0.1:${secured.port}`, RESP, socket: { reconnectStrategy: false } });
      client.on('error', () => {});
      await client.connect();
      try {
        expect(await client.ping()).toBe('PONG');
      } finally {
        client.destroy();
      }
    });
  });
});
