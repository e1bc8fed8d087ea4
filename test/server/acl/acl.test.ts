import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { Resp } from '../../helpers/resp-client.js';

const OK: Resp = { t: 'simple', v: 'OK' };
const bulk = (v: string): Resp => ({ t: 'bulk', v });
const err = (v: string): Resp => ({ t: 'error', v });

/** A flat RESP2 map reply as an object of its values. */
function fields(r: Resp): Record<string, Resp> {
  if (r.t !== 'array' || r.v === null) throw new Error(`not an array: ${JSON.stringify(r)}`);
  const out: Record<string, Resp> = {};
  for (let i = 0; i < r.v.length; i += 2) out[(r.v[i] as { v: string }).v] = r.v[i + 1];
  return out;
}

function entries(r: Resp): Record<string, Resp>[] {
  if (r.t !== 'array' || r.v === null) throw new Error('not an array');
  return r.v.map(fields);
}

describe('ACL rules as Redis 7.2 keeps them (values read from redis-server 7.2.6)', () => {
  const fx = useSluice({ conn: 'fresh' });

  test('command rules keep the order given; a later rule for the same command replaces the earlier one', async () => {
    const { conn } = fx;
    const commands = async () => fields(await conn.call('ACL', 'GETUSER', 'order')).commands;
    await conn.call('ACL', 'SETUSER', 'order', '+@read', '-get', '+config|get', '+select|0', '+@hash', '-hset', '+get');
    expect(await commands()).toEqual(bulk('-@all +@read +config|get +select|0 +@hash -hset +get'));
    await conn.call('ACL', 'SETUSER', 'order', '-config', '+client|list', '-@read');
    expect(await commands()).toEqual(bulk('-@all +select|0 +@hash -hset +get -config +client|list -@read'));
    await conn.call('ACL', 'SETUSER', 'order', 'allcommands', '-@dangerous', '+flushdb');
    expect(await commands()).toEqual(bulk('+@all -@dangerous +flushdb'));
    await conn.call('ACL', 'SETUSER', 'order', 'nocommands', '+@STRING', '-@Write', '+SELECT|0', '+Config|GET');
    expect(await conn.call('ACL', 'LIST')).toEqual({
      t: 'array',
      v: [
        bulk('user default on nopass sanitize-payload ~* &* +@all'),
        bulk('user order off sanitize-payload resetchannels -@all +@string -@write +select|0 +config|get'),
      ],
    });
    await conn.call('ACL', 'DELUSER', 'order');
  });

  test('the sanitize-payload flags are shown, and reset restores sanitize-payload', async () => {
    const { conn } = fx;
    await conn.call('ACL', 'SETUSER', 'flags', 'on', 'skip-sanitize-payload', 'nopass');
    expect(fields(await conn.call('ACL', 'GETUSER', 'flags')).flags).toEqual({
      t: 'array', v: [bulk('on'), bulk('nopass'), bulk('skip-sanitize-payload')],
    });
    await conn.call('ACL', 'SETUSER', 'flags', 'reset');
    expect(fields(await conn.call('ACL', 'GETUSER', 'flags')).flags).toEqual({ t: 'array', v: [bulk('off'), bulk('sanitize-payload')] });
    await conn.call('ACL', 'DELUSER', 'flags');
  });

  test('acl-pubsub-default allchannels gives new users and selectors every channel', async () => {
    const { conn } = fx;
    await conn.call('CONFIG', 'SET', 'acl-pubsub-default', 'allchannels');
    await conn.call('ACL', 'SETUSER', 'chans', '(+get)');
    expect(await conn.call('ACL', 'LIST')).toEqual({
      t: 'array',
      v: [bulk('user chans off sanitize-payload &* -@all (&* -@all +get)'), bulk('user default on nopass sanitize-payload ~* &* +@all')],
    });
    await conn.call('CONFIG', 'SET', 'acl-pubsub-default', 'resetchannels');
    await conn.call('ACL', 'SETUSER', 'chans', 'reset');
    expect(fields(await conn.call('ACL', 'GETUSER', 'chans')).channels).toEqual(bulk(''));
    await conn.call('ACL', 'DELUSER', 'chans');
  });
});

describe('categories', () => {
  const fx = useSluice({ conn: 'fresh' });

  test('ACL CAT of each category lists exactly the commands whose COMMAND INFO names it (checked against Redis in command.test.ts)', async () => {
    const cats = (await fx.conn.call('ACL', 'CAT')) as { v: { v: string }[] };
    expect(cats.v.map((x) => x.v)).toEqual([
      'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
      'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
    ]);
    const all = [...fx.server.commands.all()];
    for (const { v: cat } of cats.v) {
      const listed = ((await fx.conn.call('ACL', 'CAT', cat.toUpperCase())) as { v: { v: string }[] }).v.map((x) => x.v);
      expect(listed.sort(), cat).toEqual(all.filter((cmd) => cmd.aclCategories.includes(cat)).map((cmd) => cmd.fullName).sort());
    }
  });

  test('+@category and -@category allow and deny exactly those commands, a container with its subcommands', async () => {
    await fx.conn.call('ACL', 'SETUSER', 'cats', 'on', 'nopass', '~*', '+@string', '-@write', '+@admin');
    const u = fx.server.acl.users.get('cats')!;
    for (const cmd of fx.server.commands.all()) {
      const expected = (cmd.aclCategories.includes('string') && !cmd.aclCategories.includes('write')) || cmd.aclCategories.includes('admin') ||
        (cmd.parent !== null && cmd.parent.aclCategories.includes('admin'));
      expect(u.root.allowed.has(cmd), cmd.fullName).toBe(expected);
    }
  });
});

describe('NOPERM and script errors as Redis 7.2 words them', () => {
  const fx = useSluice({ conn: 'fresh' });

  test('a denied command names the user; keys and channels are not named', async () => {
    const { conn } = fx;
    await conn.call('ACL', 'SETUSER', 'eve', 'on', '>pw', '+@all', '-flushall', '~k*', '&ch*');
    expect(await conn.call('AUTH', 'eve', 'pw')).toEqual(OK);
    expect(await conn.call('FLUSHALL')).toEqual(err("NOPERM User eve has no permissions to run the 'flushall' command"));
    expect(await conn.call('GET', 'z')).toEqual(err('NOPERM No permissions to access a key'));
    expect(await conn.call('PUBLISH', 'x', 'm')).toEqual(err('NOPERM No permissions to access a channel'));
    expect(await conn.call('ACL', 'DRYRUN', 'eve', 'GET', 'z')).toEqual(bulk("User eve has no permissions to access the 'z' key"));
  });

  test('redis.call of a denied command fails the script; pcall returns the error; EVAL of a denied key is refused whole', async () => {
    const { conn } = fx;
    await conn.call('ACL', 'SETUSER', 'lua', 'on', '>pw', '+@all', '-del', '~k*');
    await conn.call('AUTH', 'lua', 'pw');
    expect(await conn.call('EVAL', "return redis.pcall('del', 'k')", '0')).toEqual(
      err("ERR ACL failure in script: User lua has no permissions to run the 'del' command"),
    );
    const r = await conn.call('EVAL', "return redis.call('get', 'z')", '0');
    expect(r.t).toBe('error');
    expect((r as { v: string }).v).toMatch(/^ERR ACL failure in script: No permissions to access a key script: [0-9a-f]{40}, on @user_script:1\.$/);
    expect(await conn.call('EVAL', "return redis.call('set', KEYS[1], 'v')", '1', 'z')).toEqual(err('NOPERM No permissions to access a key'));
    expect(await conn.call('AUTH', 'default', 'x')).toEqual(OK);
    expect(await conn.call('EXISTS', 'z')).toEqual({ t: 'int', v: '0' });
  });
});

describe('ACL LOG entries as Redis 7.2 writes them', () => {
  const fx = useSluice({ conn: 'fresh' });

  test('each entry has an id, its creation and last update times; a repeat counts in the same entry', async () => {
    const { conn } = fx;
    await conn.call('ACL', 'LOG', 'RESET');
    await conn.call('ACL', 'SETUSER', 'logged', 'on', '>pw', '+@all', '-flushall', '~k*');
    const before = Date.now();
    await conn.call('AUTH', 'logged', 'nope');
    await conn.call('AUTH', 'logged', 'pw');
    await conn.call('FLUSHALL');
    await conn.call('FLUSHALL');
    await conn.call('MULTI');
    await conn.call('GET', 'z');
    await conn.call('DISCARD');
    await conn.call('EVAL', "return redis.pcall('get', 'zz')", '0');
    await conn.call('AUTH', 'default', 'x');
    await conn.call('MULTI');
    await conn.call('AUTH', 'logged', 'wrong');
    await conn.call('EXEC');
    await conn.call('AUTH', 'logged', 'pw');
    const log = entries(await conn.call('ACL', 'LOG'));
    const after = Date.now();
    expect(log.map((e) => [e.reason, e.context, e.object, e.count])).toEqual([
      [bulk('auth'), bulk('multi'), bulk('AUTH'), { t: 'int', v: '1' }],
      [bulk('key'), bulk('lua'), bulk('zz'), { t: 'int', v: '1' }],
      [bulk('key'), bulk('multi'), bulk('z'), { t: 'int', v: '1' }],
      [bulk('command'), bulk('toplevel'), bulk('flushall'), { t: 'int', v: '2' }],
      [bulk('auth'), bulk('toplevel'), bulk('AUTH'), { t: 'int', v: '1' }],
    ]);
    const ids = log.map((e) => Number((e['entry-id'] as { v: string }).v));
    expect(ids).toEqual([ids[4] + 4, ids[4] + 3, ids[4] + 2, ids[4] + 1, ids[4]]);
    for (const e of log) {
      const created = Number((e['timestamp-created'] as { v: string }).v);
      const updated = Number((e['timestamp-last-updated'] as { v: string }).v);
      expect(created).toBeGreaterThanOrEqual(before);
      expect(updated).toBeGreaterThanOrEqual(created);
      expect(updated).toBeLessThanOrEqual(after);
      expect((e.username as { v: string }).v).toBe('logged');
    }
    expect((log[3]['client-info'] as { v: string }).v).toMatch(/ cmd=flushall user=logged /);
    expect((log[1]['client-info'] as { v: string }).v).toMatch(/ cmd=eval user=logged /);
    await conn.call('AUTH', 'default', 'x');
  });

  test("INFO counts denials by reason (acl_access_denied_*), and CONFIG RESETSTAT zeroes them", async () => {
    const { conn } = fx;
    const counts = async () => {
      const info = (await conn.call('INFO', 'stats')) as { v: string };
      return info.v.split('\r\n').filter((l) => l.startsWith('acl_access_denied_'));
    };
    await conn.call('CONFIG', 'RESETSTAT');
    await conn.call('ACL', 'SETUSER', 'counted', 'on', '>pw', '+@all', '-flushall', '~k*', '&c*');
    await conn.call('AUTH', 'counted', 'nope');
    await conn.call('AUTH', 'counted', 'pw');
    await conn.call('FLUSHALL');
    await conn.call('GET', 'z');
    await conn.call('GET', 'zz');
    await conn.call('PUBLISH', 'x', 'm');
    expect(await counts()).toEqual([
      'acl_access_denied_auth:1', 'acl_access_denied_cmd:1', 'acl_access_denied_key:2', 'acl_access_denied_channel:1',
    ]);
    await conn.call('AUTH', 'default', 'x');
    await conn.call('CONFIG', 'RESETSTAT');
    expect(await counts()).toEqual(['acl_access_denied_auth:0', 'acl_access_denied_cmd:0', 'acl_access_denied_key:0', 'acl_access_denied_channel:0']);
  });

  test('acllog-max-len bounds the entries kept', async () => {
    const { conn } = fx;
    await conn.call('ACL', 'LOG', 'RESET');
    await conn.call('CONFIG', 'SET', 'acllog-max-len', '2');
    for (const user of ['a1', 'a2', 'a3']) await conn.call('AUTH', user, 'x');
    const log = entries(await conn.call('ACL', 'LOG'));
    expect(log.map((e) => e.username)).toEqual([bulk('a3'), bulk('a2')]);
    await conn.call('CONFIG', 'SET', 'acllog-max-len', '128');
  });
});

describe('users and their connections', () => {
  const fx = useSluice({ conn: 'fresh' });

  test('CLIENT LIST names the user; CLIENT KILL USER closes its connections', async () => {
    await fx.conn.call('ACL', 'SETUSER', 'kim', 'on', '>pw', '+@all', '~*', '&*');
    const other = await fx.connect();
    await other.call('AUTH', 'kim', 'pw');
    const list = (await fx.conn.call('CLIENT', 'LIST')) as { v: string };
    expect(list.v).toMatch(/ user=kim /);
    expect(list.v).toMatch(/ user=default /);
    expect(await fx.conn.call('CLIENT', 'KILL', 'USER', 'kim')).toEqual({ t: 'int', v: '1' });
    await other.closed;
    expect(await fx.conn.call('CLIENT', 'KILL', 'USER', 'nobody')).toEqual(err("ERR No such user 'nobody'"));
  });

  test("deleting a user disconnects its clients, the deleting one after its reply", async () => {
    await fx.conn.call('ACL', 'SETUSER', 'gone', 'on', '>pw', '+@all', '~*', '&*');
    const other = await fx.connect();
    const self = await fx.connect();
    await other.call('AUTH', 'gone', 'pw');
    await self.call('AUTH', 'gone', 'pw');
    expect(await self.call('ACL', 'DELUSER', 'gone')).toEqual({ t: 'int', v: '1' });
    await Promise.all([other.closed, self.closed]);
    expect(await fx.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
  });

  test('a subscriber whose channel is taken away is disconnected; a widening change keeps it', async () => {
    await fx.conn.call('ACL', 'SETUSER', 'listener', 'on', '>pw', '+@all', '~*', 'resetchannels', '&news*');
    const sub = await fx.connect();
    await sub.call('AUTH', 'listener', 'pw');
    expect(await sub.call('SUBSCRIBE', 'news1')).toEqual({ t: 'array', v: [bulk('subscribe'), bulk('news1'), { t: 'int', v: '1' }] });
    expect(await fx.conn.call('ACL', 'SETUSER', 'listener', '&sport')).toEqual(OK);
    expect(await fx.conn.call('PUBLISH', 'news1', 'still here')).toEqual({ t: 'int', v: '1' });
    expect(await fx.conn.call('ACL', 'SETUSER', 'listener', 'resetchannels', '&sport')).toEqual(OK);
    await sub.closed;
    expect(await fx.conn.call('PUBLISH', 'news1', 'gone')).toEqual({ t: 'int', v: '0' });
  });

  test('a blocked command whose rules were taken away meanwhile is refused when it would run again (7.2 re-runs it whole)', async () => {
    await fx.conn.call('ACL', 'SETUSER', 'waiter', 'on', '>pw', '+@all', '~*');
    const other = await fx.connect();
    await other.call('AUTH', 'waiter', 'pw');
    const reply = other.call('BLPOP', 'queue', '0');
    await fx.conn.call('ACL', 'SETUSER', 'waiter', 'resetkeys', '~other*');
    await fx.conn.call('RPUSH', 'queue', 'job');
    expect(await reply).toEqual(err('NOPERM No permissions to access a key'));
    expect(await fx.conn.call('LRANGE', 'queue', '0', '-1')).toEqual({ t: 'array', v: [bulk('job')] });
  });

  test('a disabled user keeps its connections (as Redis 7.2) but cannot log in again', async () => {
    await fx.conn.call('ACL', 'SETUSER', 'paused', 'on', '>pw', '+@all', '~*');
    const other = await fx.connect();
    await other.call('AUTH', 'paused', 'pw');
    await fx.conn.call('ACL', 'SETUSER', 'paused', 'off');
    expect(await other.call('ACL', 'WHOAMI')).toEqual(bulk('paused'));
    expect(await other.call('AUTH', 'paused', 'pw')).toEqual(err('WRONGPASS invalid username-password pair or user is disabled.'));
  });

  test('requirepass: new connections must authenticate; clearing it lets them in', async () => {
    await fx.conn.call('CONFIG', 'SET', 'requirepass', 'secret');
    const locked = await fx.connect();
    expect(await locked.call('GET', 'k')).toEqual(err('NOAUTH Authentication required.'));
    expect(await locked.call('AUTH', 'default', 'secret')).toEqual(OK);
    const waiting = await fx.connect();
    await fx.conn.call('CONFIG', 'SET', 'requirepass', '');
    expect(await waiting.call('GET', 'k')).toEqual({ t: 'bulk', v: null });
    expect(fx.server.acl.defaultUser.nopass).toBe(true);
  });

  test('the unrestricted flag the dispatcher tests is true only for a user every check would pass', async () => {
    const acl = fx.server.acl;
    expect(acl.defaultUser.unrestricted).toBe(true);
    await fx.conn.call('ACL', 'SETUSER', 'limited', '+@all', '~*', '&*', '-get');
    expect(acl.users.get('limited')!.unrestricted).toBe(false);
    await fx.conn.call('ACL', 'SETUSER', 'limited', '+get');
    expect(acl.users.get('limited')!.unrestricted).toBe(false);
    await fx.conn.call('ACL', 'SETUSER', 'limited', '(+@all ~* &*)');
    expect(acl.users.get('limited')!.unrestricted).toBe(true);
  });
});

describe('secrets stay out of MONITOR and SLOWLOG', () => {
  const fx = useSluice({ conn: 'fresh' });

  test('ACL SETUSER and AUTH are shown with their arguments redacted', async () => {
    await fx.conn.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await fx.conn.call('SLOWLOG', 'RESET');
    await fx.conn.call('ACL', 'SETUSER', 'hidden', 'on', '>topsecret');
    const other = await fx.connect();
    await other.call('AUTH', 'hidden', 'topsecret');
    const log = JSON.stringify(await fx.conn.call('SLOWLOG', 'GET'));
    expect(log).not.toContain('topsecret');
    expect(log).toContain('(redacted)');
    await fx.conn.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
  });
});
