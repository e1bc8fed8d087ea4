import { sortedGroups } from './group.js';
import { formatId } from './id.js';
import type { StreamValue } from './stream-value.js';

/**
 * Redis's rewriteStreamObject: an XADD per entry (or, for an empty
 * stream, XADD MAXLEN 0 of a dummy entry), XSETID with the last ID,
 * entries added and highest deleted ID, then per group XGROUP CREATE …
 * ENTRIESREAD, and per consumer either XGROUP CREATECONSUMER or an XCLAIM
 * … FORCE per pending entry carrying its delivery time and count.
 */
export function* streamRebuildCommands(s: StreamValue, key: string): Iterator<string[]> {
  if (s.length !== 0) {
    for (const e of s.range()) yield ['XADD', key, formatId(e.id), ...e.reader.pairs()];
  } else {
    yield ['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y'];
  }
  yield ['XSETID', key, formatId(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', formatId(s.maxDeletedId)];
  for (const g of sortedGroups(s.groups)) {
    yield ['XGROUP', 'CREATE', key, g.name, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)];
    for (const c of g.sortedConsumers()) {
      if (c.pel.size === 0) {
        yield ['XGROUP', 'CREATECONSUMER', key, g.name, c.name];
        continue;
      }
      for (const n of c.pel) {
        yield [
          'XCLAIM', key, g.name, c.name, '0', formatId(n.id), 'TIME', String(n.deliveryTime),
          'RETRYCOUNT', String(n.deliveryCount), 'JUSTID', 'FORCE',
        ];
      }
    }
  }
}
