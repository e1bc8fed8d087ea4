import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scratch } from '../helpers/aof.js';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';

/**
 * Scripts that run past busy-reply-threshold, on a Sluice in its own
 * process (a busy script holds its whole event loop, so a server inside
 * the test's process would hold the test too): the others are told BUSY,
 * SCRIPT KILL stops a script that has not written, and the server goes on.
 */
let sluice: ChildSluice;
beforeAll(async () => {
  ensureBuild();
  sluice = await startChild(['--save', '', '--appendonly', 'no', '--busy-reply-threshold', '100', '--enable-debug-command', 'yes']);
}, 120_000);
afterAll(() => sluice.kill('SIGKILL'));

const OK: Resp = { t: 'simple', v: 'OK' };
const errorLike = (re: RegExp) => ({ t: 'error', v: expect.stringMatching(re) as unknown as string });
const BUSY = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';

async function pair(): Promise<[RespClient, RespClient]> {
  return [await RespClient.connect(sluice.port), await RespClient.connect(sluice.port)];
}

describe('busy scripts', () => {
  test('past the threshold others get BUSY, SCRIPT KILL stops the script, and the server goes on', async () => {
    const [runner, other] = await pair();
    const running = runner.call('EVAL', 'local i = 0 while true do i = i + 1 end', '0');
    await new Promise((r) => setTimeout(r, 300));
    expect(await other.call('GET', 'k')).toEqual({ t: 'error', v: BUSY });
    expect(await other.call('SCRIPT', 'KILL')).toEqual(OK);
    expect(await running).toEqual(errorLike(/^ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$/));
    expect(await other.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    expect(await runner.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    expect(sluice.output()).toMatch(/Slow script detected: still in execution after \d+ milliseconds\. You can try killing the script using the SCRIPT KILL command\./);
    runner.close();
    other.close();
  });

  test('pcall cannot keep a killed script alive', async () => {
    const [runner, other] = await pair();
    const running = runner.call('EVAL', 'while true do pcall(function() while true do end end) end', '0');
    await new Promise((r) => setTimeout(r, 300));
    expect(await other.call('SCRIPT', 'KILL')).toEqual(OK);
    expect(await running).toEqual(errorLike(/^ERR Script killed by user with SCRIPT KILL\.\.\./));
    runner.close();
    other.close();
  });

  test('a script that has written cannot be killed, and ends on its own', async () => {
    const [runner, other] = await pair();
    // TIME stands still inside a script (Redis 7.2), so the script spins a fixed count: about 2.5 s on the 2-core test machine.
    const script = "redis.call('set', 'w', '1') local x = 0 for i = 1, 400000000 do x = x + i % 7 end return 'done'";
    const running = runner.call('EVAL', script, '0');
    await new Promise((r) => setTimeout(r, 300));
    expect(await other.call('SCRIPT', 'KILL')).toEqual(errorLike(/^UNKILLABLE Sorry the script already executed write commands against the dataset\./));
    expect(await running).toEqual({ t: 'bulk', v: 'done' });
    expect(await other.call('GET', 'w')).toEqual({ t: 'bulk', v: '1' });
    runner.close();
    other.close();
  });

  test('a command served while a script is busy serves no client blocked on what the script wrote: they get what it left (Redis 7.2)', async () => {
    const [runner, other] = await pair();
    const [popper, named] = await pair();
    try {
      // CLIENT LIST in a script, as Redis's own test does it, to end the script when a client takes a name.
      expect(await other.call('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '1')).toEqual(OK);
      const popped = popper.call('BLPOP', 'x', '0');
      for (let i = 0; i < 100; i++) {
        const clients = (await other.call('INFO', 'clients')) as { v: string };
        if (clients.v.includes('blocked_clients:1\r\n')) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const script = "redis.call('lpush', KEYS[1], 'y') while not string.find(redis.call('client', 'list'), 'abortscript') do end redis.call('lpush', KEYS[1], 'z') return 'done'";
      const running = runner.call('EVAL', script, '1', 'x');
      await new Promise((r) => setTimeout(r, 300));
      expect(await other.call('PING')).toEqual({ t: 'error', v: BUSY });
      // HELLO is served while the script is busy; the pop must not be served with the list the script has left so far.
      expect((await named.call('HELLO', '2', 'SETNAME', 'abortscript')).t).toBe('array');
      expect(await running).toEqual({ t: 'bulk', v: 'done' });
      expect(await popped).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'x' }, { t: 'bulk', v: 'z' }] });
      expect(await other.call('LRANGE', 'x', '0', '-1')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'y' }] });
    } finally {
      await other.call('DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '0');
      for (const c of [runner, other, popper, named]) c.close();
    }
  });

  test('commands pipelined behind the busy script wait for it; MULTI keeps working for others', async () => {
    const [runner, other] = await pair();
    const running = runner.call('EVAL', 'while true do end', '0');
    const after = runner.call('PING');
    await new Promise((r) => setTimeout(r, 300));
    expect(await other.call('MULTI')).toEqual(OK);
    expect(await other.call('DISCARD')).toEqual(OK);
    expect(await other.call('SCRIPT', 'KILL')).toEqual(OK);
    expect((await running).t).toBe('error');
    expect(await after).toEqual({ t: 'simple', v: 'PONG' });
    runner.close();
    other.close();
  });
});

describe('busy functions', () => {
  test('FUNCTION STATS names the running function, FUNCTION KILL stops it, SCRIPT KILL is refused', async () => {
    const [runner, other] = await pair();
    const lib = "#!lua name=busylib\nredis.register_function('spin', function() while true do end end)";
    expect(await other.call('FUNCTION', 'LOAD', 'REPLACE', lib)).toEqual({ t: 'bulk', v: 'busylib' });
    const running = runner.call('FCALL', 'spin', '0');
    await new Promise((r) => setTimeout(r, 300));
    const stats = await other.call('FUNCTION', 'STATS');
    const running_script = (stats.v as Resp[])[1].v as Resp[];
    expect(running_script.slice(0, 2)).toEqual([{ t: 'bulk', v: 'name' }, { t: 'bulk', v: 'spin' }]);
    expect(await other.call('SCRIPT', 'KILL')).toEqual({ t: 'error', v: 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.' });
    expect(await other.call('FUNCTION', 'KILL')).toEqual(OK);
    expect(await running).toEqual(errorLike(/^ERR Script killed by user with SCRIPT KILL\.\.\. script: spin, on @user_function:2\.$/));
    runner.close();
    other.close();
  });
});

describe('SHUTDOWN under a busy script', () => {
  const sc = scratch('sluice-busy-shutdown-');
  afterAll(() => sc.remove());

  test('needs NOSAVE; with it the server exits mid-script, and the AOF holds nothing of the script', async () => {
    const args = ['--dir', sc.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--busy-reply-threshold', '100'];
    const server = await startChild(args);
    const runner = await RespClient.connect(server.port);
    const other = await RespClient.connect(server.port);
    expect(await other.call('SET', 'before', '1')).toEqual(OK);
    // Its connection closes under it: the call rejects, which is all the script's caller sees.
    const running = runner.call('EVAL', "redis.call('set', 'half', '1') while true do end", '0').catch(() => null);
    await new Promise((r) => setTimeout(r, 300));
    expect(await other.call('SHUTDOWN')).toEqual({ t: 'error', v: BUSY });
    other.writeRaw('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
    expect((await server.exited).code).toBe(0);
    expect(await running).toBeNull();
    runner.close();
    other.close();
    const again = await startChild(args);
    const check = await RespClient.connect(again.port);
    expect(await check.call('MGET', 'before', 'half')).toEqual({ t: 'array', v: [{ t: 'bulk', v: '1' }, { t: 'bulk', v: null }] });
    check.close();
    await again.kill('SIGKILL');
  });
});
