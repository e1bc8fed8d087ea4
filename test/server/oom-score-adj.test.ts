import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';
import { RespClient } from '../helpers/resp-client.js';

/**
 * oom-score-adj sets the server process's /proc/<pid>/oom_score_adj as
 * Redis 7.2's setOOMScoreAdj does (its unit/oom-score-adj): the master's or
 * the replica's value of oom-score-adj-values, relative to the value the
 * process started with or absolute, and that value back when turned off.
 * On a server in its own process: the score is the process's.
 */
const linux = process.platform === 'linux';
let sluice: ChildSluice;
let c: RespClient;

beforeAll(async () => {
  if (!linux) return;
  ensureBuild();
  sluice = await startChild(['--save', '', '--appendonly', 'no']);
  c = await RespClient.connect(sluice.port);
}, 120_000);
afterAll(async () => {
  c?.close();
  await sluice?.kill('SIGKILL');
});

const score = () => Number(readFileSync(`/proc/${sluice.child.pid}/oom_score_adj`, 'latin1').trim());
const OK = { t: 'simple', v: 'OK' };

/** Whether this process may lower its own score (CAP_SYS_RESOURCE), as the suite finds out before its failure test. */
function mayLower(): boolean {
  const own = readFileSync('/proc/self/oom_score_adj', 'latin1').trim();
  try {
    writeFileSync('/proc/self/oom_score_adj', '-1000\n');
    writeFileSync('/proc/self/oom_score_adj', `${own}\n`);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!linux)('oom-score-adj', () => {
  test('relative to the starting value, the master\'s then the replica\'s value, absolute, and the starting value back when off', async () => {
    const base = score();
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj-values', '10 20 30')).toEqual(OK);
    expect(score()).toBe(base);
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj', 'yes')).toEqual(OK);
    expect(score()).toBe(base + 10);
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj-values', '15 20 30')).toEqual(OK);
    expect(score()).toBe(base + 15);
    expect(await c.call('REPLICAOF', '127.0.0.1', '1')).toEqual(OK);
    expect(score()).toBe(base + 20);
    expect(await c.call('REPLICAOF', 'NO', 'ONE')).toEqual(OK);
    expect(score()).toBe(base + 15);
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj', 'absolute')).toEqual(OK);
    expect(score()).toBe(15);
    expect(await c.call('CONFIG', 'GET', 'oom-score-adj')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'oom-score-adj' }, { t: 'bulk', v: 'absolute' }] });
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj', 'no')).toEqual(OK);
    expect(score()).toBe(base);
  });

  test('while off, a change of the values leaves the process\'s score alone', async () => {
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj', 'no')).toEqual(OK);
    const raised = score() + 2;
    writeFileSync(`/proc/${sluice.child.pid}/oom_score_adj`, `${raised}\n`);
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj-values', '1 1 1')).toEqual(OK);
    expect(score()).toBe(raised);
  });

  test('a score the process may not take is refused and nothing changes; one it may take is set', async () => {
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj', 'no', 'oom-score-adj-values', '-1000 -1000 -1000')).toEqual(OK);
    const before = score();
    const reply = await c.call('CONFIG', 'SET', 'oom-score-adj', 'absolute');
    if (mayLower()) {
      expect(reply).toEqual(OK);
      expect(score()).toBe(-1000);
      expect(await c.call('CONFIG', 'SET', 'oom-score-adj', 'no')).toEqual(OK);
    } else {
      expect(reply).toEqual({ t: 'error', v: "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj') - Failed to set current oom_score_adj. Check server logs." });
      expect(await c.call('CONFIG', 'GET', 'oom-score-adj')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'oom-score-adj' }, { t: 'bulk', v: 'no' }] });
      expect(sluice.output()).toContain('Unable to write oom_score_adj: Permission denied');
    }
    expect(score()).toBe(before);
  });

  test('values out of range are refused with Redis\'s error', async () => {
    expect(await c.call('CONFIG', 'SET', 'oom-score-adj-values', '-2001 -2001 -2001')).toEqual({
      t: 'error',
      v: "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
    });
  });
});
