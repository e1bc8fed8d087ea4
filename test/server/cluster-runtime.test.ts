import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/index.js';
import { RespClient } from '../helpers/resp-client.js';
import { freePort } from '../helpers/servers.js';
import { LogCapture } from '../helpers/log-capture.js';

/** A cluster node as the server runs it: nodes.conf in dir, locked, saved before a change is acknowledged. */

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function node(dir: string, logs = new LogCapture()) {
  const running = await startServer({
    port: 0, bind: '127.0.0.1', logTo: logs, logLevel: 'notice',
    config: { dir, appendonly: 'no', 'cluster-enabled': 'yes', 'cluster-port': await freePort() },
  });
  closers.push(() => running.close());
  const client = await RespClient.connect(running.port);
  closers.push(async () => client.close());
  const call = async (...args: string[]) => ((await client.call(...args)) as { v: unknown }).v;
  return { running, call, logs };
}

function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-cluster-'));
  dirs.push(dir);
  return dir;
}

describe('a cluster node in the server', () => {
  it('creates nodes.conf at start, and has saved a change when it answers', async () => {
    const dir = scratch();
    const { call, logs } = await node(dir);
    const id = String(await call('CLUSTER', 'MYID'));
    expect(logs.messages('notice')).toContain(`No cluster configuration found, I'm ${id}`);
    expect(await call('CLUSTER', 'ADDSLOTSRANGE', '0', '9')).toBe('OK');
    const text = readFileSync(path.join(dir, 'nodes.conf'), 'latin1');
    expect(text).toContain(`${id} `);
    expect(text).toMatch(/myself,master - 0 0 0 connected 0-9\n/);
    expect(String(await call('CLUSTER', 'MYSHARDID'))).toMatch(/^[0-9a-f]{40}$/);
  });

  it('shows its own ports in CLUSTER NODES from the start: redis-cli --cluster create reads the bus port there at once', async () => {
    const { running, call } = await node(scratch());
    const cport = running.server.config.num('cluster-port');
    const mine = String(await call('CLUSTER', 'NODES')).split('\n').find((l) => l.includes('myself'))!;
    expect(mine.split(' ')[1]).toBe(`:${running.port}@${cport}`);
  });

  it('says it is a cluster node in INFO', async () => {
    const { call } = await node(scratch());
    expect(String(await call('INFO', 'cluster'))).toContain('cluster_enabled:1');
    expect(String(await call('INFO', 'clients'))).toContain('cluster_connections:0');
  });

  it('follows a cluster parameter set by CONFIG SET at once, and saves what it changed (Redis 7.2 shows the hostname in the next reply)', async () => {
    const dir = scratch();
    const { call } = await node(dir);
    const mine = async () => String(await call('CLUSTER', 'NODES')).split('\n').find((l) => l.includes('myself'))!;
    expect((await mine()).split(' ')[1]).not.toContain(',');
    expect(await call('CONFIG', 'SET', 'cluster-announce-hostname', 'first.example')).toBe('OK');
    expect((await mine()).split(' ')[1]).toMatch(/,first\.example$/);
    expect(await call('CONFIG', 'SET', 'cluster-announce-hostname', 'second.example')).toBe('OK');
    expect((await mine()).split(' ')[1]).toMatch(/,second\.example$/);
    expect(readFileSync(path.join(dir, 'nodes.conf'), 'latin1')).toContain(',second.example,');
  });

  it('keeps its name across a restart, and its lock until it closes', async () => {
    const dir = scratch();
    const first = await node(dir);
    const id = String(await first.call('CLUSTER', 'MYID'));
    expect(existsSync(path.join(dir, 'nodes.conf.lock'))).toBe(true);
    const logs = new LogCapture();
    await expect(node(dir, logs)).rejects.toThrow(/is already used by a different Redis Cluster node/);
    await first.running.close();
    expect(existsSync(path.join(dir, 'nodes.conf.lock'))).toBe(false);
    const again = await node(dir);
    expect(await again.call('CLUSTER', 'MYID')).toBe(id);
    expect(again.logs.messages('notice')).toContain(`Node configuration loaded, I'm ${id}`);
  });

  it('refuses to start on a damaged nodes.conf, in Redis words', async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'nodes.conf'), 'not a node line\n');
    const logs = new LogCapture();
    await expect(node(dir, logs)).rejects.toThrow('Unrecoverable error: corrupted cluster config file "not a node line".');
    expect(logs.messages('warning')).toContain('Unrecoverable error: corrupted cluster config file "not a node line".');
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'nodes.conf.lock'), '999999999\n');
    const { call } = await node(dir);
    expect(String(await call('CLUSTER', 'MYID'))).toMatch(/^[0-9a-f]{40}$/);
  });

  it('takes the unassigned slots of the keys it loads at start', async () => {
    const dir = scratch();
    const plain = await startServer({ port: 0, bind: '127.0.0.1', config: { dir, appendonly: 'no' } });
    const c = await RespClient.connect(plain.port);
    await c.call('SET', 'foo', 'bar');
    await c.call('SAVE');
    c.close();
    await plain.close();
    const { call, logs, running } = await node(dir);
    await running.server.persistence.ready;
    await until(async () => logs.messages('notice').includes('I have keys for unassigned slot 12182. Taking responsibility for it.'));
    expect(String(await call('CLUSTER', 'NODES'))).toMatch(/myself,master - 0 0 0 connected 12182\n/);
  });

  it('has database 0 only, as Redis: a file with keys in another database stops the load', async () => {
    const dir = scratch();
    const plain = await startServer({ port: 0, bind: '127.0.0.1', config: { dir, appendonly: 'no' } });
    const c = await RespClient.connect(plain.port);
    await c.call('SELECT', '3');
    await c.call('SET', 'foo', 'bar');
    await c.call('SAVE');
    c.close();
    await plain.close();
    const logs = new LogCapture();
    const start = startServer({
      port: 0, bind: '127.0.0.1', logTo: logs, logLevel: 'notice',
      config: { dir, appendonly: 'no', 'cluster-enabled': 'yes', 'cluster-port': await freePort() },
    });
    await expect(start).rejects.toThrow(/configured to handle more than 1 databases/);
    expect(logs.messages('warning')).toContain('WARNING: Changing databases number from 16 to 1 since we are in cluster mode');
  });
});

describe('CONFIG REWRITE on a cluster node', () => {
  it('writes no replicaof line, even while the node replicates, since nodes.conf says whom', async () => {
    const { rewriteConfig } = await import('../../src/server/config-rewrite.js');
    const { Config } = await import('../../src/server/config.js');
    const config = new Config();
    config.setMany([['cluster-enabled', 'yes'], ['replicaof', '127.0.0.1 6379']], { startup: true });
    expect(rewriteConfig('replicaof 127.0.0.1 1\n', config).text).not.toContain('replicaof');
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}