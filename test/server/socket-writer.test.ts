import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { readChunks } from '../../src/server/socket-reader.js';
import { SocketWriter } from '../../src/server/socket-writer.js';

/** A server whose accepted sockets are adopted as Sluice adopts them; `onSocket` gets each with its writer. */
async function adoptingServer(onSocket: (socket: net.Socket, writer: SocketWriter | null) => void) {
  const server = net.createServer((accepted) => {
    const socket = readChunks(accepted, () => {}, () => {});
    onSocket(socket, SocketWriter.for(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** Connects, waits `pauseMs` before reading anything, then collects `expected` bytes. */
function receive(port: number, expected: number, pauseMs = 0): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  if (pauseMs > 0) {
    socket.pause();
    setTimeout(() => socket.resume(), pauseMs);
  }
  const received: Buffer[] = [];
  let length = 0;
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (d) => {
      received.push(d);
      length += d.length;
      if (length >= expected) {
        socket.end();
        resolve(Buffer.concat(received));
      }
    });
  });
}

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Numbered pieces, so that any reordering or loss shows. */
function pieces(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size, String(i % 10)));
}

describe('writing to connections below the Writable stream', () => {
  test('an adopted socket gets a direct writer, and what it writes arrives in order', async () => {
    const out = pieces(20, 100);
    let writer: SocketWriter | null = null;
    const { server, port } = await adoptingServer((socket, w) => {
      writer = w;
      for (const b of out) expect(w!.write(b)).toBe(true);
    });
    servers.push(server);
    const got = await receive(port, 2000);
    expect(writer).not.toBeNull();
    expect(got.equals(Buffer.concat(out))).toBe(true);
  });

  test('a peer that does not read leaves writes pending in libuv, counted until they complete, and nothing is lost or reordered', async () => {
    const out = pieces(40, 256 * 1024);
    const pendingSeen: number[] = [];
    let writer: SocketWriter | null = null;
    const { server, port } = await adoptingServer((socket, w) => {
      writer = w;
      for (const b of out) w!.write(b);
      pendingSeen.push(w!.pending);
    });
    servers.push(server);
    const got = await receive(port, out.length * 256 * 1024, 200);
    expect(pendingSeen[0]).toBeGreaterThan(0);
    expect(got.equals(Buffer.concat(out))).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(writer!.pending).toBe(0);
  });

  test("while the stream holds output of its own, the writer declines, and the stream's order is kept", async () => {
    const first = pieces(8, 512 * 1024);
    const declined: boolean[] = [];
    const { server, port } = await adoptingServer((socket, w) => {
      for (const b of first) socket.write(b);
      declined.push(socket.writableLength > 0 && !w!.write(Buffer.from('tail')));
      if (socket.writableLength > 0) socket.write(Buffer.from('tail'));
    });
    servers.push(server);
    const total = first.length * 512 * 1024 + 4;
    const got = await receive(port, total, 200);
    expect(declined).toEqual([true]);
    expect(got.subarray(got.length - 4).toString()).toBe('tail');
    expect(got.length).toBe(total);
  });
});
