import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';

/**
 * Scripts that never end by way of Lua's proper tail calls or inside a
 * coroutine, on a Sluice in its own process (see busy-scripts.test.ts): an
 * endless chain of tail calls runs on (no "stack overflow") until SCRIPT
 * KILL stops it, and so does a coroutine that spins or yields forever.
 */
let sluice: ChildSluice;
beforeAll(async () => {
  ensureBuild();
  sluice = await startChild(['--save', '', '--appendonly', 'no', '--busy-reply-threshold', '100']);
}, 120_000);
afterAll(() => sluice.kill('SIGKILL'));

const OK: Resp = { t: 'simple', v: 'OK' };
const BUSY = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const KILLED = /^ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:\d+\.$/;

/** Runs `script`, checks that it is still running (BUSY) after 300 ms, kills it and returns its reply. */
async function killed(script: string): Promise<Resp> {
  const runner = await RespClient.connect(sluice.port);
  const other = await RespClient.connect(sluice.port);
  try {
    const running = runner.call('EVAL', script, '0');
    await new Promise((r) => setTimeout(r, 300));
    expect(await other.call('GET', 'k')).toEqual({ t: 'error', v: BUSY });
    expect(await other.call('SCRIPT', 'KILL')).toEqual(OK);
    const reply = await running;
    expect(await runner.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    return reply;
  } finally {
    runner.close();
    other.close();
  }
}

describe('busy scripts that never end', () => {
  test('endless tail recursion runs until SCRIPT KILL, not into "stack overflow"', async () => {
    const reply = await killed('local function f(n) return f(n + 1) end return f(1)');
    expect(reply.t).toBe('error');
    expect(reply.v).toMatch(KILLED);
  });

  test('endless mutual tail recursion through a method is killed the same way', async () => {
    const reply = await killed('local o = {} function o:a(n) return self:b(n + 1) end function o:b(n) return self:a(n) end return o:a(0)');
    expect(reply.v).toMatch(KILLED);
  });

  test('a coroutine yielding forever to a loop resuming it is killed', async () => {
    const reply = await killed('local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end');
    expect(reply.v).toMatch(KILLED);
  });

  test('a coroutine spinning inside is killed, and the kill is not swallowed by resume', async () => {
    // resume catches errors, the kill included; the script must still end with it rather than return.
    const reply = await killed('local co = coroutine.create(function() while true do end end) return coroutine.resume(co)');
    expect(reply.v).toMatch(KILLED);
  });

  test('endless tail recursion inside a coroutine is killed', async () => {
    const reply = await killed('return coroutine.wrap(function() local function g(n) return g(n + 1) end return g(1) end)()');
    expect(reply.v).toMatch(KILLED);
  });

  test('a generator that tail-calls itself between yields, resumed forever, is killed', async () => {
    const script =
      'local gen = coroutine.wrap(function() local function f(n) coroutine.yield(n) return f(n + 1) end return f(1) end) ' +
      'local last = 0 while true do last = gen() end';
    const reply = await killed(script);
    expect(reply.v).toMatch(KILLED);
  });
});

describe('FUNCTION LOAD of library code that never ends', () => {
  test('endless tail recursion ends in the load timeout, as in Redis, not in "stack overflow"', async () => {
    const client = await RespClient.connect(sluice.port);
    const lib = '#!lua name=tailspin\nlocal function f(n) return f(n + 1) end\nf(1)';
    expect(await client.call('FUNCTION', 'LOAD', lib)).toEqual({ t: 'error', v: 'ERR Error registering functions: ERR FUNCTION LOAD timeout' });
    expect(await client.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    client.close();
  });
});
