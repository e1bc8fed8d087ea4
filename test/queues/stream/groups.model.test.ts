import { describe, expect, test } from 'vitest';
import type { Ctx } from '../../../src/core/context.js';
import { CommandError } from '../../../src/core/errors.js';
import { CaptureReply, type Captured } from '../../../src/core/capture-reply.js';
import { Keyspace } from '../../../src/keyspace/keyspace.js';
import { StreamValue } from '../../../src/queues/stream/stream-value.js';
import { xack, xpending } from '../../../src/queues/stream/xack.js';
import { xadd } from '../../../src/queues/stream/xadd.js';
import { xautoclaim, xclaim } from '../../../src/queues/stream/xclaim.js';
import { xgroup } from '../../../src/queues/stream/xgroup.js';
import { xdel } from '../../../src/queues/stream/xrange.js';
import { xreadgroup } from '../../../src/queues/stream/xread.js';

/**
 * Consumer groups against a naive model: thousands of random sequences of
 * XADD, XREADGROUP (new entries, NOACK, history), XACK, XCLAIM, XAUTOCLAIM
 * and XDEL run on the stream commands directly and on a model that keeps
 * the group's last ID and its pending entries in a Map. Every reply's IDs
 * must match the model's, and after each step the group's pending list and
 * its consumers' must agree with the model. Nodes hold 1 to 4 entries, so
 * deletions empty nodes and appends open new ones all the time.
 */

/** expect(…).toEqual(…) costs too much for thousands of steps: compare as JSON, and let expect report a mismatch. */
function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  const b = JSON.stringify(expected);
  if (a !== b) expect(actual, what).toEqual(expected);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function context(nodeEntries: number): { c: Ctx; reply: CaptureReply; ks: Keyspace } {
  const ks = new Keyspace(1);
  const reply = new CaptureReply();
  // What the stream commands the model runs read of a context; the rest of Ctx they never touch.
  const c = {
    reply, db: ks.db(0), keyspace: ks, propagateArgv: undefined, propagating: false, loading: false,
    denyBlocking: true, fromScript: false,
    config: {
      num: (name: string) => (name === 'stream-node-max-entries' ? nodeEntries : 4096),
      str: () => '',
      bool: () => false,
      derived: <T>(_key: object, make: (config: Ctx['config']) => T): T => make(c.config),
    },
    argBytes: () => null,
    block: () => {
      throw new Error('the model never blocks');
    },
  } as unknown as Ctx;
  return { c, reply, ks };
}

interface Pending {
  consumer: string;
  count: number;
}

const CONSUMERS = ['alice', 'bob', 'carol'];

describe('consumer groups against a reference model', () => {
  test('random XADD / XREADGROUP / XACK / XCLAIM / XAUTOCLAIM / XDEL sequences agree with the model', () => {
    for (let seq = 0; seq < 400; seq++) {
      const rand = rng(seq + 1);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
      const { c, reply } = context(1 + (seq % 4));
      const run = (...argv: string[]): Captured => {
        try {
          (handlers[argv[0]])(c, argv);
        } catch (e) {
          if (!(e instanceof CommandError)) throw e;
          return { type: 'error', message: e.message };
        }
        const out = reply.take();
        if (out.length !== 1) expect(out).toHaveLength(1);
        return out[0];
      };
      // The model: entry n is ID n-0; the group's last delivered entry; pending entries by ID.
      const live = new Set<number>();
      let added = 0;
      let lastDelivered = 0;
      const pel = new Map<number, Pending>();
      const consumers = new Set<string>();
      run('xadd', 's', '1-0', 'f', 'v');
      live.add(++added);
      run('xgroup', 'create', 's', 'g', '0');
      const pendingIds = () => [...pel.keys()].sort((a, b) => a - b);
      const ids = (r: Captured): string[] => (r as Captured[]).map((e) => (Array.isArray(e) ? (e[0] as string) : (e as string)));

      for (let step = 0; step < 60; step++) {
        const op = rand();
        const who = pick(CONSUMERS);
        if (op < 0.25) {
          const n = ++added;
          const fields = rand() < 0.7 ? ['f', `v${n}`] : ['f', `v${n}`, 'other', String(n)];
          same(run('xadd', 's', `${n}-0`, ...fields), `${n}-0`, 'step');
          live.add(n);
        } else if (op < 0.45) {
          const count = Math.floor(rand() * 4);
          const noack = rand() < 0.2;
          const r = run('xreadgroup', 'GROUP', 'g', who, 'COUNT', String(count), ...(noack ? ['NOACK'] : []), 'STREAMS', 's', '>');
          consumers.add(who);
          const fresh = [...live].filter((n) => n > lastDelivered).sort((a, b) => a - b);
          const served = count === 0 ? fresh : fresh.slice(0, count);
          if (served.length === 0) {
            same(r, null, 'nothing to read');
          } else {
            same(ids((r as Captured[][])[0][1]), served.map((n) => `${n}-0`), 'step');
            lastDelivered = served[served.length - 1];
            if (!noack) for (const n of served) pel.set(n, { consumer: who, count: 1 });
          }
        } else if (op < 0.55) {
          const r = run('xreadgroup', 'GROUP', 'g', who, 'STREAMS', 's', '0');
          consumers.add(who);
          const mine = pendingIds().filter((n) => pel.get(n)!.consumer === who);
          const entries = (r as Captured[][])[0][1] as Captured[][];
          same(entries.map((e) => e[0]), mine.map((n) => `${n}-0`), 'step');
          for (const [k, n] of mine.entries()) {
            if (live.has(n)) pel.get(n)!.count++;
            else same(entries[k][1], null, 'step');
          }
        } else if (op < 0.65) {
          const targets = [pick([...pel.keys(), added + 1]), Math.ceil(rand() * (added + 1))];
          const expected = new Set(targets.filter((n) => pel.has(n))).size;
          same(run('xack', 's', 'g', ...targets.map((n) => `${n}-0`)), expected, 'step');
          for (const n of targets) pel.delete(n);
        } else if (op < 0.75) {
          const targets = [...new Set([pick([...pel.keys(), 1]), Math.ceil(rand() * added)])];
          const justId = rand() < 0.5;
          const force = rand() < 0.2;
          const r = run('xclaim', 's', 'g', who, '0', ...targets.map((n) => `${n}-0`), ...(justId ? ['JUSTID'] : []), ...(force ? ['FORCE'] : []));
          consumers.add(who);
          const claimed: number[] = [];
          for (const n of targets) {
            if (!live.has(n)) {
              pel.delete(n);
              continue;
            }
            let p = pel.get(n);
            if (p === undefined && force) pel.set(n, (p = { consumer: who, count: 1 }));
            if (p === undefined) continue;
            p.consumer = who;
            if (!justId) p.count++;
            claimed.push(n);
          }
          same(ids(r), claimed.map((n) => `${n}-0`), 'step');
        } else if (op < 0.85) {
          const count = 1 + Math.floor(rand() * 3);
          const start = Math.floor(rand() * (added + 1));
          const r = run('xautoclaim', 's', 'g', who, '0', String(start), 'COUNT', String(count));
          consumers.add(who);
          const claimed: number[] = [];
          const deleted: number[] = [];
          let budget = count;
          const candidates = pendingIds().filter((n) => n >= start);
          let i = 0;
          for (; i < candidates.length && budget > 0; i++) {
            const n = candidates[i];
            budget--;
            if (!live.has(n)) {
              pel.delete(n);
              deleted.push(n);
              continue;
            }
            const p = pel.get(n)!;
            p.consumer = who;
            p.count++;
            claimed.push(n);
          }
          const [next, got, gone] = r as [string, Captured[], string[]];
          same(next, i < candidates.length ? `${candidates[i]}-0` : '0-0', 'step');
          same(ids(got), claimed.map((n) => `${n}-0`), 'step');
          same(gone, deleted.map((n) => `${n}-0`), 'step');
        } else if (op < 0.95) {
          const n = Math.ceil(rand() * added);
          same(run('xdel', 's', `${n}-0`), live.delete(n) ? 1 : 0, 'step');
        } else {
          // Moving the group back re-delivers: entries already pending change owner and restart their count.
          lastDelivered = Math.floor(rand() * (added + 1));
          same(run('xgroup', 'setid', 's', 'g', `${lastDelivered}-0`), { type: 'simple', value: 'OK' }, 'step');
        }

        const s = c.db.get('s') as StreamValue;
        same(s.length, live.size, 'step');
        const g = s.group('g')!;
        same(
          [...g.pel].map((x) => [x.id.ms, x.consumer!.name, x.deliveryCount]),
          pendingIds().map((n) => [n, pel.get(n)!.consumer, pel.get(n)!.count]),
          'the group\'s pending entries',
        );
        for (const cons of g.consumers.values()) {
          same([...cons.pel].every((x) => x.consumer === cons), true, 'step');
          same([...cons.pel].map((x) => x.id.ms), pendingIds().filter((n) => pel.get(n)!.consumer === cons.name), 'step');
        }
        same([...g.consumers.keys()].sort(), [...consumers].sort(), 'step');
        const owners = CONSUMERS.map((x) => [x, [...pel.values()].filter((p) => p.consumer === x).length] as const).filter(([, n]) => n !== 0);
        const ordered = pendingIds();
        same(
          run('xpending', 's', 'g'),
          pel.size === 0
            ? [0, null, null, null]
            : [pel.size, `${ordered[0]}-0`, `${ordered[pel.size - 1]}-0`, owners.map(([x, n]) => [x, String(n)])],
          'XPENDING summary',
        );
      }
    }
  });
});

const handlers: Record<string, (c: Ctx, argv: string[]) => void> = {
  xadd, xgroup, xreadgroup, xack, xclaim, xautoclaim, xdel, xpending,
};
