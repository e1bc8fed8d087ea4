import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { helpReply } from '../../core/help.js';
import { CommandError } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import type { Value } from '../../keyspace/value.js';
import type { AccessClocks } from '../eviction/access-clocks.js';

/** Redis keeps integers below this as shared objects, reported with this refcount. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;
/** Longest string Redis stores embedded with its object header. */
const EMBSTR_MAX = 44;

const FREQ_UNTRACKED =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const IDLETIME_UNDER_LFU =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

const HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/**
 * The encoding Redis would give a string SET with this value: "int" when it
 * reads as a 64-bit integer (string2l), "embstr" up to 44 bytes, else "raw".
 * A string modified in place (APPEND, SETRANGE) is a MutableString instead,
 * "raw" whatever it holds, as in Redis.
 */
export function stringEncoding(s: string): string {
  if (s.length <= 20 && toInt64(s) !== null) return 'int';
  return s.length <= EMBSTR_MAX ? 'embstr' : 'raw';
}

/** OBJECT's lookup counts a hit or miss but raises no keymiss event, as Redis's. */
function lookup(c: Ctx, key: string): Value | undefined {
  const v = c.db.read(key, false);
  if (v === undefined) c.reply.nullBulk();
  return v;
}

/** OBJECT ENCODING's answer for a value (DEBUG OBJECT's too). */
export function encodingOf(v: Value): string {
  if (typeof v === 'string') return stringEncoding(v);
  return typeof v === 'number' ? 'int' : v.encoding();
}

/** OBJECT REFCOUNT's answer (DEBUG OBJECT's too): every value is referenced once, but the small integers Redis shares. */
export function refcountOf(v: Value): number {
  let shared = false;
  if (typeof v === 'number') {
    shared = v >= 0 && v < SHARED_INTEGERS;
  } else if (typeof v === 'string' && v.length <= 5) {
    const n = toInt64(v);
    shared = n !== null && n >= 0n && Number(n) < SHARED_INTEGERS;
  }
  return shared ? SHARED_REFCOUNT : 1;
}

function encoding(c: Ctx, argv: string[]): void {
  const v = lookup(c, argv[2]);
  if (v !== undefined) c.reply.bulk(encodingOf(v));
}

function clocks(c: Ctx): AccessClocks | null {
  return c.keyspace.access as AccessClocks | null;
}

/** The key's LFU counter, decayed to now; only LFU policies count accesses. */
function freq(c: Ctx, argv: string[]): void {
  if (lookup(c, argv[2]) === undefined) return;
  const access = clocks(c);
  if (access?.mode !== 'lfu') throw new CommandError(FREQ_UNTRACKED);
  c.reply.integer(access.frequency(c.db, argv[2]));
}

/** Whole seconds since the key was last accessed, by the LRU clock. */
function idletime(c: Ctx, argv: string[]): void {
  if (lookup(c, argv[2]) === undefined) return;
  const access = clocks(c);
  if (access?.mode !== 'lru') throw new CommandError(IDLETIME_UNDER_LFU);
  c.reply.integer(Math.floor(access.idleMs(c.db, argv[2]) / 1000));
}

function refcount(c: Ctx, argv: string[]): void {
  const v = lookup(c, argv[2]);
  if (v !== undefined) c.reply.integer(refcountOf(v));
}

function help(c: Ctx, argv: string[]): void {
  helpReply(c, argv, HELP);
}

const INSPECT = {
  arity: 3, flags: ['readonly'], keySpecs: ['RO: index 2, range 0'], acl: ['keyspace'], group: 'generic',
  args: 'key:key', complexity: 'O(1)', tips: ['nondeterministic_output'], traits: ['no-touch'],
} as const;

export const objectCommands: CommandSpec[] = [
  {
    name: 'object', arity: -2, flags: [], acl: [], group: 'generic', since: '2.2.3',
    summary: 'A container for object introspection commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        ...INSPECT, name: 'encoding', since: '2.2.3', summary: 'Returns the internal encoding of a Redis object.',
        handler: encoding,
      },
      {
        ...INSPECT, name: 'freq', since: '4.0.0',
        summary: 'Returns the logarithmic access frequency counter of a Redis object.', handler: freq,
      },
      {
        ...INSPECT, name: 'idletime', since: '2.2.3', summary: 'Returns the time since the last access to a Redis object.',
        handler: idletime,
      },
      {
        ...INSPECT, name: 'refcount', since: '2.2.3', summary: 'Returns the reference count of a value of a key.',
        handler: refcount,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace'], group: 'generic',
        since: '6.2.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: help,
      },
    ],
  },
];
