import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { resp } from '../helpers/aof.js';
import { startChild } from '../helpers/child-sluice.js';
import { spawnRedis } from '../helpers/redis-on-dir.js';
import { redisServerPath } from '../helpers/servers.js';
import { call, info, replicaOf, useServers, waitCaughtUp, waitFor, waitLogged, waitLinkUp, type Node } from './mixed-harness.js';

/**
 * A command that fails where no failure is expected (replaying the AOF,
 * applying the master's stream) is logged as Redis logs it and counted in
 * INFO unexpected_error_replies; propagation-error-behavior decides whether
 * the server panics for it. Sluice and redis-server meet the same files and
 * the same stream, and their lines must be the same.
 */

const servers = useServers();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const deferred: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of deferred.splice(0)) await f();
});

/** The message of each of a log's lines that contains `text` (the pid, role and time cut off). */
function lines(log: string, text: string): string[] {
  return log.split('\n').filter((l) => l.includes(text)).map((l) => l.replace(/^.*?[#*.-] (?===|Guru|Latest)/, ''));
}

/** A data directory holding an old single-file AOF of `commands`, which both servers load (and make their first base). */
function aofOf(...commands: string[][]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-propagation-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'appendonly.aof'), resp(...commands));
  return dir;
}

const FAILING_AOF = [['SET', 's', 'abc'], ['INCR', 's'], ['LPUSH', 's', 'x'], ['SET', 't', '1']];
const AOF_ARGS = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no'];

describe.skipIf(redisServerPath === null)('errors where none should happen (differential vs redis-server)', () => {
  test('the AOF: each failing command is logged as critical and counted, and loading goes on', async () => {
    const sluice = await servers.sluice('sluice', ['--dir', aofOf(...FAILING_AOF), ...AOF_ARGS]);
    const redis = await servers.redis('redis', ['--dir', aofOf(...FAILING_AOF), ...AOF_ARGS]);
    const critical = (n: Node) => lines(n.log(), '== CRITICAL ==');
    expect(critical(sluice)).toEqual([
      "== CRITICAL == This server is sending an error to its AOF-loading-client: 'value is not an integer or out of range' after processing the command 'incr'",
      "== CRITICAL == This server is sending an error to its AOF-loading-client: '-WRONGTYPE Operation against a key holding the wrong kind of value' after processing the command 'lpush'",
    ]);
    expect(critical(sluice)).toEqual(critical(redis));
    for (const n of [sluice, redis]) {
      const stats = await info(n.port, 'stats');
      expect([stats.unexpected_error_replies, stats.total_error_replies], n.name).toEqual(['2', '2']);
      expect(await info(n.port, 'errorstats'), n.name).toEqual({ errorstat_ERR: 'count=1', errorstat_WRONGTYPE: 'count=1' });
      expect(await call(n.port, 'GET', 't')).toEqual({ t: 'bulk', v: '1' });
      await call(n.port, 'CONFIG', 'RESETSTAT');
      expect((await info(n.port, 'stats')).unexpected_error_replies).toBe('0');
    }
  });

  test('the AOF under propagation-error-behavior panic: the server stops at the first failing command, with the bug report', async () => {
    const args = [...AOF_ARGS, '--propagation-error-behavior', 'panic'];
    const sluiceStart = await startChild(['--dir', aofOf(...FAILING_AOF), ...args]).then(
      (c) => {
        deferred.push(() => c.kill('SIGKILL'));
        return 'ready';
      },
      (e: Error) => e.message,
    );
    const redisStart = await spawnRedis(['--dir', aofOf(...FAILING_AOF), ...args], (f) => deferred.push(f));
    expect('exited' in redisStart).toBe(true);
    const redisLog = 'exited' in redisStart ? redisStart.exited : '';
    const guru = (log: string) => lines(log, 'Guru Meditation').map((l) => l.replace(/ #\S+$/, ''));
    expect(guru(sluiceStart)).toEqual(["Guru Meditation: This server panicked sending an error to its AOF-loading-client after processing the command 'incr'"]);
    expect(guru(sluiceStart)).toEqual(guru(redisLog));
    for (const log of [sluiceStart, redisLog]) {
      expect(log).toContain('=== REDIS BUG REPORT START: Cut & paste starting from here ===');
      expect(lines(log, '== CRITICAL ==')).toHaveLength(1);
    }
  });

  describe('the master\'s stream', () => {
    /** A Redis master with a Sluice and a Redis replica of it, `s` a string on all three. */
    async function chain(replicaArgs: string[]): Promise<{ master: Node; replicas: Node[] }> {
      const master = await servers.redis('master', ['--enable-debug-command', 'yes']);
      const replicas = [await servers.sluice('sluice replica', replicaArgs), await servers.redis('redis replica', replicaArgs)];
      for (const r of replicas) {
        await replicaOf(r, master);
        await waitLinkUp(r);
      }
      await call(master.port, 'SET', 's', 'abc');
      for (const r of replicas) await waitCaughtUp(master, r);
      return { master, replicas };
    }

    test('a command that fails on a replica is logged as critical and counted, and replication goes on', async () => {
      const { master, replicas } = await chain([]);
      await call(master.port, 'DEBUG', 'REPLICATE', 'INCR', 's');
      await call(master.port, 'SET', 'after', 'x');
      for (const r of replicas) {
        await waitCaughtUp(master, r);
        await waitLogged(r, '== CRITICAL ==');
        // The backlog's line is written after the critical one and may come in a later read of the child's output.
        await waitLogged(r, 'Latest backlog is:');
        expect(lines(r.log(), '== CRITICAL =='), r.name).toEqual([
          "== CRITICAL == This replica is sending an error to its master: 'value is not an integer or out of range' after processing the command 'incr'",
        ]);
        expect(lines(r.log(), 'Latest backlog is:'), r.name).toHaveLength(1);
        expect((await info(r.port, 'stats')).unexpected_error_replies, r.name).toBe('1');
        expect(await call(r.port, 'GET', 'after'), r.name).toEqual({ t: 'bulk', v: 'x' });
      }
      for (const n of [master, ...replicas]) await n.kill();
    });

    test('panic-on-replicas stops a read-only replica at the failing command; a writable one goes on', async () => {
      const { master, replicas } = await chain(['--propagation-error-behavior', 'panic-on-replicas']);
      const writable = await servers.sluice('writable sluice replica', ['--propagation-error-behavior', 'panic', '--replica-read-only', 'no']);
      await replicaOf(writable, master);
      await waitLinkUp(writable);
      await waitCaughtUp(master, writable);
      await call(master.port, 'DEBUG', 'REPLICATE', 'INCR', 's');
      for (const r of replicas) {
        await waitLogged(r, 'Guru Meditation');
        expect(lines(r.log(), 'Guru Meditation').map((l) => l.replace(/ #\S+$/, '')), r.name).toEqual([
          "Guru Meditation: This replica panicked sending an error to its master after processing the command 'incr'",
        ]);
        await waitFor(`${r.name} exits`, async () => (await call(r.port, 'PING').catch(() => null)) === null, 10_000);
      }
      await call(master.port, 'SET', 'after', 'x');
      await waitCaughtUp(master, writable);
      expect(lines(writable.log(), '== CRITICAL ==')).toHaveLength(1);
      expect(writable.log()).not.toContain('Guru Meditation');
      expect(await call(writable.port, 'GET', 'after')).toEqual({ t: 'bulk', v: 'x' });
    });
  });
});
