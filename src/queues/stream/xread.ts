import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { noGroup, readStream, replyEntry } from './stream-access.js';
import { alsoPropagate, deliverHistory, deliverNew, type Delivered } from './deliver.js';
import { Consumer, type Group } from './group.js';
import { compareIds, formatId, MAX_ID, MIN_ID, nextId, strictIdArg, type StreamId } from './id.js';
import type { StreamValue } from './stream-value.js';

const INT64_MAX = 2n ** 63n - 1n;

/** A BLOCK argument in milliseconds (Redis's getTimeoutFromObjectOrReply): the deadline, 0 for none. */
function blockDeadline(arg: string, now: number): number {
  const ms = toInt64(arg);
  if (ms === null) throw new CommandError('ERR timeout is not an integer or out of range');
  if (ms < 0n) throw new CommandError('ERR timeout is negative');
  if (ms === 0n) return 0;
  if (ms > INT64_MAX - BigInt(now)) throw new CommandError('ERR timeout is out of range');
  return now + Number(ms);
}

/** `$` or `>` as Redis compares them (strcmp: a NUL ends the argument). */
function isSymbol(arg: string, symbol: string): boolean {
  return arg === symbol || arg.startsWith(symbol + '\0');
}

/** Redis's streamCreateConsumer with notification and a change counted. */
export function createConsumer(c: Ctx, key: string, group: Group, name: string): Consumer {
  const consumer = new Consumer(name, c.keyspace.now);
  group.consumers.set(name, consumer);
  c.keyspace.dirty++;
  c.keyspace.notify(c.db, 't', 'xgroup-createconsumer', key);
  return consumer;
}

/**
 * XREAD [COUNT count] [BLOCK ms] STREAMS key … id …, and XREADGROUP GROUP
 * group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key … id …
 * (Redis's xreadCommand). Arguments are all checked (keys' types, groups,
 * IDs) before anything changes; then each stream that has something is
 * served; with none and BLOCK, the client waits, `$` having been replaced
 * by the ID it stood for so that the command can run again as it is.
 */
function xreadGeneric(withGroup: boolean) {
  const name = withGroup ? 'xreadgroup' : 'xread';
  return (c: Ctx, argv: string[]): void => {
    let deadline = -1;
    let count = 0;
    let streamsArg = 0;
    let n = 0;
    let noack = false;
    let groupName: string | null = null;
    let consumerName = '';
    for (let i = 1; i < argv.length; i++) {
      const more = argv.length - i - 1;
      const o = optionWord(argv[i]);
      if (o === 'block' && more > 0) {
        // Redis refuses BLOCK from scripts outright, where other blocking commands answer at once.
        if (c.fromScript) throw new CommandError(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
        deadline = blockDeadline(argv[++i], c.keyspace.now);
      } else if (o === 'count' && more > 0) {
        const v = toInt64(argv[++i]);
        if (v === null) throw new CommandError('ERR value is not an integer or out of range');
        count = v < 0n ? 0 : Number(v);
      } else if (o === 'streams' && more > 0) {
        streamsArg = i + 1;
        n = argv.length - streamsArg;
        if (n % 2 !== 0) {
          throw new CommandError(
            `ERR Unbalanced '${name}' list of streams: for each stream key an ID or '${withGroup ? '>' : '$'}' must be specified.`,
          );
        }
        n /= 2;
        break;
      } else if (o === 'group' && more >= 2) {
        if (!withGroup) throw new CommandError('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        groupName = argv[i + 1];
        consumerName = argv[i + 2];
        i += 2;
      } else if (o === 'noack') {
        if (!withGroup) throw new CommandError('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        noack = true;
      } else {
        throw new CommandError(SYNTAX);
      }
    }
    if (streamsArg === 0) throw new CommandError(SYNTAX);
    if (withGroup && groupName === null) throw new CommandError('ERR Missing GROUP option for XREADGROUP');

    const ids: StreamId[] = [];
    const groups: Group[] = [];
    for (let k = 0; k < n; k++) {
      const key = argv[streamsArg + k];
      const arg = argv[streamsArg + n + k];
      const s = readStream(c, key);
      if (groupName !== null) {
        const g = s?.group(groupName);
        if (g === undefined) throw noGroup(key, groupName, ' in XREADGROUP with GROUP option');
        groups.push(g);
      }
      if (isSymbol(arg, '$')) {
        if (withGroup) {
          throw new CommandError(
            'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by '
            + 'specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
          );
        }
        ids.push(s === undefined ? MIN_ID : s.lastId);
      } else if (isSymbol(arg, '>')) {
        if (!withGroup) {
          throw new CommandError('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
        }
        ids.push(MAX_ID);
      } else {
        ids.push(strictIdArg(arg));
      }
    }

    const served: { key: string; entries: Delivered[] }[] = [];
    for (let k = 0; k < n; k++) {
      const key = argv[streamsArg + k];
      const s = readStream(c, key);
      if (s === undefined) continue;
      let after = ids[k];
      let serve = false;
      let history = false;
      let consumer: Consumer | null = null;
      const g = withGroup ? groups[k] : null;
      if (g !== null) {
        if (compareIds(after, MAX_ID) !== 0) {
          serve = history = true;
        } else if (s.length !== 0 && compareIds(lastValidId(s), g.lastId) > 0) {
          serve = true;
          after = g.lastId;
        }
        consumer = g.consumers.get(consumerName) ?? null;
        if (consumer === null) {
          consumer = createConsumer(c, key, g, consumerName);
          if (noack) alsoPropagate(c, () => ['XGROUP', 'CREATECONSUMER', key, g.name, consumerName]);
        }
        consumer.seenTime = c.keyspace.now;
      } else if (s.length !== 0 && compareIds(lastValidId(s), after) > 0) {
        serve = true;
      }
      if (!serve) continue;
      const start = nextId(after) ?? MIN_ID;
      let entries: Delivered[];
      if (g === null) {
        entries = [];
        for (const e of s.range(start, MAX_ID)) {
          entries.push({ id: e.id, pairs: e.reader.pairs() });
          if (entries.length === count) break;
        }
      } else if (history) {
        entries = deliverHistory(c, s, consumer!, start, count);
      } else {
        entries = deliverNew(c, key, s, g, consumer!, start, count, noack);
      }
      if (g !== null) c.keyspace.dirty++;
      served.push({ key, entries });
    }
    // Only effects made above propagate (Redis's preventCommandPropagation).
    c.propagateArgv = null;

    if (served.length !== 0) {
      const r = c.reply;
      if (r.proto === 2) r.array(served.length);
      else r.map(served.length);
      for (const { key, entries } of served) {
        if (r.proto === 2) r.array(2);
        r.bulk(key);
        r.array(entries.length);
        for (const e of entries) replyEntry(c, e.id, e.pairs);
      }
      return;
    }
    if (deadline === -1 || c.denyBlocking) {
      c.reply.nullArray();
      return;
    }
    for (let k = 0; k < n; k++) {
      const at = streamsArg + n + k;
      if (isSymbol(argv[at], '$')) argv[at] = formatId(ids[k]);
    }
    c.block(argv.slice(streamsArg, streamsArg + n), 'stream', deadline, (w) => w.reply.nullArray(), withGroup);
  };
}

/** The last live entry's ID, for a stream that has one. */
function lastValidId(s: StreamValue): StreamId {
  return s.lastValidId()!;
}

export const xread = xreadGeneric(false);
export const xreadgroup = xreadGeneric(true);
