import { describe, expect, test } from 'vitest';
import { c, differential, fails, help } from '../helpers/differential.js';
import { RespClient } from '../helpers/resp-client.js';
import { redisServerPath, startRedis, startSluice } from '../helpers/servers.js';

differential('MODULE with the default configuration', {
  'HELP lists the subcommands, LIST answers the (empty) list of loaded modules': [help('MODULE', 'HELP'), c('MODULE', 'LIST'), c('module', 'list')],
  'LOAD, LOADEX and UNLOAD are refused unless enable-module-command allows them, after the arity check': [
    fails('MODULE', 'LOAD', '/nonexistent/module.so'),
    fails('MODULE', 'LOAD', '/nonexistent/module.so', 'arg1', 'arg2'),
    fails('MODULE', 'LOADEX', '/nonexistent/module.so', 'CONFIG', 'name', 'value', 'ARGS', 'a'),
    fails('MODULE', 'UNLOAD', 'search'),
    fails('MODULE', 'LOAD'),
    fails('MODULE', 'UNLOAD'),
    fails('MODULE', 'UNLOAD', 'a', 'b'),
  ],
  'wrong arity and unknown subcommands': [fails('MODULE'), fails('MODULE', 'LIST', 'extra'), fails('MODULE', 'HELP', 'extra'), fails('MODULE', 'NOPE')],
  'a refused MODULE LOAD dooms the transaction': [c('MULTI'), fails('MODULE', 'LOAD', '/x.so'), c('SET', 'k', 'v'), fails('EXEC'), c('EXISTS', 'k')],
});

describe('MODULE where enable-module-command allows it', () => {
  const LOAD_FAILED = 'ERR Error loading the extension. Please check the server logs.';
  const NO_SUCH_MODULE = 'ERR Error unloading module: no such module with that name';

  test('a load fails as a library that cannot be loaded fails in Redis, with the reason in the log; nothing is listed', async () => {
    const server = await startSluice({ config: { 'enable-module-command': 'yes' } });
    const conn = await RespClient.connect(server.port);
    try {
      expect(await conn.call('MODULE', 'LOAD', '/opt/redis/redisearch.so')).toEqual({ t: 'error', v: LOAD_FAILED });
      expect(await conn.call('MODULE', 'LOADEX', '/opt/redis/redisearch.so', 'CONFIG', 'a', 'b')).toEqual({ t: 'error', v: LOAD_FAILED });
      expect(await conn.call('MODULE', 'UNLOAD', 'search')).toEqual({ t: 'error', v: NO_SUCH_MODULE });
      expect(await conn.call('MODULE', 'LIST')).toEqual({ t: 'array', v: [] });
      const warnings = server.logs.messages('warning');
      expect(warnings.some((m) => m.includes('/opt/redis/redisearch.so') && m.includes('failed to load'))).toBe(true);
      expect(warnings.some((m) => m.includes('Error unloading module search'))).toBe(true);
      // A path is logged up to Redis's log line limit, however long the client made it.
      expect(await conn.call('MODULE', 'LOAD', '/x'.repeat(100_000))).toEqual({ t: 'error', v: LOAD_FAILED });
      expect(Math.max(...server.logs.messages('warning').map((m) => m.length))).toBeLessThan(1200);
    } finally {
      conn.close();
      await server.close();
    }
  });

  test.skipIf(redisServerPath === null)('Redis answers a library that is not there with the same errors', async () => {
    const redis = await startRedis(['--enable-module-command', 'yes']);
    const conn = await RespClient.connect(redis.port);
    try {
      expect(await conn.call('MODULE', 'LOAD', '/nonexistent/module.so')).toEqual({ t: 'error', v: LOAD_FAILED });
      expect(await conn.call('MODULE', 'UNLOAD', 'search')).toEqual({ t: 'error', v: NO_SUCH_MODULE });
    } finally {
      conn.close();
      await redis.stop();
    }
  });

  test("'local' admits a loopback client", async () => {
    const server = await startSluice({ config: { 'enable-module-command': 'local' } });
    const conn = await RespClient.connect(server.port);
    try {
      expect(await conn.call('MODULE', 'UNLOAD', 'search')).toEqual({ t: 'error', v: NO_SUCH_MODULE });
    } finally {
      conn.close();
      await server.close();
    }
  });
});
