import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RespClient } from '../helpers/resp-client.js';
import { startSluice } from '../helpers/servers.js';

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
