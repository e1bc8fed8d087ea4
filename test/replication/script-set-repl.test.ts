import { describe, expect, it } from 'vitest';
import { redisServerPath } from '../helpers/servers.js';
import { call, replicaOf, useServers, waitCaughtUp, waitLinkUp, type Node } from './mixed-harness.js';

/**
 * redis.set_repl sends a script's following writes to the AOF and the
 * replicas (REPL_ALL), to one of them (REPL_AOF, REPL_SLAVE) or to neither
 * (REPL_NONE), as Redis's scriptCall narrows the command's propagation
 * targets. Redis's unit/scripting "Test selective replication of certain
 * Redis commands from Lua": a master and its replica, then the master's
 * own AOF loaded back.
 */

const servers = useServers();

const SCRIPT = `
redis.call('set', KEYS[1], '1')
redis.set_repl(redis.REPL_NONE)
redis.call('set', KEYS[2], '2')
redis.set_repl(redis.REPL_AOF)
redis.call('set', KEYS[3], '3')
redis.set_repl(redis.REPL_SLAVE)
redis.call('set', KEYS[4], '4')
redis.set_repl(redis.REPL_ALL)
redis.call('set', KEYS[5], '5')
`;
const KEYS = ['a', 'b', 'c', 'd', 'e'];

function values(r: unknown): (string | null)[] {
  return (r as { v: { v: string | null }[] }).v.map((x) => x.v);
}

async function check(master: Node, replica: Node): Promise<void> {
  await replicaOf(replica, master);
  await waitLinkUp(replica);
  await call(master.port, 'EVAL', SCRIPT, String(KEYS.length), ...KEYS);
  await waitCaughtUp(master, replica);
  expect(values(await call(master.port, 'MGET', ...KEYS))).toEqual(['1', '2', '3', '4', '5']);
  expect(values(await call(replica.port, 'MGET', ...KEYS))).toEqual(['1', null, null, '4', '5']);
  expect(await call(master.port, 'DEBUG', 'LOADAOF')).toEqual({ t: 'simple', v: 'OK' });
  expect(values(await call(master.port, 'MGET', ...KEYS))).toEqual(['1', null, '3', null, '5']);
}

describe('a script\'s redis.set_repl', () => {
  it('on a Sluice master: REPL_AOF writes reach only its AOF, REPL_SLAVE ones only its replica, REPL_NONE ones neither', async () => {
    const master = await servers.sluice('set-repl-master', ['--appendonly', 'yes', '--enable-debug-command', 'yes']);
    await check(master, await servers.sluice('set-repl-replica'));
  });

  it.skipIf(redisServerPath === null)('on a redis-server master, the same', async () => {
    const master = await servers.redis('set-repl-redis-master', ['--appendonly', 'yes', '--enable-debug-command', 'yes']);
    await check(master, await servers.sluice('set-repl-sluice-replica'));
  });
});
