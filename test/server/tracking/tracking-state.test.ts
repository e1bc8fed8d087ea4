import { expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';

const sluice = useSluice({ conn: 'fresh' });

const flags = (line: string) => /flags=(\S+)/.exec(line)![1];
const redir = (line: string) => /redir=(-?\d+)/.exec(line)![1];

test('CLIENT LIST shows tracking as flags t, R (broken redirect) and B (BCAST), and the redirect id', async () => {
  const a = await sluice.connect();
  const b = await sluice.connect();
  const bid = ((await b.call('CLIENT', 'ID')) as { v: string }).v;
  const info = async () => ((await a.call('CLIENT', 'INFO')) as { v: string }).v;
  expect([flags(await info()), redir(await info())]).toEqual(['N', '-1']);
  await a.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', bid);
  expect([flags(await info()), redir(await info())]).toEqual(['t', bid]);
  await a.call('GET', 'k');
  b.close();
  while (sluice.server.clients.has(Number(bid))) await new Promise((r) => setTimeout(r, 5));
  await sluice.conn.call('SET', 'k', 'v');
  expect(flags(await info())).toBe('tR');
  await a.call('CLIENT', 'TRACKING', 'off');
  await a.call('CLIENT', 'TRACKING', 'on', 'BCAST');
  expect([flags(await info()), redir(await info())]).toEqual(['tB', '0']);
});

test('RESET turns tracking off', async () => {
  const a = await sluice.connect();
  await a.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'p');
  expect(sluice.server.tracking.clients).toBe(1);
  expect(await a.call('RESET')).toEqual({ t: 'simple', v: 'RESET' });
  expect(await a.call('CLIENT', 'GETREDIR')).toEqual({ t: 'int', v: '-1' });
  expect(sluice.server.tracking.clients).toBe(0);
  expect(sluice.server.tracking.prefixes.size).toBe(0);
});

test('the keyspace hook is removed once nobody tracks and no tracked key is left', async () => {
  const a = await sluice.connect();
  expect(sluice.server.keyspace.tracker).toBeNull();
  await a.call('CLIENT', 'TRACKING', 'on');
  await a.call('GET', 'k');
  expect(sluice.server.keyspace.tracker).not.toBeNull();
  a.close();
  await a.closed;
  // Like Redis, the departed client's entry stays until its key changes.
  expect(sluice.server.tracking.table.size).toBe(1);
  expect(sluice.server.keyspace.tracker).not.toBeNull();
  await sluice.conn.call('SET', 'k', 'v');
  expect(sluice.server.tracking.table.size).toBe(0);
  expect(sluice.server.keyspace.tracker).toBeNull();
});

test('a RESP2 client tracking without a redirect receives nothing, and its replies stay in order', async () => {
  const a = await sluice.connect();
  await a.call('CLIENT', 'TRACKING', 'on');
  await a.call('GET', 'k');
  await a.call('SET', 'k', 'v');
  expect(await a.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
});
