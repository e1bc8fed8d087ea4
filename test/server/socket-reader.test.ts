import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { acceptDirectly, readChunks, releaseReader } from '../../src/server/socket-reader.js';

/**
 * Echoes every chunk back through the socket readChunks returns, copying it
 * first (the chunk is only lent for the call); `prepare` may alter the
 * accepted socket before it is handed over.
 */
async function echoServer(prepare: (socket: net.Socket) => void = () => {}) {
  const adopted: net.Socket[] = [];
  const server = net.createServer((socket) => {
    prepare(socket);
    const reading = readChunks(socket, (chunk) => reading.write(Buffer.from(chunk)), () => {});
    adopted.push(reading);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, adopted, port: (server.address() as net.AddressInfo).port };
}

async function roundTrip(port: number, payloads: Buffer[]): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  const expected = payloads.reduce((n, p) => n + p.length, 0);
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (d) => {
      received.push(d);
      if (Buffer.concat(received).length >= expected) {
        socket.end();
        resolve(Buffer.concat(received));
      }
    });
    socket.on('connect', async () => {
      for (const p of payloads) {
        socket.write(p);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
}

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('reading accepted connections', () => {
  test('every byte arrives in order, across reads larger than the shared buffer, on a socket that can reply', async () => {
    const { server, port } = await echoServer();
    servers.push(server);
    const big = Buffer.alloc(200_000, 'x');
    const payloads = [Buffer.from('first'), big, Buffer.from('last')];
    expect((await roundTrip(port, payloads)).equals(Buffer.concat(payloads))).toBe(true);
  });

  test("the handle is read into Sluice's own buffer rather than a fresh one per read", async () => {
    const { server, port, adopted } = await echoServer();
    servers.push(server);
    await roundTrip(port, [Buffer.from('ping')]);
    const kinds = adopted.map((s) => Object.getOwnPropertySymbols(s).some((sym) => sym.description === 'kBufferCb'));
    expect(kinds).toEqual([true]);
  });

  test("a handle that cannot read into a given buffer falls back to 'data' events", async () => {
    const { server, port, adopted } = await echoServer((socket) => {
      (socket as unknown as { _handle: { useUserBuffer?: unknown } })._handle.useUserBuffer = undefined;
    });
    servers.push(server);
    const payloads = [Buffer.from('a'), Buffer.from('bc')];
    expect((await roundTrip(port, payloads)).toString()).toBe('abc');
    expect(adopted[0].listenerCount('data')).toBe(1);
  });

  test('the listener still closes once the adopted connections end', async () => {
    const { server, port, adopted } = await echoServer();
    await roundTrip(port, [Buffer.from('x')]);
    for (const s of adopted) s.destroy();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  });

  test("chunks reach the callback through Sluice's own onread, while the end of the stream still goes through Node's and closes the socket", async () => {
    const { server, port, adopted } = await echoServer();
    servers.push(server);
    expect((await roundTrip(port, [Buffer.from('hello')])).toString()).toBe('hello');
    const handle = (adopted[0] as unknown as { _handle: { onread: { name: string } } })._handle;
    expect(handle.onread.name).toBe('sluiceOnRead');
    if (!adopted[0].readableEnded) await new Promise<void>((resolve) => adopted[0].once('end', resolve));
    expect(adopted[0].readableEnded).toBe(true);
  });
});

async function listening(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as net.AddressInfo).port;
}

describe('accepting connections directly', () => {
  test("each connection arrives as one socket that reads into Sluice's buffer, and Node emits no 'connection' for it", async () => {
    const server = net.createServer();
    let connectionEvents = 0;
    server.on('connection', () => connectionEvents++);
    const port = await listening(server);
    const accepted: net.Socket[] = [];
    acceptDirectly(server, true, (socket) => {
      accepted.push(socket);
      const reading = readChunks(socket, (chunk) => reading.write(Buffer.from(chunk)), () => {});
      expect(reading).toBe(socket);
    });
    expect((await roundTrip(port, [Buffer.from('one')])).toString()).toBe('one');
    expect((await roundTrip(port, [Buffer.from('two')])).toString()).toBe('two');
    expect(accepted).toHaveLength(2);
    expect(connectionEvents).toBe(0);
    const reads = accepted.map((s) => Object.getOwnPropertySymbols(s).some((sym) => sym.description === 'kBufferCb'));
    expect(reads).toEqual([true, true]);
  });

  test("a server that is not listening yet is left to Node: its connections come as 'connection' events", async () => {
    const server = net.createServer();
    let direct = 0;
    acceptDirectly(server, true, () => direct++);
    server.on('connection', (socket) => {
      const reading = readChunks(socket, (chunk) => reading.write(Buffer.from(chunk)), () => {});
    });
    const port = await listening(server);
    expect((await roundTrip(port, [Buffer.from('x')])).toString()).toBe('x');
    expect(direct).toBe(0);
  });
});

describe('the end of a connection', () => {
  test("is told to onEnd before a later read of another connection, and before 'close'", async () => {
    const server = net.createServer();
    const port = await listening(server);
    const events: string[] = [];
    const sockets: net.Socket[] = [];
    const leaving = net.connect(port, '127.0.0.1');
    const staying = net.connect(port, '127.0.0.1');
    acceptDirectly(server, true, (socket) => {
      const name = socket.remotePort === leaving.localPort ? 'leaving' : 'staying';
      const reading = readChunks(socket, (chunk) => events.push(`${name} read ${chunk.toString()}`), () => events.push(`${name} end`));
      reading.on('close', () => events.push(`${name} close`));
      sockets.push(reading);
    });
    await Promise.all([leaving, staying].map((c) => new Promise((r) => c.once('connect', r))));
    while (sockets.length < 2) await new Promise((r) => setTimeout(r, 5));
    // The end goes out before the other connection's bytes, as a waiter closing before a producer's push.
    leaving.destroy();
    staying.write('push');
    const done = () => events.includes('leaving close') && events.includes('staying read push');
    while (!done()) await new Promise((r) => setTimeout(r, 5));
    expect(events, JSON.stringify(events)).toContain('leaving end');
    expect(events.indexOf('leaving end'), JSON.stringify(events)).toBeLessThan(events.indexOf('staying read push'));
    expect(events.indexOf('leaving end')).toBeLessThan(events.indexOf('leaving close'));
    staying.destroy();
    for (const s of sockets) s.destroy();
  });
});

describe('releasing a closed connection', () => {
  test('the socket keeps only a listener that swallows errors, and no reader: a chunk that still came would reach nobody', async () => {
    const server = net.createServer();
    const port = await listening(server);
    const got: string[] = [];
    const released = new Promise<net.Socket>((resolve) => {
      acceptDirectly(server, true, (socket) => {
        const reading = readChunks(socket, (chunk) => got.push(chunk.toString()), () => {});
        reading.on('close', () => {});
        reading.once('data', () => {});
        setTimeout(() => {
          releaseReader(reading);
          resolve(reading);
        }, 20);
      });
    });
    const client = net.connect(port, '127.0.0.1');
    client.write('before');
    const socket = await released;
    expect(got).toEqual(['before']);
    expect(socket.eventNames()).toEqual(['error']);
    client.write('after');
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual(['before']);
    client.destroy();
    socket.destroy();
  });
});
