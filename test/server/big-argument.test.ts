import { describe, expect, test, vi } from 'vitest';
import { useSluice } from '../helpers/fixture.js';
import { encodeCommand, type Resp } from '../helpers/resp-client.js';

/**
 * A big bulk (32 KiB or more, arriving over several reads) is copied into a
 * buffer of the parser's own, and its string is made only when something
 * reads it: SET takes the buffer instead. These 2 MiB values are written
 * in one go, so they arrive in many reads.
 */
const MIB = 1024 * 1024;
const OK: Resp = { t: 'simple', v: 'OK' };

/** A deterministic 2 MiB value of every byte value. */
function bigValue(seed: number): string {
  let piece = '';
  for (let i = 0; i < 4096; i++) piece += String.fromCharCode((i * 31 + seed) & 0xff);
  return piece.repeat((2 * MIB) / piece.length);
}

/** How many strings of 1 MiB or more Buffer.prototype.latin1Slice made while `act` ran. */
async function bigStringsMadeDuring(act: () => Promise<void>): Promise<number> {
  const proto = Buffer.prototype as unknown as { latin1Slice(start?: number, end?: number): string };
  const spy = vi.spyOn(proto, 'latin1Slice');
  try {
    await act();
    return spy.mock.calls.filter(([start, end]) => (end as number) - ((start as number) ?? 0) >= MIB).length;
  } finally {
    spy.mockRestore();
  }
}

/** Sends SET k `value` over `conn` and reads its OK. */
async function setBig(conn: { writeRaw(b: Buffer): void; read(): Promise<Resp> }, value: string): Promise<void> {
  conn.writeRaw(encodeCommand(['SET', 'k', value]));
  expect(await conn.read()).toEqual(OK);
}

describe('a big argument, on a server that propagates nothing (no AOF, no replica)', () => {
  const sluice = useSluice({ conn: 'fresh' });

  test("SET of a big value keeps the parser's buffer and never makes the argument's string; GET answers the value", async () => {
    const value = bigValue(1);
    expect(await bigStringsMadeDuring(() => setBig(sluice.conn, value))).toBe(0);
    expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: value });
    expect(await sluice.conn.call('STRLEN', 'k')).toEqual({ t: 'int', v: String(value.length) });
  });

  test('a command that reads the argument as a string gets every byte of it', async () => {
    const value = bigValue(2);
    expect(await sluice.conn.call('ECHO', value)).toEqual({ t: 'bulk', v: value });
    expect(await sluice.conn.call('APPEND', 'k', value)).toEqual({ t: 'int', v: String(value.length) });
    expect(await sluice.conn.call('GET', 'k')).toEqual({ t: 'bulk', v: value });
  });

  test("the slow log shows the start of a big argument and how many bytes it left out, and a slow SET still never makes the argument's string", async () => {
    expect(await sluice.conn.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0')).toEqual(OK);
    try {
      expect(await sluice.conn.call('SLOWLOG', 'RESET')).toEqual(OK);
      const value = bigValue(5);
      expect(await bigStringsMadeDuring(() => setBig(sluice.conn, value))).toBe(0);
      const log = (await sluice.conn.call('SLOWLOG', 'GET', '1')) as { t: 'array'; v: { t: 'array'; v: Resp[] }[] };
      const args = log.v[0].v[3] as { t: 'array'; v: Resp[] };
      expect(args.v[2]).toEqual({ t: 'bulk', v: `${value.slice(0, 128)}... (${value.length - 128} more bytes)` });
    } finally {
      await sluice.conn.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    }
  });
});

describe('a big argument, on a server that propagates its writes', () => {
  const sluice = useSluice({ conn: 'fresh', observe: true });

  test('what SET propagates is the value it was sent, even when the next command of the same read changes the stored bytes in place', async () => {
    const value = bigValue(3);
    sluice.conn.writeRaw(Buffer.concat([encodeCommand(['SET', 'k', value]), encodeCommand(['SETRANGE', 'k', '0', 'zz']), encodeCommand(['APPEND', 'k', 'tail'])]));
    expect(await sluice.conn.read()).toEqual(OK);
    expect(await sluice.conn.read()).toEqual({ t: 'int', v: String(value.length) });
    expect(await sluice.conn.read()).toEqual({ t: 'int', v: String(value.length + 4) });
    const effects = sluice.effects.map((e) => e.argv);
    expect(effects.length).toBe(3);
    expect(effects[0][0]).toBe('SET');
    expect(effects[0][2] === value).toBe(true);
    expect(effects[1]).toEqual(['SETRANGE', 'k', '0', 'zz']);
    expect(await sluice.conn.call('GETRANGE', 'k', '0', '3')).toEqual({ t: 'bulk', v: 'zz' + value.slice(2, 4) });
  });

  test('an expiring SET of a big value propagates it with its deadline, whole', async () => {
    const value = bigValue(4);
    sluice.conn.writeRaw(Buffer.concat([encodeCommand(['SET', 'k', value, 'EX', '100']), encodeCommand(['SETRANGE', 'k', '0', 'zz'])]));
    expect(await sluice.conn.read()).toEqual(OK);
    expect(await sluice.conn.read()).toEqual({ t: 'int', v: String(value.length) });
    const set = sluice.effects[0].argv;
    expect([set[0], set[1], set[3]]).toEqual(['SET', 'k', 'PXAT']);
    expect(set[2] === value).toBe(true);
  });
});
