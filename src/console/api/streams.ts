import type { Captured } from '../../core/capture-reply.js';
import { clip, toBytes } from '../bytes.js';
import { arr, map, num, str } from '../replies.js';
import type { Session } from '../session.js';
import type { ConsumerInfo, Denied, GroupInfo, Page, PendingEntry, StreamDetail, StreamEntry, StreamSummary } from '../web/types.js';
import { optional, scanSlices } from './common.js';

/** Groups, and consumers of a group, shown at most. */
const MAX_GROUPS = 50;
const MAX_CONSUMERS = 100;
export const MAX_ENTRIES = 200;

export function entry(e: Captured): StreamEntry {
  const [id, fields] = arr(e);
  const flat = arr(fields);
  const pairs: [ReturnType<typeof toBytes>, ReturnType<typeof toBytes>][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([clip(str(flat[i])), clip(str(flat[i + 1]))]);
  return { id: str(id), fields: pairs };
}

function entryId(e: Captured): string | null {
  return e === null ? null : str(arr(e)[0]);
}

/** The Streams view's list: a page of SCAN … TYPE stream, each stream's XINFO STREAM (not FULL: bounded). */
export async function streams(s: Session, cursor: string, db: number): Promise<Page<StreamSummary> & { denied: Denied[] }> {
  await s.select(db);
  const denied: Denied[] = [];
  const page = await scanSlices(s, cursor, ['TYPE', 'stream'], 50);
  const items: StreamSummary[] = [];
  let memoryAllowed = true;
  for (const key of page.keys) {
    const info = await s.raw('XINFO', 'STREAM', key);
    if (typeof info === 'object' && info !== null && !Array.isArray(info) && info.type === 'error') {
      // Deleted since the scan, or not readable by this user: left out.
      if (info.message.startsWith('NOPERM')) denied.push({ what: `stream ${key}`, error: info.message });
      continue;
    }
    const m = map(info);
    let memory: number | null = null;
    if (memoryAllowed) {
      memory = await optional(denied, 'memory usage', async () => num(await s.call('MEMORY', 'USAGE', key)));
      memoryAllowed = memory !== null;
    }
    items.push({
      key: toBytes(key),
      length: num(m.get('length') ?? 0),
      firstId: entryId(m.get('first-entry') ?? null),
      lastId: entryId(m.get('last-entry') ?? null),
      groups: num(m.get('groups') ?? 0),
      memory,
    });
  }
  return { cursor: page.cursor, items, denied };
}

/** One stream: XINFO STREAM, its groups (XINFO GROUPS) and each group's consumers (XINFO CONSUMERS). */
export async function stream(s: Session, key: string, db: number): Promise<StreamDetail> {
  await s.select(db);
  const denied: Denied[] = [];
  const m = map(await s.call('XINFO', 'STREAM', key));
  const groups: GroupInfo[] = [];
  for (const g of arr(await s.call('XINFO', 'GROUPS', key)).slice(0, MAX_GROUPS)) {
    const gm = map(g);
    const name = str(gm.get('name') ?? '');
    const consumers = await optional(denied, `consumers of ${name}`, async () =>
      arr(await s.call('XINFO', 'CONSUMERS', key, name)).slice(0, MAX_CONSUMERS).map((c): ConsumerInfo => {
        const cm = map(c);
        return { name: toBytes(str(cm.get('name') ?? '')), pending: num(cm.get('pending') ?? 0), idle: num(cm.get('idle') ?? 0), inactive: num(cm.get('inactive') ?? -1) };
      }),
    );
    const lag = gm.get('lag') ?? null;
    const read = gm.get('entries-read') ?? null;
    groups.push({
      name: toBytes(name),
      consumers: num(gm.get('consumers') ?? 0),
      pending: num(gm.get('pending') ?? 0),
      lastDeliveredId: str(gm.get('last-delivered-id') ?? ''),
      entriesRead: read === null ? null : num(read),
      lag: lag === null ? null : num(lag),
      consumerList: consumers ?? [],
    });
  }
  return {
    key: toBytes(key),
    length: num(m.get('length') ?? 0),
    lastGeneratedId: str(m.get('last-generated-id') ?? ''),
    firstId: entryId(m.get('first-entry') ?? null),
    lastId: entryId(m.get('last-entry') ?? null),
    groups,
    denied,
  };
}

/** A group's pending entries (XPENDING's extended form), of one consumer or all. */
export async function pending(s: Session, key: string, group: string, consumer: string | null, db: number): Promise<PendingEntry[]> {
  await s.select(db);
  const argv = ['XPENDING', key, group, '-', '+', '100'];
  if (consumer !== null) argv.push(consumer);
  return arr(await s.call(...argv)).map((p) => {
    const [id, owner, idle, deliveries] = arr(p);
    return { id: str(id), consumer: toBytes(str(owner)), idle: num(idle), deliveries: num(deliveries) };
  });
}

/** Entries by range: XRANGE start end, or XREVRANGE from `end` down when `reverse`. */
export async function range(s: Session, key: string, start: string, end: string, count: number, reverse: boolean, db: number): Promise<StreamEntry[]> {
  await s.select(db);
  const argv = reverse ? ['XREVRANGE', key, end, start] : ['XRANGE', key, start, end];
  return arr(await s.call(...argv, 'COUNT', String(Math.min(count, MAX_ENTRIES)))).map(entry);
}

