import type { Registry } from 'prom-client';
import type { PromClient } from './metrics.js';
import { globMatch } from '../core/glob.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import { ListValue } from '../queues/list/list-value.js';
import { groupLag } from '../queues/stream/lag.js';
import { StreamValue } from '../queues/stream/stream-value.js';

/** Keys reported at most: each is a few series, and a scrape reads them all. */
export const MAX_WATCHED = 500;
/** Keys the cron looks at per tick while patterns are set; a slice of SCAN is this in steps of STEP. */
const PER_TICK = 1000;
const STEP = 100;

/**
 * The streams and lists whose names match `metrics-keys`. A name without
 * glob characters is looked up at each scrape; patterns are matched by a
 * scan the cron runs a slice at a time (PER_TICK keys a tick, database
 * after database), so no scrape and no tick walks the whole keyspace: a
 * key created since is reported once the scan has passed it, and one
 * deleted is dropped at the next scrape.
 */
export class WatchedKeys {
  private exact: string[] = [];
  private globs: string[] = [];
  /** What the last complete pass found, per database index. */
  private found = new Map<number, Set<string>>();
  private pass = new Map<number, Set<string>>();
  private db = 0;
  private cursor = 0;
  private count = 0;
  /** The pass found more than MAX_WATCHED keys (the rest are not reported). */
  truncated = false;

  constructor(private readonly keyspace: Keyspace) {}

  configure(spec: string): void {
    const words = spec.split(' ').filter(Boolean);
    this.exact = words.filter((w) => !/[*?[\\]/.test(w));
    this.globs = words.filter((w) => /[*?[\\]/.test(w));
    this.found = new Map();
    this.pass = new Map();
    this.db = this.cursor = this.count = 0;
  }

  /** One cron tick's slice of the scan. */
  tick(): void {
    if (this.globs.length === 0) return;
    const dbs = this.keyspace.dbs;
    const keys: string[] = [];
    let looked = 0;
    while (looked < PER_TICK) {
      keys.length = 0;
      this.cursor = dbs[this.db].dict.scan(this.cursor, STEP, keys);
      looked += Math.max(keys.length, 1);
      for (const k of keys) {
        if (this.count >= MAX_WATCHED || !this.globs.some((g) => globMatch(g, k))) continue;
        let set = this.pass.get(this.db);
        if (set === undefined) this.pass.set(this.db, (set = new Set()));
        if (!set.has(k)) {
          set.add(k);
          this.count++;
        }
      }
      if (this.cursor !== 0) continue;
      if (++this.db < dbs.length) continue;
      this.truncated = this.count >= MAX_WATCHED;
      this.found = this.pass;
      this.pass = new Map();
      this.db = this.count = 0;
      return;
    }
  }

  /** Every watched key that holds a list or a stream now, with its value. */
  *values(): Generator<[db: number, key: string, value: ListValue | StreamValue]> {
    const dbs = this.keyspace.dbs;
    const seen = new Set<string>();
    const visit = function* (db: number, key: string): Generator<[number, string, ListValue | StreamValue]> {
      const d = dbs[db];
      const v = d.dict.get(key);
      if (v === undefined || d.isExpired(key)) return;
      if (v instanceof ListValue || v instanceof StreamValue) yield [db, key, v];
    };
    for (const [db, keys] of this.found) {
      for (const key of keys) {
        seen.add(`${db}\u0000${key}`);
        yield* visit(db, key);
      }
    }
    for (const key of this.exact) {
      for (let db = 0; db < dbs.length; db++) if (!seen.has(`${db}\u0000${key}`) && dbs[db].dict.get(key) !== undefined) yield* visit(db, key);
    }
  }
}

/** Key names as label values: their bytes read as UTF-8. */
const label = (key: string) => Buffer.from(key, 'latin1').toString('utf8');

/** The gauges of the watched streams and lists, read from their values at each scrape. */
export function registerKeyMetrics(pc: PromClient, registry: Registry, watched: WatchedKeys): void {
  const { Gauge } = pc;
  const registers = [registry];
  const perKey = ['db', 'key'] as const;
  const perGroup = ['db', 'key', 'group'] as const;
  // Registered first: a scrape collects in registration order, and this one's walk fills the per-key gauges below.
  new Gauge({
    name: 'sluice_metrics_keys_truncated',
    help: `1 when metrics-keys matches more than ${MAX_WATCHED} keys, of which only ${MAX_WATCHED} are reported`,
    registers,
    collect() {
      // One walk of the watched keys fills every per-key gauge for this scrape.
      for (const g of [listLength, streamLength, pending, lag, consumers]) g.reset();
      for (const [db, key, v] of watched.values()) {
        const at = { db: String(db), key: label(key) };
        if (v instanceof ListValue) {
          listLength.set(at, v.length);
          continue;
        }
        streamLength.set(at, v.length);
        for (const [name, g] of v.groups ?? []) {
          const ag = { ...at, group: label(name) };
          pending.set(ag, g.pel.size);
          consumers.set(ag, g.consumers.size);
          const l = groupLag(v, g);
          if (l !== null) lag.set(ag, Number(l));
        }
      }
      this.set(watched.truncated ? 1 : 0);
    },
  });
  const listLength = new Gauge({ name: 'sluice_list_length', help: 'Elements of each list metrics-keys matches', labelNames: perKey, registers });
  const streamLength = new Gauge({ name: 'sluice_stream_length', help: 'Entries of each stream metrics-keys matches', labelNames: perKey, registers });
  const pending = new Gauge({ name: 'sluice_stream_group_pending', help: 'Entries delivered to a consumer group and not yet acknowledged (XPENDING)', labelNames: perGroup, registers });
  const lag = new Gauge({ name: 'sluice_stream_group_lag', help: 'Entries not yet delivered to a consumer group (XINFO GROUPS lag; absent when it cannot be known)', labelNames: perGroup, registers });
  const consumers = new Gauge({ name: 'sluice_stream_group_consumers', help: 'Consumers of a consumer group', labelNames: perGroup, registers });
}
