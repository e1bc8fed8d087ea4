import type { CommandSpec } from '../../core/command.js';
import { xack, xpending } from './xack.js';
import { xadd, xtrim } from './xadd.js';
import { xautoclaim, xclaim } from './xclaim.js';
import { xgroup, xsetid } from './xgroup.js';
import { xinfo } from './xinfo.js';
import { xdel, xlen, xrange, xrevrange } from './xrange.js';
import { xread, xreadgroup } from './xread.js';

const STREAM = { acl: ['stream'], group: 'stream' } as const;
const KEY1 = (flags: string): string => `${flags}: index 1, range 0`;
const KEY2 = (flags: string): string => `${flags}: index 2, range 0`;
const TRIM = 'strategy(MAXLEN | MINID @6.2.0) [operator(equal->= | approximately->~)] threshold [LIMIT count:integer @6.2.0]';
const HELP = {
  name: 'help', arity: 2, flags: ['loading', 'stale'], ...STREAM, since: '5.0.0',
  summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
} as const;

export const streamCommands: CommandSpec[] = [
  {
    ...STREAM, name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'],
    keySpecs: [{ spec: KEY1('RW update'), notes: 'UPDATE instead of INSERT because of the optional trimming feature' }],
    args: `key:key [NOMKSTREAM @6.2.0] [trim{${TRIM}}] id-selector(auto-id->* | id) data{field value}...`,
    since: '5.0.0', tips: ['nondeterministic_output'],
    summary: "Appends a new message to a stream. Creates the key if it doesn't exist.",
    complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
    history: [
      ['6.2.0', 'Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option.'],
      ['7.0.0', 'Added support for the `<ms>-*` explicit ID form.'],
    ],
    handler: xadd,
  },
  {
    ...STREAM, name: 'xtrim', arity: -4, flags: ['write'], keySpecs: [KEY1('RW delete')],
    args: `key:key trim{${TRIM}}`, since: '5.0.0', tips: ['nondeterministic_output'],
    summary: 'Deletes messages from the beginning of a stream.',
    complexity: 'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    history: [['6.2.0', 'Added the `MINID` trimming strategy and the `LIMIT` option.']],
    handler: xtrim,
  },
  {
    ...STREAM, name: 'xdel', arity: -3, flags: ['write', 'fast'], keySpecs: [KEY1('RW delete')],
    args: 'key:key id...', since: '5.0.0', summary: 'Returns the number of messages after removing them from a stream.',
    complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.', handler: xdel,
  },
  {
    ...STREAM, name: 'xlen', arity: 2, flags: ['readonly', 'fast'], keySpecs: [KEY1('RO')], args: 'key:key',
    since: '5.0.0', summary: 'Return the number of messages in a stream.', complexity: 'O(1)', handler: xlen,
  },
  {
    ...STREAM, name: 'xrange', arity: -4, flags: ['readonly'], keySpecs: [KEY1('RO access')],
    args: 'key:key start end [COUNT count:integer]', since: '5.0.0',
    summary: 'Returns the messages from a stream within a range of IDs.',
    complexity: 'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    history: [['6.2.0', 'Added exclusive ranges.']], handler: xrange,
  },
  {
    ...STREAM, name: 'xrevrange', arity: -4, flags: ['readonly'], keySpecs: [KEY1('RO access')],
    args: 'key:key end start [COUNT count:integer]', since: '5.0.0',
    summary: 'Returns the messages from a stream within a range of IDs in reverse order.',
    complexity: 'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    history: [['6.2.0', 'Added exclusive ranges.']], handler: xrevrange,
  },
  {
    ...STREAM, name: 'xread', arity: -4, flags: ['readonly', 'blocking'],
    keySpecs: ['RO access: keyword STREAMS 1, range -1 1 2'],
    args: '[COUNT count:integer] [BLOCK milliseconds:integer] STREAMS streams{key:key... id...}', since: '5.0.0',
    summary: 'Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.',
    handler: xread,
  },
  {
    ...STREAM, name: 'xreadgroup', arity: -7, flags: ['write', 'blocking'],
    keySpecs: ['RO access: keyword STREAMS 4, range -1 1 2'],
    args: 'GROUP group-block{group consumer} [COUNT count:integer] [BLOCK milliseconds:integer] [NOACK] STREAMS streams{key:key... id...}',
    since: '5.0.0',
    summary: 'Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.',
    complexity: 'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
    handler: xreadgroup,
  },
  {
    ...STREAM, name: 'xack', arity: -4, flags: ['write', 'fast'], keySpecs: [KEY1('RW update')],
    args: 'key:key group id...', since: '5.0.0',
    summary: 'Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.',
    complexity: 'O(1) for each message ID processed.', handler: xack,
  },
  {
    ...STREAM, name: 'xpending', arity: -3, flags: ['readonly'], keySpecs: [KEY1('RO access')],
    args: 'key:key group [filters{[IDLE min-idle-time:integer @6.2.0] start end count:integer [consumer]}]',
    since: '5.0.0', tips: ['nondeterministic_output'],
    summary: "Returns the information and entries from a stream consumer group's pending entries list.",
    complexity: 'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
    history: [['6.2.0', 'Added the `IDLE` option and exclusive range intervals.']], handler: xpending,
  },
  {
    ...STREAM, name: 'xclaim', arity: -6, flags: ['write', 'fast'], keySpecs: [KEY1('RW update')],
    args: 'key:key group consumer min-idle-time id... [IDLE ms:integer] [TIME unix-time-milliseconds:unix-time] '
      + '[RETRYCOUNT count:integer] [FORCE] [JUSTID] [LASTID lastid]',
    since: '5.0.0', tips: ['nondeterministic_output'],
    summary: 'Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.',
    complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.', handler: xclaim,
  },
  {
    ...STREAM, name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], keySpecs: [KEY1('RW delete')],
    args: 'key:key group consumer min-idle-time start [COUNT count:integer] [JUSTID]', since: '6.2.0',
    tips: ['nondeterministic_output'],
    summary: 'Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.',
    complexity: 'O(1) if COUNT is small.',
    history: [['7.0.0', 'Added an element to the reply array, containing deleted entries the command cleared from the PEL']],
    handler: xautoclaim,
  },
  {
    ...STREAM, name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], keySpecs: [KEY1('RW update')],
    args: 'key:key last-id [ENTRIESADDED entries-added:integer @7.0.0] [MAXDELETEDID max-deleted-id @7.0.0]',
    since: '5.0.0', summary: 'An internal command for replicating stream values.', complexity: 'O(1)',
    history: [['7.0.0', 'Added the `entries_added` and `max_deleted_entry_id` arguments.']], handler: xsetid,
  },
  {
    name: 'xgroup', arity: -2, flags: [], acl: [], group: 'stream', since: '5.0.0',
    summary: 'A container for consumer groups commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        ...STREAM, name: 'create', arity: -5, flags: ['write', 'denyoom'], keySpecs: [KEY2('RW insert')],
        args: 'key:key group id-selector(id | new-id->$) [MKSTREAM] [ENTRIESREAD entries-read:integer]', since: '5.0.0',
        summary: 'Creates a consumer group.', complexity: 'O(1)',
        history: [['7.0.0', 'Added the `entries_read` named argument.']], handler: xgroup,
      },
      {
        ...STREAM, name: 'createconsumer', arity: 5, flags: ['write', 'denyoom'], keySpecs: [KEY2('RW insert')],
        args: 'key:key group consumer', since: '6.2.0', summary: 'Creates a consumer in a consumer group.',
        complexity: 'O(1)', handler: xgroup,
      },
      {
        ...STREAM, name: 'delconsumer', arity: 5, flags: ['write'], keySpecs: [KEY2('RW delete')],
        args: 'key:key group consumer', since: '5.0.0', summary: 'Deletes a consumer from a consumer group.',
        complexity: 'O(1)', handler: xgroup,
      },
      {
        ...STREAM, name: 'destroy', arity: 4, flags: ['write'], keySpecs: [KEY2('RW delete')], args: 'key:key group',
        since: '5.0.0', summary: 'Destroys a consumer group.',
        complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).", handler: xgroup,
      },
      { ...HELP, handler: xgroup },
      {
        ...STREAM, name: 'setid', arity: -5, flags: ['write'], keySpecs: [KEY2('RW update')],
        args: 'key:key group id-selector(id | new-id->$) [ENTRIESREAD entriesread:integer=entries-read]', since: '5.0.0',
        summary: 'Sets the last-delivered ID of a consumer group.', complexity: 'O(1)',
        history: [['7.0.0', 'Added the optional `entries_read` argument.']], handler: xgroup,
      },
    ],
  },
  {
    name: 'xinfo', arity: -2, flags: [], acl: [], group: 'stream', since: '5.0.0',
    summary: 'A container for stream introspection commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        ...STREAM, name: 'consumers', arity: 4, flags: ['readonly'], keySpecs: [KEY2('RO access')], args: 'key:key group',
        since: '5.0.0', tips: ['nondeterministic_output'], summary: 'Returns a list of the consumers in a consumer group.',
        complexity: 'O(1)', history: [['7.2.0', 'Added the `inactive` field.']], handler: xinfo,
      },
      {
        ...STREAM, name: 'groups', arity: 3, flags: ['readonly'], keySpecs: [KEY2('RO access')], args: 'key:key',
        since: '5.0.0', summary: 'Returns a list of the consumer groups of a stream.', complexity: 'O(1)',
        history: [['7.0.0', 'Added the `entries-read` and `lag` fields']], handler: xinfo,
      },
      { ...HELP, handler: xinfo },
      {
        ...STREAM, name: 'stream', arity: -3, flags: ['readonly'], keySpecs: [KEY2('RO access')],
        args: 'key:key [full-block{FULL [COUNT count:integer]}]', since: '5.0.0',
        summary: 'Returns information about a stream.', complexity: 'O(1)',
        history: [
          ['6.0.0', 'Added the `FULL` modifier.'],
          ['7.0.0', 'Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields'],
          ['7.2.0', 'Added the `active-time` field, and changed the meaning of `seen-time`.'],
        ],
        handler: xinfo,
      },
    ],
  },
];
