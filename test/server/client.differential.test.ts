import { describe, expect, test } from 'vitest';
import { c, differential, fails, sameType } from '../helpers/differential.js';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { encodeCommand, RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';

// CLIENT SETINFO, NO-TOUCH (7.2) and KILL MAXAGE (7.4) are newer than the
// redis-server these rows run against (7.0): test/client.test.ts covers them.
differential('CLIENT commands', {
  'SETNAME and GETNAME': [
    c('CLIENT', 'GETNAME'), c('CLIENT', 'SETNAME', 'worker-1'), c('CLIENT', 'GETNAME'),
    fails('CLIENT', 'SETNAME', 'a b'), fails('CLIENT', 'SETNAME', 'a\nb'), fails('CLIENT', 'SETNAME', 'caf\xe9'),
    c('CLIENT', 'GETNAME'), c('CLIENT', 'SETNAME', ''), c('CLIENT', 'GETNAME'),
    fails('CLIENT', 'GETNAME', 'x'), fails('CLIENT', 'SETNAME'), fails('CLIENT', 'SETNAME', 'a', 'b'),
  ],
  'container and arity errors': [
    fails('CLIENT'), fails('CLIENT', 'FOO'), fails('client', 'nosuch', 'x'), fails('CLIENT', 'ID', 'x'),
    fails('CLIENT', 'INFO', 'x'), fails('CLIENT', 'KILL'), fails('CLIENT', 'PAUSE'), fails('CLIENT', 'UNPAUSE', 'x'),
    fails('CLIENT', 'REPLY'), fails('CLIENT', 'NO-EVICT'), fails('CLIENT', 'HELP', 'x'),
    sameType('CLIENT', 'ID'), sameType('CLIENT', 'INFO'), sameType('CLIENT', 'LIST'),
  ],
  'LIST filters': [
    fails('CLIENT', 'LIST', 'TYPE', 'foo'), fails('CLIENT', 'LIST', 'ID', 'x'), fails('CLIENT', 'LIST', 'ID', '1', 'x'),
    fails('CLIENT', 'LIST', 'ID'), fails('CLIENT', 'LIST', 'foo'), fails('CLIENT', 'LIST', 'TYPE', 'normal', 'x'),
    c('CLIENT', 'LIST', 'ID', '999999', '999999'), c('CLIENT', 'LIST', 'TYPE', 'pubsub'), c('CLIENT', 'LIST', 'TYPE', 'master'),
    c('CLIENT', 'LIST', 'TYPE', 'replica'), c('CLIENT', 'LIST', 'TYPE', 'SLAVE'), sameType('CLIENT', 'LIST', 'TYPE', 'normal'),
  ],
  'KILL errors and filters that match nobody': [
    fails('CLIENT', 'KILL', '1.2.3.4:5'), fails('CLIENT', 'KILL', 'ADDR'), fails('CLIENT', 'KILL', 'ADDR', 'x', 'y'),
    fails('CLIENT', 'KILL', 'ID', '0'), fails('CLIENT', 'KILL', 'ID', '-3'), fails('CLIENT', 'KILL', 'ID', 'abc'),
    fails('CLIENT', 'KILL', 'ADDR', 'x', 'SKIPME', 'maybe'), fails('CLIENT', 'KILL', 'USER', 'bob'),
    fails('CLIENT', 'KILL', 'TYPE', 'foo'), fails('CLIENT', 'KILL', 'ID', '1', 'ID'), fails('CLIENT', 'KILL', 'BOGUS', 'x'),
    fails('CLIENT', 'KILL', 'TYPE', 'foo', 'ID', '0'), fails('CLIENT', 'KILL', 'ID', '0', 'TYPE', 'foo'),
    c('CLIENT', 'KILL', 'ID', '99999999'), c('CLIENT', 'KILL', 'TYPE', 'master'), c('CLIENT', 'KILL', 'TYPE', 'replica'),
    c('CLIENT', 'KILL', 'TYPE', 'slave'), c('CLIENT', 'KILL', 'TYPE', 'pubsub'), c('CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'),
    c('CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'), c('CLIENT', 'KILL', 'USER', 'default', 'ADDR', '1.2.3.4:5'),
    c('CLIENT', 'KILL', 'addr', '1.2.3.4:5', 'skipme', 'NO'),
  ],
  'PAUSE arguments': [
    fails('CLIENT', 'PAUSE', '10', 'foo'), fails('CLIENT', 'PAUSE', '-1'), fails('CLIENT', 'PAUSE', 'abc'),
    fails('CLIENT', 'PAUSE', 'abc', 'foo'), fails('CLIENT', 'PAUSE', '1.5'), fails('CLIENT', 'PAUSE', '1', '2', '3'),
    c('CLIENT', 'PAUSE', '0'), c('CLIENT', 'PAUSE', '0', 'write'), c('CLIENT', 'UNPAUSE'), c('CLIENT', 'UNPAUSE'),
  ],
  'REPLY ON, NO-EVICT': [
    c('CLIENT', 'REPLY', 'ON'), c('CLIENT', 'REPLY', 'on'), fails('CLIENT', 'REPLY', 'foo'),
    c('CLIENT', 'NO-EVICT', 'on'), c('CLIENT', 'NO-EVICT', 'OFF'), fails('CLIENT', 'NO-EVICT', 'maybe'),
  ],
});

differential('CLIENT commands over RESP3', {
  'verbatim replies': [c('CLIENT', 'LIST', 'ID', '999999'), sameType('CLIENT', 'INFO'), sameType('CLIENT', 'LIST')],
}, { proto: 3 });

/** Sends a whole pipeline at once and reads `expected` replies. */
async function pipeline(port: number, cmds: string[][], expected: number): Promise<Resp[]> {
  const conn = await RespClient.connect(port);
  try {
    conn.writeRaw(Buffer.concat(cmds.map((cmd) => encodeCommand(cmd))));
    const out: Resp[] = [];
    for (let i = 0; i < expected; i++) out.push(await conn.read());
    return out;
  } finally {
    conn.close();
  }
}

describe.skipIf(redisServerPath === null)('CLIENT REPLY pipelines (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis();

  const cases: Record<string, [string[][], number]> = {
    'SKIP drops the next reply only': [[['CLIENT', 'REPLY', 'SKIP'], ['ECHO', 'a'], ['ECHO', 'b']], 1],
    'OFF drops replies until ON, which answers OK': [
      [['CLIENT', 'REPLY', 'OFF'], ['ECHO', 'a'], ['CLIENT', 'REPLY', 'SKIP'], ['ECHO', 'b'], ['CLIENT', 'REPLY', 'ON'], ['ECHO', 'c']],
      2,
    ],
    'SKIP twice skips the command after the second': [
      [['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'SKIP'], ['ECHO', 'a'], ['ECHO', 'b']],
      1,
    ],
    'errors are dropped too': [[['CLIENT', 'REPLY', 'SKIP'], ['NOSUCH'], ['ECHO', 'x']], 1],
  };
  for (const [name, [cmds, expected]] of Object.entries(cases)) {
    test(name, async () => {
      // A trailing marker proves nothing more than `expected` replies came before it.
      const all = [...cmds, ['ECHO', 'end']];
      const [a, b] = await Promise.all([pipeline(servers.sluice.port, all, expected + 1), pipeline(servers.redis.port, all, expected + 1)]);
      expect(a).toEqual(b);
      expect(a[expected]).toEqual({ t: 'bulk', v: 'end' });
    });
  }
});

/** CLIENT INFO's fields that depend on neither the connection nor buffer sizes Sluice does not have. */
function transactionFields(line: string): string {
  return ['flags', 'multi', 'argv-mem', 'multi-mem', 'cmd'].map((f) => new RegExp(`(?:^| )${f}=(\\S*)`).exec(line)?.[1]).join(' ');
}

describe.skipIf(redisServerPath === null)('CLIENT INFO run by EXEC (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis();

  test('until EXEC returns, the client is in its transaction, and EXEC is its command', async () => {
    const cmds = [['MULTI'], ['SET', 'a', '1'], ['CLIENT', 'INFO'], ['EXEC'], ['CLIENT', 'INFO']];
    const seen = async (port: number): Promise<string[]> => {
      const replies = await pipeline(port, cmds, cmds.length);
      const exec = replies[3] as { v: Resp[] };
      return [(exec.v[1] as { v: string }).v, (replies[4] as { v: string }).v].map(transactionFields);
    };
    const [a, b] = await Promise.all([seen(servers.sluice.port), seen(servers.redis.port)]);
    expect(a).toEqual(b);
    expect(a).toEqual(['x 2 4 55 exec', 'N -1 10 0 client|info']);
  });
});
