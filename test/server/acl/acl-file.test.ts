import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Config } from '../../../src/server/config.js';
import { configuredUsers, parseConfigText, resolveConfig } from '../../../src/server/config-file.js';
import { rewrittenConfig } from '../../../src/server/config-rewrite.js';
import { Server } from '../../../src/server/server.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';
import { startSluice } from '../../helpers/servers.js';

const bulk = (v: string): Resp => ({ t: 'bulk', v });
const list = (...lines: string[]): Resp => ({ t: 'array', v: lines.map(bulk) });
const DEFAULT = 'user default on nopass sanitize-payload ~* &* +@all';
const PW_HASH = '30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4';
const PW2_HASH = '93915a0a4bf8f634cb1856494dd4304472ad46b9827f541f76b6761c49cc55b0';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-acl-'));
  file = path.join(dir, 'users.acl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('aclfile (expected replies read from redis-server 7.2.6)', () => {
  test('loads at start; ACL LOAD replaces every user, or with any error changes nothing and lists every error', async () => {
    writeFileSync(file, 'user alice on >pw ~* +@all\nuser default on nopass ~* &* +@all\n');
    const server = await startSluice({ config: { aclfile: file } });
    const conn = await RespClient.connect(server.port);
    const alice = await RespClient.connect(server.port);
    try {
      expect(await conn.call('ACL', 'LIST')).toEqual(list(`user alice on sanitize-payload #${PW_HASH} ~* resetchannels +@all`, DEFAULT));
      expect(await alice.call('AUTH', 'alice', 'pw')).toEqual({ t: 'simple', v: 'OK' });
      writeFileSync(file, 'user bob on +nosuch bogus\nnotuser x\nuser bob off\n\nuser a\tb on\nuser c (~a\nuser d #abc\n');
      expect(await conn.call('ACL', 'LOAD')).toEqual({
        t: 'error',
        v:
          `ERR ${file}:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. ${file}:1: Syntax error. ` +
          `${file}:2 should start with user keyword followed by the username. WARNING: Duplicate user 'bob' found on line 3. ` +
          `'${file}:5: username 'a\tb' contains invalid characters. ${file}:6: Unmatched parenthesis in selector definition.` +
          `${file}:7: The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters. ` +
          'WARNING: ACL errors detected, no change to the previously active ACL rules was performed',
      });
      expect(await alice.call('ACL', 'WHOAMI')).toEqual(bulk('alice'));
      writeFileSync(file, 'user alice on >pw2 ~* +@all\n');
      expect(await conn.call('ACL', 'LOAD')).toEqual({ t: 'simple', v: 'OK' });
      expect(await conn.call('ACL', 'LIST')).toEqual(list(`user alice on sanitize-payload #${PW2_HASH} ~* resetchannels +@all`, DEFAULT));
      // The old users' clients are disconnected: their user object is gone.
      await alice.closed;
    } finally {
      conn.close();
      await server.close();
    }
  });

  test('ACL SAVE writes every user in ACL LIST form', async () => {
    writeFileSync(file, '');
    const server = await startSluice({ config: { aclfile: file } });
    const conn = await RespClient.connect(server.port);
    try {
      await conn.call('ACL', 'SETUSER', 'zed', 'on', 'nopass', '(+get ~x)');
      expect(await conn.call('ACL', 'SAVE')).toEqual({ t: 'simple', v: 'OK' });
      expect(readFileSync(file, 'latin1')).toBe(`${DEFAULT}\nuser zed on nopass sanitize-payload resetchannels -@all (~x resetchannels -@all +get)\n`);
      expect(await conn.call('CONFIG', 'GET', 'aclfile')).toEqual(list('aclfile', file));
    } finally {
      conn.close();
      await server.close();
    }
  });

  test('a relative aclfile is found in dir, where Redis works, and named as configured', async () => {
    writeFileSync(path.join(dir, 'users.acl'), 'user zed on nopass +get ~x\n');
    const server = await startSluice({ config: { aclfile: 'users.acl', dir } });
    const conn = await RespClient.connect(server.port);
    try {
      expect(await conn.call('ACL', 'USERS')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'default' }, { t: 'bulk', v: 'zed' }] });
      await conn.call('ACL', 'SETUSER', 'amy', 'on', 'nopass');
      expect(await conn.call('ACL', 'SAVE')).toEqual({ t: 'simple', v: 'OK' });
      expect(readFileSync(path.join(dir, 'users.acl'), 'latin1')).toContain('user amy on');
      expect(await conn.call('ACL', 'LOAD')).toEqual({ t: 'simple', v: 'OK' });
    } finally {
      conn.close();
      await server.close();
    }
    await expect(startSluice({ config: { aclfile: 'missing.acl', dir } })).rejects.toThrow(
      "Aborting Redis startup because of ACL errors: Error loading ACLs, opening file 'missing.acl': No such file or directory",
    );
  });

  test('a missing or broken aclfile stops the server from starting', async () => {
    await expect(startSluice({ config: { aclfile: path.join(dir, 'missing.acl') } })).rejects.toThrow(
      `Aborting Redis startup because of ACL errors: Error loading ACLs, opening file '${path.join(dir, 'missing.acl')}': No such file or directory`,
    );
    writeFileSync(file, 'user x bogus\n');
    await expect(startSluice({ config: { aclfile: file } })).rejects.toThrow(`${file}:1: Syntax error.`);
  });
});

describe('user directives in the config file', () => {
  const lines = (text: string) => parseConfigText(text, 'redis.conf', () => '');

  test('declare users at start, the default user reset first when declared', async () => {
    const parsed = lines('user alice on >pw ~k* +get\nuser default on >secret +@all ~*\nport 0\n');
    const server = new Server(resolveConfig(parsed), { destination: process.stderr }, null, [], configuredUsers(parsed));
    try {
      expect(server.acl.sorted().map((u) => `user ${u.name} ${u.describe()}`)).toEqual([
        `user alice on sanitize-payload #${PW_HASH} ~k* resetchannels -@all +get`,
        'user default on sanitize-payload #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~* resetchannels +@all',
      ]);
    } finally {
      await server.close();
    }
  });

  test('a syntax error or a second declaration of a user is a config error; an unknown command fails the start', () => {
    expect(() => resolveConfig(lines('user alice on bogus\n'))).toThrow("Error in user declaration 'bogus': Syntax error");
    expect(() => resolveConfig(lines('user alice on\nuser alice off\n'))).toThrow(
      "Error in user declaration 'alice': Duplicate user found. A user can only be defined once in config files",
    );
    const parsed = lines('user alice on +nosuch\n');
    expect(() => new Server(resolveConfig(parsed), { destination: process.stderr }, null, [], configuredUsers(parsed))).toThrow(
      "Error loading ACL rule '+nosuch' for the user named 'alice': Unknown command or category name in ACL",
    );
  });

  test('users in the config and an aclfile together refuse to start', () => {
    writeFileSync(file, '');
    const parsed = lines(`user alice on\naclfile ${file}\n`);
    expect(() => new Server(resolveConfig(parsed), { destination: process.stderr }, null, [], configuredUsers(parsed))).toThrow(
      'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.',
    );
  });
});

describe('CONFIG REWRITE of the users (as Redis 7.2.6 rewrites them)', () => {
  test('the old user lines take the users in order, the rest follow the generated lines', () => {
    const out = rewrittenConfig('port 6379\nuser alice on\nuser gone on\n', new Config(), ['user alice X', 'user bob Y', 'user default Z']);
    const lines = out.split('\n');
    expect(lines.slice(0, 3)).toEqual(['port 6379', 'user alice X', 'user bob Y']);
    expect(lines.filter((l) => l.startsWith('user '))).toEqual(['user alice X', 'user bob Y', 'user default Z']);
    expect(lines.indexOf('user default Z')).toBeGreaterThan(lines.indexOf('# Generated by CONFIG REWRITE'));
  });

  test('with an aclfile (no user lines given) the old user lines are dropped', () => {
    expect(rewrittenConfig('port 7264\nuser alice on\n', new Config(), [])).not.toContain('user ');
  });
});
