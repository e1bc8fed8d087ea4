import net from 'node:net';
import { Redis } from 'ioredis';
import { secondsSince } from '../../src/server/commands/client-list.js';
import { describe, expect, test } from 'vitest';
import { useSluice } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { startSluice } from '../helpers/servers.js';

const FIELDS = [
  'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf',
  'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user',
  'redir', 'resp', 'lib-name', 'lib-ver',
];

function text(r: Resp): string {
  if (r.t !== 'bulk' && r.t !== 'verbatim') throw new Error(`expected a string reply, got ${JSON.stringify(r)}`);
  return r.v ?? '';
}

/** CLIENT LIST / INFO lines as field maps, in order. */
function parseLines(s: string): Map<string, string>[] {
  return s.split('\n').filter((l) => l !== '').map((l) => {
    const m = new Map<string, string>();
    for (const kv of l.split(' ')) {
      const i = kv.indexOf('=');
      m.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return m;
  });
}

async function info(conn: RespClient): Promise<Map<string, string>> {
  return parseLines(text(await conn.call('CLIENT', 'INFO')))[0];
}

// Connections stay open until the server closes, so that no client leaves while a test compares client lists.
const sluice = useSluice({ connections: 'server' });

describe('CLIENT ID, INFO and LIST', () => {
  test('INFO lists Redis 7.2 fields in order, ending with a newline', async () => {
    const a = await sluice.connect();
    const raw = text(await a.call('CLIENT', 'INFO'));
    expect(raw.endsWith('\n')).toBe(true);
    expect([...parseLines(raw)[0].keys()]).toEqual(FIELDS);
  });

  // Both figures are Redis 7.2.6's for the same requests.
  test("the caller's qbuf still holds its command and the rest of the read it came in, as Redis's query buffer does", async () => {
    const a = await sluice.connect();
    expect((await info(a)).get('qbuf')).toBe('26');
    const socket = net.connect(sluice.port, '127.0.0.1');
    let out = '';
    const done = new Promise<void>((resolve) => socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (out.split('+PONG').length === 3) resolve();
    }));
    socket.write('*1\r\n$4\r\nPING\r\n*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n*1\r\n$4\r\nPING\r\n');
    await done;
    socket.destroy();
    expect(/ qbuf=(\d+) /.exec(out)?.[1]).toBe('54');
    const other = await sluice.connect();
    const id = (await info(a)).get('id');
    const line = text(await other.call('CLIENT', 'LIST')).split('\n').find((l) => l.startsWith(`id=${id} `));
    expect(line).toMatch(/ qbuf=0 /);
  });

  test('ID is unique per connection and is what INFO and HELLO report', async () => {
    const a = await sluice.connect();
    const b = await sluice.connect();
    const ida = await a.call('CLIENT', 'ID');
    const idb = await b.call('CLIENT', 'ID');
    expect(ida.t).toBe('int');
    expect(ida).not.toEqual(idb);
    expect((await info(a)).get('id')).toBe((ida as { v: string }).v);
    const hello = await a.call('HELLO', '2');
    expect(hello.t === 'array' && hello.v![7]).toEqual(ida);
  });

  test('INFO reports the connection as the server sees it', async () => {
    const a = await sluice.connect();
    await a.call('CLIENT', 'SETNAME', 'job-runner');
    await a.call('SELECT', '3');
    await a.call('CLIENT', 'NO-EVICT', 'on');
    await a.call('CLIENT', 'NO-TOUCH', 'on');
    await a.call('CLIENT', 'SETINFO', 'LIB-NAME', 'ioredis');
    await a.call('CLIENT', 'SETINFO', 'lib-ver', '5.4.1');
    await a.call('HELLO', '3');
    const f = await info(a);
    const local = a.socket.address() as { address: string; port: number };
    expect(f.get('addr')).toBe(`${local.address}:${local.port}`);
    expect(f.get('laddr')).toBe(`127.0.0.1:${sluice.port}`);
    expect(f.get('name')).toBe('job-runner');
    expect(f.get('db')).toBe('3');
    expect(f.get('flags')).toBe('eT');
    expect(f.get('multi')).toBe('-1');
    expect(f.get('cmd')).toBe('client|info');
    expect(f.get('argv-mem')).toBe(String('CLIENT'.length + 'INFO'.length));
    expect(f.get('user')).toBe('default');
    expect(f.get('redir')).toBe('-1');
    expect(f.get('resp')).toBe('3');
    expect(f.get('lib-name')).toBe('ioredis');
    expect(f.get('lib-ver')).toBe('5.4.1');
    expect(Number(f.get('age'))).toBeGreaterThanOrEqual(0);
    expect(f.get('idle')).toBe('0');
  });

  test("LIST shows another connection's transaction, last command and pending input", async () => {
    const a = await sluice.connect();
    const b = await sluice.connect();
    const ida = (await a.call('CLIENT', 'ID')) as { v: string };
    await a.call('ECHO', 'hello');
    let f = parseLines(text(await b.call('CLIENT', 'LIST', 'ID', ida.v)))[0];
    expect(f.get('cmd')).toBe('echo');
    expect(f.get('multi')).toBe('-1');
    await a.call('MULTI');
    await a.call('ECHO', 'abc');
    await a.call('PING');
    f = parseLines(text(await b.call('CLIENT', 'LIST', 'ID', ida.v)))[0];
    expect(f.get('flags')).toBe('x');
    expect(f.get('multi')).toBe('2');
    // Each queued argument's bytes plus a pointer, as Redis counts multi-mem.
    expect(f.get('multi-mem')).toBe(String('ECHO'.length + 'abc'.length + 16 + 'PING'.length + 8));
    expect(f.get('argv-mem')).toBe('0');
    expect(f.get('qbuf')).toBe('0');
    await a.call('DISCARD');
  });

  test('LIST ID returns the listed connections in the order asked, skipping unknown ids', async () => {
    const a = await sluice.connect();
    const b = await sluice.connect();
    const ida = ((await a.call('CLIENT', 'ID')) as { v: string }).v;
    const idb = ((await b.call('CLIENT', 'ID')) as { v: string }).v;
    const lines = parseLines(text(await a.call('CLIENT', 'LIST', 'ID', idb, '999999', ida, idb)));
    expect(lines.map((l) => l.get('id'))).toEqual([idb, ida, idb]);
  });

  test('LIST lists every connection once in connection order, and TYPE normal matches all of them here', async () => {
    const a = await sluice.connect();
    const all = parseLines(text(await a.call('CLIENT', 'LIST'))).map((l) => Number(l.get('id')));
    expect(all.length).toBe(sluice.server.clients.size);
    expect([...all].sort((x, y) => x - y)).toEqual(all);
    const normal = parseLines(text(await a.call('CLIENT', 'LIST', 'TYPE', 'NORMAL'))).map((l) => Number(l.get('id')));
    expect(normal).toEqual(all);
    expect(text(await a.call('CLIENT', 'LIST', 'TYPE', 'pubsub'))).toBe('');
  });

  test('ioredis can read its own entry through client list', async () => {
    const r = new Redis(sluice.port, '127.0.0.1', { lazyConnect: true, connectionName: 'from-ioredis' });
    try {
      await r.connect();
      const list = (await r.client('LIST')) as string;
      expect(list).toMatch(/ name=from-ioredis /);
      expect(await r.client('GETNAME')).toBe('from-ioredis');
    } finally {
      r.disconnect();
    }
  });
});

describe('CLIENT SETINFO and NO-TOUCH (Redis 7.2)', () => {
  test('SETINFO validates the attribute name and the value as Redis does', async () => {
    const a = await sluice.connect();
    expect(await a.call('CLIENT', 'SETINFO', 'lib-color', 'x')).toEqual({ t: 'error', v: "ERR Unrecognized option 'lib-color'" });
    expect(await a.call('CLIENT', 'SETINFO', 'LIB-NAME', 'a b')).toEqual({
      t: 'error',
      v: 'ERR LIB-NAME cannot contain spaces, newlines or special characters.',
    });
    expect(await a.call('CLIENT', 'SETINFO', 'lib-ver', '1\n2')).toEqual({
      t: 'error',
      v: 'ERR lib-ver cannot contain spaces, newlines or special characters.',
    });
    expect(await a.call('CLIENT', 'SETINFO', 'lib-name')).toEqual({
      t: 'error',
      v: "ERR wrong number of arguments for 'client|setinfo' command",
    });
    expect(await a.call('CLIENT', 'SETINFO', 'lib-name', 'node-redis')).toEqual({ t: 'simple', v: 'OK' });
    expect((await info(a)).get('lib-name')).toBe('node-redis');
    expect(await a.call('CLIENT', 'SETINFO', 'lib-name', '')).toEqual({ t: 'simple', v: 'OK' });
    expect((await info(a)).get('lib-name')).toBe('');
  });

  test('NO-TOUCH takes ON or OFF and shows as flag T', async () => {
    const a = await sluice.connect();
    expect(await a.call('CLIENT', 'NO-TOUCH', 'maybe')).toEqual({ t: 'error', v: 'ERR syntax error' });
    expect(await a.call('CLIENT', 'NO-TOUCH', 'ON')).toEqual({ t: 'simple', v: 'OK' });
    expect((await info(a)).get('flags')).toBe('T');
    expect(await a.call('CLIENT', 'NO-TOUCH', 'off')).toEqual({ t: 'simple', v: 'OK' });
    expect((await info(a)).get('flags')).toBe('N');
  });

  test('HELP lists the subcommands Sluice has, in Redis 7.2 wording', async () => {
    const a = await sluice.connect();
    const r = await a.call('CLIENT', 'HELP');
    const lines = r.t === 'array' ? r.v!.map((x) => (x as { v: string }).v) : [];
    expect(lines[0]).toBe('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(lines).toContain('SETINFO <option> <value>');
    expect(lines).toContain('NO-TOUCH (ON|OFF)');
    expect(lines).toContain('PAUSE <timeout> [WRITE|ALL]');
    expect(lines).toContain('TRACKINGINFO');
    expect(lines).toContain('CACHING (YES|NO)');
    expect(lines.slice(-2)).toEqual(['HELP', '    Print this help.']);
  });
});

describe('CLIENT KILL', () => {
  test('ID closes that connection and counts it', async () => {
    const a = await sluice.connect();
    const b = await sluice.connect();
    const idb = ((await b.call('CLIENT', 'ID')) as { v: string }).v;
    expect(await a.call('CLIENT', 'KILL', 'ID', idb)).toEqual({ t: 'int', v: '1' });
    await b.closed;
    expect(sluice.server.clients.has(Number(idb))).toBe(false);
    expect(await a.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
  });

  test('the old form kills by address, the caller included, after replying OK', async () => {
    const a = await sluice.connect();
    const addr = (await info(a)).get('addr')!;
    expect(await a.call('CLIENT', 'KILL', addr)).toEqual({ t: 'simple', v: 'OK' });
    await a.closed;
  });

  test('the new form skips the caller unless SKIPME no', async () => {
    const a = await sluice.connect();
    const ida = ((await a.call('CLIENT', 'ID')) as { v: string }).v;
    expect(await a.call('CLIENT', 'KILL', 'ID', ida)).toEqual({ t: 'int', v: '0' });
    expect(await a.call('CLIENT', 'KILL', 'ID', ida, 'SKIPME', 'no')).toEqual({ t: 'int', v: '1' });
    await a.closed;
  });

  test('filters combine with AND: ADDR and LADDR must both match', async () => {
    const a = await sluice.connect();
    const b = await sluice.connect();
    const fb = await info(b);
    expect(await a.call('CLIENT', 'KILL', 'ADDR', fb.get('addr')!, 'LADDR', '127.0.0.2:1')).toEqual({ t: 'int', v: '0' });
    expect(await a.call('CLIENT', 'KILL', 'ADDR', fb.get('addr')!, 'LADDR', fb.get('laddr')!)).toEqual({ t: 'int', v: '1' });
    await b.closed;
  });

  test('MAXAGE (Redis 7.4) validates its argument and spares younger connections', async () => {
    const a = await sluice.connect();
    expect(await a.call('CLIENT', 'KILL', 'MAXAGE', '0')).toEqual({ t: 'error', v: 'ERR maxage should be greater than 0' });
    expect(await a.call('CLIENT', 'KILL', 'MAXAGE', 'x')).toEqual({
      t: 'error',
      v: 'ERR maxage is not an integer or out of range',
    });
    expect(await a.call('CLIENT', 'KILL', 'MAXAGE', '100000')).toEqual({ t: 'int', v: '0' });
  });

  test('a connection older than MAXAGE is killed', async () => {
    const a = await sluice.connect();
    const b = await sluice.connect();
    const idb = Number(((await b.call('CLIENT', 'ID')) as { v: string }).v);
    // Age is whole seconds since the connection was made: backdate it rather than wait.
    (sluice.server.clients.get(idb) as unknown as { createdAt: number }).createdAt -= 10_000;
    expect(await a.call('CLIENT', 'KILL', 'MAXAGE', '5', 'ID', String(idb))).toEqual({ t: 'int', v: '1' });
    await b.closed;
  });

  test('USER default matches every connection but the caller', async () => {
    const server = await startSluice();
    try {
      const a = await RespClient.connect(server.port);
      const others = await Promise.all([RespClient.connect(server.port), RespClient.connect(server.port)]);
      expect(await a.call('CLIENT', 'KILL', 'USER', 'default')).toEqual({ t: 'int', v: '2' });
      await Promise.all(others.map((o) => o.closed));
      expect(await a.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      a.close();
    } finally {
      await server.close();
    }
  });
});

describe('client ages', () => {
  test('count whole seconds and stay at zero when the wall clock steps back', () => {
    expect(secondsSince(1_000, 990_500)).toBe(10);
    expect(secondsSince(1_000, 1_000_999)).toBe(0);
    expect(secondsSince(1_000, 1_795_331_664_000)).toBe(0);
  });
});

describe('connections that come and go', () => {
  /** Opens a connection, sends `request` (if any), waits for `expected` bytes, then closes it. */
  function oneShot(port: number, request: string, expected: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        if (request === '') {
          socket.destroy();
          resolve('');
        } else {
          socket.write(request);
        }
      });
      let got = '';
      socket.on('data', (d) => {
        got += d.toString('latin1');
        if (got.length >= expected) {
          socket.destroy();
          resolve(got);
        }
      });
      socket.on('error', reject);
    });
  }

  test('two hundred connections, each opened for one request or none, are all answered, counted and gone once closed', async () => {
    const server = sluice.server;
    const received = server.stats.connectionsReceived;
    const open = server.clients.size;
    for (let i = 0; i < 200; i++) {
      if (i % 4 === 3) await oneShot(sluice.port, '', 0);
      else expect(await oneShot(sluice.port, `*2\r\n$4\r\nECHO\r\n$3\r\n${String(i).padStart(3, '0')}\r\n`, 9)).toBe(`$3\r\n${String(i).padStart(3, '0')}\r\n`);
    }
    expect(server.stats.connectionsReceived - received).toBe(200);
    for (let wait = 0; server.clients.size !== open && wait < 100; wait++) await new Promise((r) => setTimeout(r, 10));
    expect(server.clients.size).toBe(open);
  });
});
