import type { Ctx } from '../../core/context.js';
import { CommandError, NO_SUCH_KEY, NOT_INTEGER } from '../../core/errors.js';
import { helpReply, subcommandSyntaxError } from '../../core/help.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { readStream, replyEntry, replyId } from './stream-access.js';
import { ENTRIES_READ_UNKNOWN, sortedGroups, type Group } from './group.js';
import { MAX_ID, MIN_ID, type U64 } from './id.js';
import { groupLag } from './lag.js';
import type { StreamValue } from './stream-value.js';
import { replyRange } from './xrange.js';

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

function nullableInt(c: Ctx, n: U64 | null): void {
  if (n === null) c.reply.nullBulk();
  else c.reply.integer(n);
}

function entriesRead(g: Group): U64 | null {
  return g.entriesRead === ENTRIES_READ_UNKNOWN ? null : g.entriesRead;
}

/** The first or last entry, or null (XINFO STREAM). */
function replyEdge(c: Ctx, s: StreamValue, first: boolean): void {
  for (const e of s.range(undefined, undefined, !first)) {
    replyEntry(c, e.id, e.reader.pairs());
    return;
  }
  c.reply.nullBulk();
}

function streamInfo(c: Ctx, argv: string[], s: StreamValue): void {
  let full = false;
  let count = 10;
  const optc = argv.length - 3;
  if (optc !== 0) {
    if ((optc !== 1 && optc !== 3) || optionWord(argv[3]) !== 'full') throw new CommandError(subcommandSyntaxError(argv));
    if (optc === 3) {
      if (optionWord(argv[4]) !== 'count') throw new CommandError(subcommandSyntaxError(argv));
      const n = toInt64(argv[5]);
      if (n === null) throw new CommandError(NOT_INTEGER);
      count = n < 0n ? 10 : Number(n);
    }
    full = true;
  }
  const r = c.reply;
  r.map(full ? 9 : 10);
  r.bulk('length');
  r.integer(s.length);
  r.bulk('radix-tree-keys');
  r.integer(s.radixTreeKeys);
  r.bulk('radix-tree-nodes');
  r.integer(s.radixTreeNodes());
  r.bulk('last-generated-id');
  replyId(r, s.lastId);
  r.bulk('max-deleted-entry-id');
  replyId(r, s.maxDeletedId);
  r.bulk('entries-added');
  r.integer(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  replyId(r, s.firstId);
  if (!full) {
    r.bulk('groups');
    r.integer(s.groups?.size ?? 0);
    r.bulk('first-entry');
    replyEdge(c, s, true);
    r.bulk('last-entry');
    replyEdge(c, s, false);
    return;
  }
  r.bulk('entries');
  replyRange(c, s, MIN_ID, MAX_ID, count, false);
  r.bulk('groups');
  const groups = sortedGroups(s.groups);
  r.array(groups.length);
  for (const g of groups) {
    r.map(7);
    r.bulk('name');
    r.bulk(g.name);
    r.bulk('last-delivered-id');
    replyId(r, g.lastId);
    r.bulk('entries-read');
    nullableInt(c, entriesRead(g));
    r.bulk('lag');
    nullableInt(c, groupLag(s, g));
    r.bulk('pel-count');
    r.integer(g.pel.size);
    r.bulk('pending');
    const pel = g.pel.head(count === 0 ? Infinity : count);
    r.array(pel.length);
    for (const n of pel) {
      r.array(4);
      replyId(r, n.id);
      r.bulk(n.consumer!.name);
      r.integer(n.deliveryTime);
      r.integer(n.deliveryCount);
    }
    r.bulk('consumers');
    const consumers = g.sortedConsumers();
    r.array(consumers.length);
    for (const cons of consumers) {
      r.map(5);
      r.bulk('name');
      r.bulk(cons.name);
      r.bulk('seen-time');
      r.integer(cons.seenTime);
      r.bulk('active-time');
      r.integer(cons.activeTime);
      r.bulk('pel-count');
      r.integer(cons.pel.size);
      r.bulk('pending');
      const own = cons.pel.head(count === 0 ? Infinity : count);
      r.array(own.length);
      for (const n of own) {
        r.array(3);
        replyId(r, n.id);
        r.integer(n.deliveryTime);
        r.integer(n.deliveryCount);
      }
    }
  }
}

/** XINFO STREAM key [FULL [COUNT count]] | GROUPS key | CONSUMERS key group | HELP */
export function xinfo(c: Ctx, argv: string[]): void {
  const sub = optionWord(argv[1]);
  if (sub === 'help') {
    helpReply(c, argv, XINFO_HELP);
    return;
  }
  const key = argv[2];
  const s = readStream(c, key);
  if (s === undefined) throw new CommandError(NO_SUCH_KEY);
  const r = c.reply;
  if (sub === 'consumers' && argv.length === 4) {
    const g = s.group(argv[3]);
    if (g === undefined) throw new CommandError(`NOGROUP No such consumer group '${argv[3]}' for key name '${key}'`);
    const now = c.keyspace.now;
    const consumers = g.sortedConsumers();
    r.array(consumers.length);
    for (const cons of consumers) {
      r.map(4);
      r.bulk('name');
      r.bulk(cons.name);
      r.bulk('pending');
      r.integer(cons.pel.size);
      r.bulk('idle');
      r.integer(Math.max(0, now - cons.seenTime));
      r.bulk('inactive');
      r.integer(cons.activeTime === -1 ? -1 : now - cons.activeTime);
    }
  } else if (sub === 'groups' && argv.length === 3) {
    const groups = sortedGroups(s.groups);
    r.array(groups.length);
    for (const g of groups) {
      r.map(6);
      r.bulk('name');
      r.bulk(g.name);
      r.bulk('consumers');
      r.integer(g.consumers.size);
      r.bulk('pending');
      r.integer(g.pel.size);
      r.bulk('last-delivered-id');
      replyId(r, g.lastId);
      r.bulk('entries-read');
      nullableInt(c, entriesRead(g));
      r.bulk('lag');
      nullableInt(c, groupLag(s, g));
    }
  } else if (sub === 'stream') {
    streamInfo(c, argv, s);
  } else {
    throw new CommandError(subcommandSyntaxError(argv));
  }
}
