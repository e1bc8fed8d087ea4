import { describe, expect, test } from 'vitest';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient } from '../../helpers/resp-client.js';

/**
 * rdb-key-save-delay, the testing aid Redis's suite slows saves with
 * (microseconds a key, slept by the forked child): a background save or
 * AOF rewrite rests that long after each key, so it can be watched half
 * done, while clients go on being served.
 */

const t = perTest();
const KEYS = 6;

async function info(c: RespClient, field: string): Promise<string> {
  const reply = await c.call('INFO', 'persistence');
  const text = typeof reply === 'object' && reply !== null && 'v' in reply ? String(reply.v) : String(reply);
  return new RegExp(`^${field}:([^\\r\\n]*)`, 'm').exec(text)?.[1] ?? '';
}

/** Polls `field` until `done` says so; returns every value seen, in order. */
async function watch(c: RespClient, field: string, done: (v: string) => boolean): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 400; i++) {
    const v = await info(c, field);
    if (seen[seen.length - 1] !== v) seen.push(v);
    if (done(v)) return seen;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${field} never finished: ${seen.join(', ')}`);
}

describe('rdb-key-save-delay', () => {
  test('a BGSAVE is seen a key at a time, and PING is answered while it rests', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no', 'rdb-key-save-delay': '50000' });
    for (let i = 0; i < KEYS; i++) await c.call('SET', `k${i}`, 'v');
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    expect(await info(c, 'rdb_bgsave_in_progress')).toBe('1');
    const processed = await watch(c, 'current_save_keys_processed', (v) => v === String(KEYS) || v === '0');
    // Several values between none and all: the save went a key at a time.
    expect(processed.filter((v) => Number(v) > 0 && Number(v) < KEYS).length).toBeGreaterThanOrEqual(3);
    expect((await watch(c, 'rdb_bgsave_in_progress', (v) => v === '0')).at(-1)).toBe('0');
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
  });

  test('without it the same save is over in one go', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no' });
    for (let i = 0; i < KEYS; i++) await c.call('SET', `k${i}`, 'v');
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    const processed = await watch(c, 'rdb_bgsave_in_progress', (v) => v === '0');
    expect(processed.at(-1)).toBe('0');
    expect(await info(c, 'current_save_keys_processed')).toBe('0');
  });

  test('an AOF rewrite with the RDB preamble rests between keys too', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'yes', 'rdb-key-save-delay': '50000' });
    for (let i = 0; i < KEYS; i++) await c.call('SET', `k${i}`, 'v');
    await c.call('BGREWRITEAOF');
    expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    // Six keys at 50 ms each: the rewrite is still running ten polls later, where unslowed it is over at once.
    // Its progress shows in the save fields, as Redis reports a rewrite's child there too.
    let polls = 0;
    const processed = new Set<string>();
    while ((await info(c, 'aof_rewrite_in_progress')) === '1' && polls < 400) {
      polls++;
      const total = await info(c, 'current_save_keys_total');
      if (total !== '0') expect(total).toBe(String(KEYS));
      processed.add(await info(c, 'current_save_keys_processed'));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(polls).toBeGreaterThanOrEqual(10);
    expect([...processed].filter((v) => Number(v) > 0 && Number(v) < KEYS).length).toBeGreaterThanOrEqual(3);
    expect(await info(c, 'current_save_keys_total')).toBe('0');
    expect(await info(c, 'aof_last_bgrewrite_status')).toBe('ok');
  });
});
