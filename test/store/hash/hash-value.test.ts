import { describe, expect, test } from 'vitest';
import { HashValue, NO_DEADLINE, NO_FIELD, type HashLimits } from '../../../src/store/hash/hash-value.js';
import type { ValueSnapshot } from '../../../src/keyspace/value.js';
import { Rng } from '../../fuzz/rng.js';

interface Tuple {
  f: string;
  v: string;
  /** -1: none. */
  d: number;
}

/**
 * The naive model: tuples in an array, kept in the order Redis's listpack
 * (and listpackex) keeps them: pairs in insertion order with updates in
 * place; with deadlines allowed, fields with a deadline first, earliest
 * first, a new one before equal ones, and a field whose deadline is set or
 * dropped moving to its new place. The encoding is the one Redis would
 * report: it turns to hashtable once a write could not stay packed, and
 * never back.
 */
class Model {
  tuples: Tuple[] = [];
  encoding: 'listpack' | 'listpackex' | 'hashtable' = 'listpack';

  constructor(private readonly limits: HashLimits) {}

  private at(f: string): number {
    return this.tuples.findIndex((t) => t.f === f);
  }

  get size(): number {
    return this.tuples.length;
  }

  get(f: string): Tuple | undefined {
    return this.tuples[this.at(f)];
  }

  /** HSET's conversion check over all its arguments (hashTypeTryConversion), then each pair. */
  setMany(args: string[]): number {
    if (args.length / 2 > this.limits.entries || args.some((s) => s.length > this.limits.value)) this.encoding = 'hashtable';
    let added = 0;
    for (let i = 0; i < args.length; i += 2) if (this.setOne(args[i], args[i + 1], false)) added++;
    return added;
  }

  /** One pair (hashTypeSet): long strings convert first, one field too many after. */
  setOne(f: string, v: string, keep: boolean): boolean {
    if (f.length > this.limits.value || v.length > this.limits.value) this.encoding = 'hashtable';
    const i = this.at(f);
    if (i === -1) {
      this.tuples.push({ f, v, d: -1 });
      if (this.size > this.limits.entries) this.encoding = 'hashtable';
      return true;
    }
    const t = this.tuples[i];
    t.v = v;
    if (!keep && t.d !== -1) {
      this.tuples.splice(i, 1);
      this.tuples.push({ f, v, d: -1 });
    }
    return false;
  }

  delete(f: string): boolean {
    const i = this.at(f);
    if (i === -1) return false;
    this.tuples.splice(i, 1);
    return true;
  }

  allowDeadlines(): void {
    if (this.encoding === 'listpack') this.encoding = 'listpackex';
  }

  setDeadline(f: string, d: number): void {
    const i = this.at(f);
    const t = this.tuples.splice(i, 1)[0];
    let j = this.tuples.findIndex((u) => u.d === -1 || u.d >= d);
    if (j === -1) j = this.tuples.length;
    this.tuples.splice(j, 0, { ...t, d });
  }

  persist(f: string): boolean {
    const i = this.at(f);
    if (i === -1 || this.tuples[i].d === -1) return false;
    const t = this.tuples.splice(i, 1)[0];
    this.tuples.push({ ...t, d: -1 });
    return true;
  }

  /** What a read at `now` sees: fields whose deadline has not passed. */
  live(now: number): Tuple[] {
    return this.tuples.filter((t) => t.d === -1 || t.d >= now);
  }
}

function rebuilt(s: ValueSnapshot): { fields: Map<string, string>; deadlines: Map<string, number>; sizes: number[] } {
  const fields = new Map<string, string>();
  const deadlines = new Map<string, number>();
  const sizes: number[] = [];
  for (const it = s.rebuildCommands('k'); ; ) {
    const r = it.next();
    if (r.done) break;
    const cmd = r.value;
    if (cmd[0] === 'HSET' && cmd[1] === 'k') {
      sizes.push((cmd.length - 2) / 2);
      for (let i = 2; i < cmd.length; i += 2) fields.set(cmd[i], cmd[i + 1]);
    } else if (cmd[0] === 'HPEXPIREAT' && cmd[1] === 'k' && cmd[3] === 'FIELDS' && Number(cmd[4]) === cmd.length - 5) {
      sizes.push(cmd.length - 5);
      for (const f of cmd.slice(5)) deadlines.set(f, Number(cmd[2]));
    } else {
      expect.fail(`unexpected rebuild command ${cmd.join(' ')}`);
    }
  }
  return { fields, deadlines, sizes };
}

function contents(h: HashValue, now = -1): [string, string][] {
  const out: [string, string][] = [];
  h.forEach((f, v) => out.push([f, v]), now);
  return out;
}

const byField = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The value and the model agree: same pairs (in the same order while packed), size, encoding, deadlines. */
function agree(h: HashValue, m: Model, now: number, where: string): void {
  const fail = (what: string) => expect.fail(`${where}: ${what}`);
  if (h.encoding() !== m.encoding) fail(`encoding ${h.encoding()}, model ${m.encoding}`);
  if (h.size !== m.size) fail(`size ${h.size}, model ${m.size}`);
  for (const seen of [-1, now]) {
    const mine = contents(h, seen);
    const theirs: [string, string][] = (seen === -1 ? m.tuples : m.live(seen)).map((t) => [t.f, t.v]);
    if (m.encoding === 'hashtable') {
      mine.sort(byField);
      theirs.sort(byField);
    }
    let same = mine.length === theirs.length;
    for (let i = 0; same && i < mine.length; i++) same = mine[i][0] === theirs[i][0] && mine[i][1] === theirs[i][1];
    if (!same) fail(`pairs ${JSON.stringify(mine)}, model ${JSON.stringify(theirs)}`);
  }
  if (h.liveSize(now) !== m.live(now).length) fail(`live size ${h.liveSize(now)}, model ${m.live(now).length}`);
  const deadlines = m.tuples.filter((t) => t.d !== -1).map((t) => t.d);
  const next = deadlines.length === 0 ? -1 : Math.min(...deadlines);
  if (h.nextDeadline() !== next) fail(`next deadline ${h.nextDeadline()}, model ${next}`);
}

describe('HashValue against a naive model', () => {
  test('thousands of random operation sequences cross the thresholds, with deadlines, snapshots and clones along the way', () => {
    const alphabet = ['a', 'b', 'c', 'é', '\x00', 'field', 'x'.repeat(7), 'longer-field-name', ''];
    for (let seed = 1; seed <= 2000; seed++) {
      const rng = new Rng(seed);
      const limits = { entries: rng.int(10), value: rng.int(12) };
      const word = () => rng.pick(alphabet) + (rng.chance(0.5) ? String(rng.int(12)) : '');
      const existing = () => (rng.chance(0.7) && m.size > 0 ? rng.pick(m.tuples).f : word());
      const h = new HashValue();
      const m = new Model(limits);
      const snapshots: { snap: ValueSnapshot; at: Tuple[] }[] = [];
      let clone: { h: HashValue; m: Tuple[] } | null = null;
      for (let op = 0; op < 60; op++) {
        const where = `seed ${seed} op ${op} (limits ${limits.entries}/${limits.value})`;
        const now = 1000 + rng.int(10);
        const kind = rng.int(14);
        if (kind < 3) {
          const args: string[] = [];
          for (let n = rng.int(4) + 1; n > 0; n--) args.push(word(), word());
          if (h.setPairs(args, 0, limits) !== m.setMany(args)) expect.fail(`${where}: added count`);
        } else if (kind < 5) {
          const f = existing();
          const v = word();
          const keep = rng.chance(0.3);
          if (h.set(f, v, limits, keep) !== m.setOne(f, v, keep)) expect.fail(`${where}: set ${f}`);
        } else if (kind < 7) {
          const f = existing();
          if (h.delete(f) !== m.delete(f)) expect.fail(`${where}: delete ${f}`);
        } else if (kind === 7) {
          const f = word();
          const t = m.get(f);
          if (h.get(f) !== t?.v || h.has(f) !== (t !== undefined)) expect.fail(`${where}: get ${f}`);
          if (h.deadline(f) !== (t === undefined ? NO_FIELD : t.d === -1 ? NO_DEADLINE : t.d)) expect.fail(`${where}: deadline ${f}`);
        } else if (kind < 10) {
          h.allowDeadlines();
          m.allowDeadlines();
          const f = existing();
          if (m.get(f) !== undefined) {
            const d = 1000 + rng.int(10);
            h.setDeadline(f, d);
            m.setDeadline(f, d);
          }
        } else if (kind === 10) {
          const f = existing();
          if (h.persist(f) !== m.persist(f)) expect.fail(`${where}: persist ${f}`);
        } else if (kind === 11) {
          const max = rng.int(4) + 1;
          const taken = h.takeDue(now, max);
          const due = m.tuples.filter((t) => t.d !== -1 && t.d <= now);
          if (taken.length !== Math.min(max, due.length)) expect.fail(`${where}: took ${taken.length} of ${due.length}`);
          const takenDeadlines = taken.map((f) => m.get(f)!.d);
          const left = due.filter((t) => !taken.includes(t.f)).map((t) => t.d);
          if (takenDeadlines.some((d) => d > now) || Math.max(...takenDeadlines) > Math.min(...left)) {
            expect.fail(`${where}: took ${taken.join(',')}, not the earliest due`);
          }
          for (const f of taken) {
            h.delete(f);
            m.delete(f);
          }
        } else if (kind === 12) {
          snapshots.push({ snap: h.snapshot(), at: m.tuples.map((t) => ({ ...t })) });
        } else {
          clone = { h: h.clone(), m: m.tuples.map((t) => ({ ...t })) };
          clone.h.set('only-in-clone', 'x', limits);
          clone.m.push({ f: 'only-in-clone', v: 'x', d: -1 });
        }
        agree(h, m, now, where);
        if (m.size > 0 && m.get(h.randomField()) === undefined) expect.fail(`${where}: random field`);
      }
      for (const { snap, at } of snapshots) {
        const { fields, deadlines, sizes } = rebuilt(snap);
        const same =
          fields.size === at.length && at.every((t) => fields.get(t.f) === t.v && (deadlines.get(t.f) ?? -1) === t.d) &&
          sizes.every((n) => n >= 1 && n <= 64);
        if (!same) expect.fail(`seed ${seed}: a snapshot changed`);
      }
      if (clone !== null) {
        const copy = new Map(contents(clone.h));
        if (copy.size !== clone.m.length || !clone.m.every((t) => copy.get(t.f) === t.v && clone!.h.deadline(t.f) === t.d)) {
          expect.fail(`seed ${seed}: the clone differs`);
        }
      }
    }
  });
});

describe('HashValue encodings', () => {
  const limits = { entries: 512, value: 64 };

  test('a packed hash keeps insertion order through updates, deletes and re-adds', () => {
    const h = new HashValue();
    expect(h.setPairs(['z', '1', 'a', '2', 'm', '3', 'a', 'A'], 0, limits)).toBe(3);
    h.set('z', 'Z', limits);
    h.delete('a');
    h.set('a', 'again', limits);
    expect(contents(h)).toEqual([['z', 'Z'], ['m', '3'], ['a', 'again']]);
    expect(h.encoding()).toBe('listpack');
  });

  test('with deadlines a packed hash is listpackex: fields with one first, earliest first, until it converts', () => {
    const h = new HashValue();
    h.setPairs(['a', '1', 'b', '2', 'c', '3', 'd', '4'], 0, limits);
    h.allowDeadlines();
    expect(h.encoding()).toBe('listpackex');
    h.setDeadline('c', 2000);
    h.setDeadline('d', 1000);
    h.setDeadline('a', 2000);
    expect(contents(h).map(([f]) => f)).toEqual(['d', 'a', 'c', 'b']);
    expect(h.nextDeadline()).toBe(1000);
    h.persist('d');
    expect(contents(h).map(([f]) => f)).toEqual(['a', 'c', 'b', 'd']);
    h.set('x', 'y'.repeat(65), limits);
    expect(h.encoding()).toBe('hashtable');
    expect([h.deadline('a'), h.deadline('c'), h.deadline('b'), h.deadline('nosuch')]).toEqual([2000, 2000, NO_DEADLINE, NO_FIELD]);
  });

  test('a table holds strings of its own, not views into the packed string it came from', () => {
    const h = new HashValue();
    const long = 'f'.repeat(40);
    h.set(long, 'v'.repeat(40), limits);
    h.set('big', 'x'.repeat(10_000), limits);
    expect(h.large).not.toBeNull();
    expect(h.get(long)).toBe('v'.repeat(40));
  });

  test('a hash that is a hashtable only for a long string reports hashtable for good, and stays packed until it passes 8 KiB or the entry limit', () => {
    const job = new HashValue();
    job.setPairs(['name', 'email', 'data', `{"to":"${'u'.repeat(80)}"}`, 'delay', '0'], 0, limits);
    expect(job.encoding()).toBe('hashtable');
    expect(job.large).toBeNull();
    job.set('data', '{}', limits);
    job.set('processedOn', '1795471332565', limits);
    expect(job.encoding()).toBe('hashtable');
    expect(job.large).toBeNull();
    expect(contents(job)).toEqual([['name', 'email'], ['data', '{}'], ['delay', '0'], ['processedOn', '1795471332565']]);
    expect(job.clone().encoding()).toBe('hashtable');
    for (let i = 0; job.large === null; i++) job.set(`f${i}`, 'v'.repeat(60), limits);
    expect(job.encoding()).toBe('hashtable');
    expect(job.size).toBeLessThan(140);
    expect(job.get('processedOn')).toBe('1795471332565');

    const many = new HashValue();
    many.set('long', 'x'.repeat(100), { entries: 8, value: 64 });
    for (let i = 0; i < 8; i++) many.set(`f${i}`, 'v', { entries: 8, value: 64 });
    expect(many.large).not.toBeNull();
    expect(many.size).toBe(9);
  });

  test('a value too big for the small form moves the hash into a table', () => {
    const h = new HashValue();
    h.set('long', 'x'.repeat(100), limits);
    expect(h.large).toBeNull();
    h.set('huge', 'y'.repeat(1 << 20), limits);
    expect(h.large).not.toBeNull();
    expect(h.get('huge')).toHaveLength(1 << 20);
  });

  test('longest() bounds field and value lengths: exactly when packed, as high-water marks for a table', () => {
    const h = new HashValue();
    h.set('abc', '12345', limits);
    h.set('a', '1', limits);
    expect(h.longest()).toEqual({ field: 3, value: 5 });
    h.set('k', 'x'.repeat(10_000), limits);
    h.delete('k');
    expect(h.longest()).toEqual({ field: 3, value: 10_000 });
  });

  test('rebuild commands are HSETs of at most 64 pairs, for both encodings, then HPEXPIREATs (a packed hash\'s grouping equal deadlines)', () => {
    for (const n of [1, 64, 65, 200, 600]) {
      const h = new HashValue();
      for (let i = 0; i < n; i++) h.set(`f${i}`, `v${i}`, limits);
      expect(h.encoding()).toBe(n > 512 ? 'hashtable' : 'listpack');
      h.allowDeadlines();
      for (let i = 0; i < n; i += 2) h.setDeadline(`f${i}`, 5000 + (i % 3));
      const { fields, deadlines, sizes } = rebuilt(h.snapshot());
      expect(fields.size).toBe(n);
      expect(deadlines.size).toBe(Math.ceil(n / 2));
      expect(sizes.slice(0, Math.ceil(n / 64))).toEqual([...Array(Math.floor(n / 64)).fill(64), ...(n % 64 ? [n % 64] : [])]);
      // Packed, fields come in deadline order: at most three distinct deadlines, so few commands beyond the HSETs.
      if (n <= 512) expect(sizes.length - Math.ceil(n / 64)).toBeLessThanOrEqual(3 + Math.ceil(n / 2 / 64));
    }
  });
});
