import { expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';

const sluice = useSluice({ conn: 'fresh', start: { config: { 'enable-debug-command': 'yes' } } });

test("DEBUG OBJECT's serializedlength is the value's RDB size after its type byte, as Redis 7.2.6 reports it", async () => {
  const c = sluice.conn;
  const cases: [string[], number][] = [
    [['SET', 'k', 'hello'], 6],
    [['SET', 'k', '12345'], 3],
    [['SET', 'k', 'x'.repeat(100)], 13],
    [['RPUSH', 'k', 'a', 'b', '1'], 18],
    [['SADD', 'k', '1', '2'], 13],
    [['SADD', 'k', 'a', 'b'], 14],
    [['ZADD', 'k', '1', 'a', '2.5', 'b'], 21],
    [['HSET', 'k', 'f', 'v'], 14],
    [['XADD', 'k', '1-1', 'a', 'b'], 57],
  ];
  for (const [cmd, length] of cases) {
    await c.call('DEL', 'k');
    await c.call(...cmd);
    const r = await c.call('DEBUG', 'OBJECT', 'k');
    expect(r.t === 'simple' && /serializedlength:(\d+)/.exec(r.v)?.[1], cmd[0]).toBe(String(length));
  }
});
