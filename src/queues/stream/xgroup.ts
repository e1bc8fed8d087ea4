import type { Ctx } from '../../core/context.js';
import { CommandError, NO_SUCH_KEY, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { helpReply, subcommandSyntaxError } from '../../core/help.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { writableStream } from './stream-access.js';
import { ENTRIES_READ_UNKNOWN, Group } from './group.js';
import { compareIds, idArg, isZeroId, MIN_ID, norm64, strictIdArg, type StreamId, type U64 } from './id.js';
import { createConsumer } from './xread.js';
import { StreamValue } from './stream-value.js';

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

function int64(s: string): bigint {
  const n = toInt64(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  return n;
}

function isDollar(arg: string): boolean {
  return arg === '$' || arg.startsWith('$\0');
}

/**
 * XGROUP CREATE | SETID | DESTROY | CREATECONSUMER | DELCONSUMER | HELP
 * (Redis's xgroupCommand, one handler for all, checking in its order: the
 * options, the key's type, the key's existence, the group's). Like Redis,
 * these count changes without signalling the key modified, so WATCH holds,
 * except when MKSTREAM creates the stream.
 */
export function xgroup(c: Ctx, argv: string[]): void {
  // Not optionWord: CREATECONSUMER is longer than any option word.
  const sub = argv[1].split('\0')[0].toLowerCase();
  if (argv.length === 2 && sub === 'help') {
    helpReply(c, argv, XGROUP_HELP);
    return;
  }
  let mkstream = false;
  let entriesRead: U64 = ENTRIES_READ_UNKNOWN;
  let s: StreamValue | undefined;
  let group: Group | undefined;
  const key = argv[2];
  const name = argv[3];
  if (argv.length >= 4) {
    for (let i = 5; i < argv.length;) {
      const o = optionWord(argv[i]);
      if (sub === 'create' && o === 'mkstream') {
        mkstream = true;
        i++;
      } else if ((sub === 'create' || sub === 'setid') && o === 'entriesread' && i + 1 < argv.length) {
        const v = int64(argv[i + 1]);
        if (v < 0n && v !== -1n) throw new CommandError('ERR value for ENTRIESREAD must be positive or -1');
        entriesRead = norm64(v);
        i += 2;
      } else {
        throw new CommandError(subcommandSyntaxError(argv));
      }
    }
    s = writableStream(c, key);
    if (!mkstream) {
      if (s === undefined) {
        throw new CommandError(
          'ERR The XGROUP subcommand requires the key to exist. '
          + 'Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
        );
      }
      group = s.group(name);
      if (group === undefined && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
        throw new CommandError(`NOGROUP No such consumer group '${name}' for key name '${key}'`);
      }
    }
  }
  if (sub === 'create' && argv.length >= 5 && argv.length <= 8) {
    const id: StreamId = isDollar(argv[4]) ? (s?.lastId ?? MIN_ID) : strictIdArg(argv[4]);
    if (s?.group(name) !== undefined) throw new CommandError('BUSYGROUP Consumer Group name already exists');
    // As in Redis, only a stream MKSTREAM creates counts as a modified key (WATCH); the group is one change.
    if (s === undefined) {
      s = new StreamValue();
      c.db.set(key, s);
    } else {
      c.keyspace.dirty++;
    }
    (s.groups ??= new Map()).set(name, new Group(name, id, entriesRead));
    c.reply.ok();
    c.keyspace.notify(c.db, 't', 'xgroup-create', key);
  } else if (sub === 'setid' && (argv.length === 5 || argv.length === 7)) {
    const id = isDollar(argv[4]) ? s!.lastId : idArg(argv[4]);
    group!.lastId = id;
    group!.entriesRead = entriesRead;
    c.reply.ok();
    c.keyspace.dirty++;
    c.keyspace.notify(c.db, 't', 'xgroup-setid', key);
  } else if (sub === 'destroy' && argv.length === 4) {
    if (group === undefined) {
      c.reply.integer(0);
      return;
    }
    s!.groups!.delete(name);
    c.reply.integer(1);
    c.keyspace.dirty++;
    c.keyspace.notify(c.db, 't', 'xgroup-destroy', key);
    // Clients blocked in XREADGROUP on this group run again, and learn it is gone.
    c.keyspace.waiters?.signalKeyAsReady(c.db, key);
  } else if (sub === 'createconsumer' && argv.length === 5) {
    if (group!.consumers.has(argv[4])) {
      c.reply.integer(0);
      return;
    }
    createConsumer(c, key, group!, argv[4]);
    c.reply.integer(1);
  } else if (sub === 'delconsumer' && argv.length === 5) {
    const consumer = group!.consumers.get(argv[4]);
    if (consumer === undefined) {
      c.reply.integer(0);
      return;
    }
    const pending = consumer.pel.size;
    group!.deleteConsumer(consumer);
    c.keyspace.dirty++;
    c.keyspace.notify(c.db, 't', 'xgroup-delconsumer', key);
    c.reply.integer(pending);
  } else {
    throw new CommandError(subcommandSyntaxError(argv));
  }
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
export function xsetid(c: Ctx, argv: string[]): void {
  const id = strictIdArg(argv[2]);
  let entriesAdded: U64 = -1;
  let maxDeleted: StreamId = MIN_ID;
  for (let i = 3; i < argv.length;) {
    const more = argv.length - 1 - i;
    const o = optionWord(argv[i]);
    if (o === 'entriesadded' && more > 0) {
      const v = int64(argv[i + 1]);
      if (v < 0n) throw new CommandError('ERR entries_added must be positive');
      entriesAdded = norm64(v);
      i += 2;
    } else if (o === 'maxdeletedid' && more > 0) {
      maxDeleted = strictIdArg(argv[i + 1]);
      if (compareIds(id, maxDeleted) < 0) {
        throw new CommandError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      }
      i += 2;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const key = argv[1];
  const s = writableStream(c, key);
  if (s === undefined) throw new CommandError(NO_SUCH_KEY);
  if (compareIds(id, s.maxDeletedId) < 0) {
    throw new CommandError('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
  }
  if (s.length > 0) {
    if (compareIds(id, s.lastValidId()!) < 0) {
      throw new CommandError('ERR The ID specified in XSETID is smaller than the target stream top item');
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      throw new CommandError('ERR The entries_added specified in XSETID is smaller than the target stream length');
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (!isZeroId(maxDeleted)) s.maxDeletedId = maxDeleted;
  c.reply.ok();
  // Redis counts the change but does not signal the key modified (WATCH holds).
  c.keyspace.dirty++;
  c.keyspace.notify(c.db, 't', 'xsetid', key);
}
