import { describe, expect, test } from 'vitest';
import { Evictor } from '../../../src/store/eviction/evict.js';
import { Keyspace } from '../../../src/keyspace/keyspace.js';
import { block, recordingSink } from '../../helpers/latency-sink.js';

function evictor(keys: number): { ks: Keyspace; ev: Evictor } {
  const ks = new Keyspace(1);
  ks.listener = { expired() {}, notify() {}, propagate() {}, flushedAll() {} };
  for (let i = 0; i < keys; i++) ks.db(0).set(`k${i}`, 'v');
  const ev = new Evictor(ks);
  ev.setPolicy('allkeys-random');
  ev.tenacity = 100;
  return { ks, ev };
}

describe('eviction latency events', () => {
  test('a key whose deletion blocks is an eviction-del sample, and its cycle an eviction-cycle sample', () => {
    const { ks, ev } = evictor(10);
    const sink = recordingSink();
    ev.latency = sink;
    const db = ks.db(0);
    const remove = db.remove.bind(db);
    let slow = true;
    db.remove = (key: string) => {
      if (slow) block(2);
      slow = false;
      remove(key);
    };
    expect(ev.run(() => db.size - 5)).toBe('ok');
    // Any other deletion may take a millisecond too on a busy machine: the slow one is there, and the cycle comes last.
    expect(sink.events).toContain('eviction-del');
    expect(sink.events.at(-1)).toBe('eviction-cycle');
  });

  test('under the limit there is no cycle, so no sample, whatever the clock says', () => {
    const { ks, ev } = evictor(10);
    const sink = { threshold: 1, addIfNeeded: (event: string) => void sink.events.push(event), events: [] as string[] };
    ev.latency = sink;
    expect(ev.run(() => ks.db(0).size - 20)).toBe('ok');
    expect(sink.events).toEqual([]);
  });
});
