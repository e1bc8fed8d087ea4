import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { keysAfterCount } from '../../core/numkeys.js';
import { optionWord } from '../../core/options.js';
import { readSets, replyMembers, replySet, setLimits, storeResult } from './set-access.js';
import { difference, eachCommon, intersection, union } from './set-algebra.js';
import { SetValue } from './set-value.js';

/** The sets when every key holds one; null when one is missing (an intersection with it is empty). */
function allPresent(sets: (SetValue | undefined)[]): SetValue[] | null {
  return sets.includes(undefined) ? null : (sets as SetValue[]);
}

/** SINTER key...: the members every set has, in the smallest set's order. */
function sinter(c: Ctx, argv: string[]): void {
  const sets = allPresent(readSets(c, argv, 1));
  const members: string[] = [];
  if (sets !== null) {
    eachCommon(sets, (m) => {
      members.push(m);
    });
  }
  replyMembers(c, members);
}

function sinterstore(c: Ctx, argv: string[]): void {
  const sets = allPresent(readSets(c, argv, 2));
  const lim = setLimits(c);
  storeResult(c, argv[1], sets === null ? SetValue.intset() : intersection(sets, lim), 'sinterstore');
}

/**
 * SINTERCARD numkeys key... [LIMIT limit]: the intersection's size, counting
 * stopping at a non-zero limit. Arguments are checked before any key is read.
 */
function sintercard(c: Ctx, argv: string[]): void {
  const numkeys = toInt64(argv[1]);
  if (numkeys === null || numkeys < 1n) throw new CommandError('ERR numkeys should be greater than 0');
  if (numkeys > BigInt(argv.length - 2)) throw new CommandError("ERR Number of keys can't be greater than number of args");
  const end = 2 + Number(numkeys);
  let limit = 0;
  for (let j = end; j < argv.length; j++) {
    if (optionWord(argv[j]) !== 'limit' || j === argv.length - 1) throw new CommandError(SYNTAX);
    const n = toInt64(argv[++j]);
    if (n === null || n < 0n) throw new CommandError("ERR LIMIT can't be negative");
    limit = Number(n);
  }
  const sets = allPresent(readSets(c, argv, 2, end));
  let count = 0;
  if (sets !== null) {
    eachCommon(sets, () => {
      count++;
      return limit === 0 || count < limit;
    });
  }
  c.reply.integer(count);
}

function sunion(c: Ctx, argv: string[]): void {
  replySet(c, union(readSets(c, argv, 1), setLimits(c)));
}

function sunionstore(c: Ctx, argv: string[]): void {
  storeResult(c, argv[1], union(readSets(c, argv, 2), setLimits(c)), 'sunionstore');
}

function sdiff(c: Ctx, argv: string[]): void {
  replySet(c, difference(readSets(c, argv, 1), setLimits(c)));
}

function sdiffstore(c: Ctx, argv: string[]): void {
  storeResult(c, argv[1], difference(readSets(c, argv, 2), setLimits(c)), 'sdiffstore');
}

const SET = { acl: ['set'], group: 'set' } as const;
const INTER_COMPLEXITY = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';
const UNION_COMPLEXITY = 'O(N) where N is the total number of elements in all given sets.';
const READ = {
  ...SET, arity: -2, flags: ['readonly'], keySpecs: ['RO access: index 1, range -1'], args: 'key:key...',
  since: '1.0.0', tips: ['nondeterministic_output_order'],
} as const;
const STORE = { ...SET, arity: -3, flags: ['write', 'denyoom'], args: 'destination:key key:key#1...', since: '1.0.0' } as const;
/** SUNIONSTORE and SDIFFSTORE overwrite the destination without reading it; SINTERSTORE's spec says RW. */
const OVERWRITE_KEYS = ['OW update: index 1, range 0', 'RO access: index 2, range -1'];

export const setAlgebraCommands: CommandSpec[] = [
  { ...READ, name: 'sinter', summary: 'Returns the intersect of multiple sets.', complexity: INTER_COMPLEXITY, handler: sinter },
  {
    ...SET, name: 'sintercard', arity: -3, flags: ['readonly'], keySpecs: ['RO access: index 1, keynum 0 1 1'],
    getKeys: keysAfterCount(1), args: 'numkeys:integer key:key... [LIMIT limit:integer]', since: '7.0.0',
    summary: 'Returns the number of members of the intersect of multiple sets.', complexity: INTER_COMPLEXITY,
    handler: sintercard,
  },
  {
    ...STORE, name: 'sinterstore', keySpecs: ['RW update: index 1, range 0', 'RO access: index 2, range -1'],
    summary: 'Stores the intersect of multiple sets in a key.', complexity: INTER_COMPLEXITY, handler: sinterstore,
  },
  { ...READ, name: 'sunion', summary: 'Returns the union of multiple sets.', complexity: UNION_COMPLEXITY, handler: sunion },
  {
    ...STORE, name: 'sunionstore', keySpecs: OVERWRITE_KEYS, summary: 'Stores the union of multiple sets in a key.',
    complexity: UNION_COMPLEXITY, handler: sunionstore,
  },
  { ...READ, name: 'sdiff', summary: 'Returns the difference of multiple sets.', complexity: UNION_COMPLEXITY, handler: sdiff },
  {
    ...STORE, name: 'sdiffstore', keySpecs: OVERWRITE_KEYS, summary: 'Stores the difference of multiple sets in a key.',
    complexity: UNION_COMPLEXITY, handler: sdiffstore,
  },
];
