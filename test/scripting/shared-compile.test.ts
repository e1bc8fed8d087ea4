import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SHARED_CHUNKS } from '../../src/scripting/lua/chunk-cache.js';
import { RespClient } from '../helpers/resp-client.js';
import { startSluice, type TestSluice } from '../helpers/servers.js';

/**
 * Embedded servers in one process compile each script once between them
 * (chunk-cache.ts), yet each keeps its own script cache and Lua state.
 */
describe('servers in one process share compiled scripts', () => {
  let a: TestSluice;
  let b: TestSluice;
  let ca: RespClient;
  let cb: RespClient;

  beforeAll(async () => {
    a = await startSluice();
    b = await startSluice();
    ca = await RespClient.connect(a.port);
    cb = await RespClient.connect(b.port);
  });

  afterAll(async () => {
    ca.close();
    cb.close();
    await a.close();
    await b.close();
  });

  const script = `-- shared-compile test ${process.pid}\nlocal n = redis.call('INCR', KEYS[1])\nif n > 1 then error('again') end\nreturn n`;

  test('the second server runs the first one\'s compiled chunk, over its own keys and cache', async () => {
    const before = SHARED_CHUNKS.size;
    expect(await ca.call('EVAL', script, '1', 'k')).toEqual({ t: 'int', v: '1' });
    expect(SHARED_CHUNKS.size).toBe(before + 1);
    expect(await cb.call('EVAL', script, '1', 'k')).toEqual({ t: 'int', v: '1' });
    expect(SHARED_CHUNKS.size).toBe(before + 1);
    const again = await cb.call('EVAL', script, '1', 'k');
    expect(again.t).toBe('error');
    expect(again.t === 'error' && again.v).toMatch(/^ERR user_script:3: again script: [0-9a-f]{40}, on @user_script:3\.$/);
  });

  test('SCRIPT FLUSH on one server empties its own cache only', async () => {
    const loaded = await ca.call('SCRIPT', 'LOAD', 'return 7');
    expect(loaded.t).toBe('bulk');
    const sha = loaded.t === 'bulk' ? (loaded.v as string) : '';
    expect(await cb.call('EVALSHA', sha, '0')).toEqual({ t: 'error', v: 'NOSCRIPT No matching script. Please use EVAL.' });
    expect(await cb.call('SCRIPT', 'LOAD', 'return 7')).toEqual(loaded);
    expect(await ca.call('SCRIPT', 'FLUSH')).toEqual({ t: 'simple', v: 'OK' });
    expect(await ca.call('EVALSHA', sha, '0')).toEqual({ t: 'error', v: 'NOSCRIPT No matching script. Please use EVAL.' });
    expect(await cb.call('EVALSHA', sha, '0')).toEqual({ t: 'int', v: '7' });
  });
});
