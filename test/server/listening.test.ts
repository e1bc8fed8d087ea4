import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RespClient } from '../helpers/resp-client.js';
import { freePort, startSluice } from '../helpers/servers.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-listen-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('unixsocket and unixsocketperm', () => {
  test('clients connect over the Unix socket, made with the mode asked for; a stale file there is replaced', async () => {
    const sock = path.join(tmp, 'sluice.sock');
    writeFileSync(sock, 'left over by a crash');
    const sluice = await startSluice({ config: { unixsocket: sock, unixsocketperm: '700' } });
    try {
      expect(statSync(sock).isSocket()).toBe(true);
      expect(statSync(sock).mode & 0o777).toBe(0o700);
      const client = new Redis({ path: sock, lazyConnect: true, maxRetriesPerRequest: 0 });
      await client.connect();
      try {
        expect(await client.set('k', 'over unix')).toBe('OK');
        expect(await client.get('k')).toBe('over unix');
        expect(await client.config('GET', 'unixsocketperm')).toEqual(['unixsocketperm', '700']);
      } finally {
        client.disconnect();
      }
      // The TCP port serves the same data alongside.
      const tcp = await RespClient.connect(sluice.port);
      expect(await tcp.call('GET', 'k')).toEqual({ t: 'bulk', v: 'over unix' });
      tcp.close();
    } finally {
      await sluice.close();
    }
  });

  test('a raw socket speaks RESP over it too', async () => {
    const sock = path.join(tmp, 'raw.sock');
    const sluice = await startSluice({ config: { unixsocket: sock } });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = net.createConnection(sock, () => s.write('*1\r\n$4\r\nPING\r\n'));
        s.once('data', (d) => {
          resolve(d.toString());
          s.end();
        });
        s.once('error', reject);
      });
      expect(reply).toBe('+PONG\r\n');
    } finally {
      await sluice.close();
    }
  });
});

describe('timeout', () => {
  test('closes an idle client, but not an idle subscriber', async () => {
    const sluice = await startSluice({ config: { timeout: '1', hz: '100' } });
    try {
      const subscriber = await RespClient.connect(sluice.port);
      await subscriber.call('SUBSCRIBE', 'news');
      const idle = net.createConnection(sluice.port, '127.0.0.1');
      // Waits for the server to close the idle connection (the test's own time limit bounds the wait).
      await new Promise<void>((resolve) => idle.once('close', () => resolve()));
      expect(await subscriber.call('PING')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'pong' }, { t: 'bulk', v: '' }] });
      subscriber.close();
    } finally {
      await sluice.close();
    }
  });
});

/** ss(8) shows a socket's keepalive timer: the test reads the server side of a connection with it. */
const ss = spawnSync('sh', ['-c', 'command -v ss'], { encoding: 'utf8' }).stdout.trim();

describe.skipIf(ss === '')('tcp-keepalive', () => {
  async function serverSideTimer(keepalive: string): Promise<string> {
    const sluice = await startSluice({ config: { 'tcp-keepalive': keepalive } });
    try {
      const c = await RespClient.connect(sluice.port);
      await c.call('PING');
      const out = spawnSync(ss, ['-tnoH', 'state', 'established', `( sport = :${sluice.port} )`], { encoding: 'utf8' }).stdout;
      c.close();
      return out;
    } finally {
      await sluice.close();
    }
  }

  test('a new connection gets TCP keepalive with the configured idle time; 0 turns it off', async () => {
    expect(await serverSideTimer('120')).toMatch(/timer:\(keepalive,(1min\d+sec|2min),0\)/);
    expect(await serverSideTimer('0')).not.toContain('keepalive');
  });
});

describe.skipIf(ss === '')('tcp-backlog', () => {
  test('is the listen queue length of the TCP socket (the Send-Q ss shows for a listener)', async () => {
    const sluice = await startSluice({ config: { 'tcp-backlog': '37' } });
    try {
      const out = spawnSync(ss, ['-ltnH', `( sport = :${sluice.port} )`], { encoding: 'utf8' }).stdout;
      expect(out.trim().split(/\s+/).slice(0, 3)).toEqual(['LISTEN', '0', '37']);
    } finally {
      await sluice.close();
    }
  });
});

describe('CONFIG SET port and bind', () => {
  const refused = (port: number) => RespClient.connect(port).then((c) => (c.close(), false), () => true);

  test('bind the new port before answering; the old one stops accepting; connected clients stay; 0 stops listening on TCP', async () => {
    const sluice = await startSluice();
    try {
      const c = await RespClient.connect(sluice.port);
      const next = await freePort();
      expect(await c.call('CONFIG', 'SET', 'port', String(next))).toEqual({ t: 'simple', v: 'OK' });
      const moved = await RespClient.connect(next);
      expect(await moved.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      moved.close();
      expect(await refused(sluice.port)).toBe(true);
      expect(await c.call('CONFIG', 'GET', 'port')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'port' }, { t: 'bulk', v: String(next) }] });
      expect(await c.call('CONFIG', 'SET', 'port', '0')).toEqual({ t: 'simple', v: 'OK' });
      expect(await refused(next)).toBe(true);
      expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      c.close();
    } finally {
      await sluice.close();
    }
  });

  test('inside MULTI, where nothing may wait, the reply is OK at once and the new port is bound just after', async () => {
    const sluice = await startSluice();
    try {
      const c = await RespClient.connect(sluice.port);
      const next = await freePort();
      await c.call('MULTI');
      expect(await c.call('CONFIG', 'SET', 'port', String(next))).toEqual({ t: 'simple', v: 'QUEUED' });
      expect(await c.call('EXEC')).toEqual({ t: 'array', v: [{ t: 'simple', v: 'OK' }] });
      let moved: RespClient | null = null;
      for (let i = 0; i < 200 && moved === null; i++) {
        moved = await RespClient.connect(next).catch(() => null);
        if (moved === null) await new Promise((r) => setTimeout(r, 10));
      }
      expect(await moved!.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      moved!.close();
      c.close();
    } finally {
      await sluice.close();
    }
  });

  test("a port or address that cannot be bound is refused with Redis's error, and every parameter of the call keeps its value", async () => {
    const sluice = await startSluice();
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const taken = (busy.address() as net.AddressInfo).port;
      const c = await RespClient.connect(sluice.port);
      expect(await c.call('CONFIG', 'SET', 'hz', '50', 'port', String(taken))).toEqual({
        t: 'error', v: "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
      });
      expect(await c.call('CONFIG', 'GET', 'hz')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'hz' }, { t: 'bulk', v: '10' }] });
      // An address this host does not have (TEST-NET-1) cannot be bound; marked optional with -, it is skipped.
      expect(await c.call('CONFIG', 'SET', 'bind', '127.0.0.1 192.0.2.1')).toEqual({
        t: 'error', v: "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.",
      });
      const again = await RespClient.connect(sluice.port);
      expect(await again.call('CONFIG', 'GET', 'bind')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'bind' }, { t: 'bulk', v: '127.0.0.1' }] });
      expect(await again.call('CONFIG', 'SET', 'bind', '127.0.0.1 -192.0.2.1')).toEqual({ t: 'simple', v: 'OK' });
      again.close();
      const after = await RespClient.connect(sluice.port);
      expect(await after.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      after.close();
      c.close();
      // Redis 7.2.6 (port 6488 bound to *), the same three calls:
      //   # Warning: Could not create server TCP listening socket *:6421: bind: Address already in use
      //   # Failed applying new configuration. Possibly related to new port setting. Restoring previous settings.
      //   # Warning: Could not create server TCP listening socket 192.0.2.1:6488: bind: Cannot assign requested address
      //   # Failed applying new configuration. Possibly related to new bind setting. Restoring previous settings.
      //   # Warning: Could not create server TCP listening socket 192.0.2.1:6488: bind: Cannot assign requested address
      expect(sluice.logs.messages('warning')).toEqual([
        `Warning: Could not create server TCP listening socket 127.0.0.1:${taken}: bind: Address already in use`,
        'Failed applying new configuration. Possibly related to new port setting. Restoring previous settings.',
        `Warning: Could not create server TCP listening socket 192.0.2.1:${sluice.port}: bind: Cannot assign requested address`,
        'Failed applying new configuration. Possibly related to new bind setting. Restoring previous settings.',
        `Warning: Could not create server TCP listening socket 192.0.2.1:${sluice.port}: bind: Cannot assign requested address`,
      ]);
    } finally {
      await new Promise((r) => busy.close(r));
      await sluice.close();
    }
  });
});
