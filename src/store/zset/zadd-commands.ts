import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { optionWord } from '../../core/options.js';
import { PackedEditor, type ZaddTarget } from './packed-editor.js';
import { NAN_SCORE, scoreArg } from './score.js';
import { writableZset, zsetLimits } from './zset-access.js';
import { ZSetValue } from './zset-value.js';

/** Whether `arg` starts with a digit, a sign or a point: a score then, never an option word. */
function startsLikeNumber(arg: string): boolean {
  const c = arg.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e;
}

/** ZADD's options: NX/XX, GT/LT, CH, INCR (ZINCRBY's). */
export interface ZaddOptions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

/**
 * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member …], and
 * ZINCRBY (ZADD with INCR, options parsed the same way). Every score is
 * read before anything changes, so one bad score adds nothing.
 */
function zadd(incrCommand: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const o: ZaddOptions = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: incrCommand };
    let at = 2;
    for (; at < argv.length; at++) {
      // Most ZADDs have no option: a score's first character ends the options without a lowercased copy.
      if (startsLikeNumber(argv[at])) break;
      const w = optionWord(argv[at]);
      if (w === 'nx') o.nx = true;
      else if (w === 'xx') o.xx = true;
      else if (w === 'ch') o.ch = true;
      else if (w === 'incr') o.incr = true;
      else if (w === 'gt') o.gt = true;
      else if (w === 'lt') o.lt = true;
      else break;
    }
    const pairs = argv.length - at;
    if (pairs === 0 || pairs % 2 !== 0) throw new CommandError(SYNTAX);
    const elements = pairs / 2;
    if (o.nx && o.xx) throw new CommandError('ERR XX and NX options at the same time are not compatible');
    if ((o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt)) {
      throw new CommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
    }
    if (o.incr && elements > 1) throw new CommandError('ERR INCR option supports a single increment-element pair');
    // A plain array: a typed array's allocation cost a tenth of a one-member ZADD.
    // Begun as a literal: an empty array's first push grows its store, a cost for every one-pair ZADD.
    const scores = [scoreArg(argv[at])];
    for (let j = 1; j < elements; j++) scores.push(scoreArg(argv[at + 2 * j]));
    zaddScores(c, argv[1], o, scores, argv, at + 1, 2);
  };
}

/**
 * ZADD once its arguments are read: score j goes with member
 * argv[first + stride × j]. GEOADD comes here with the scores its points
 * make, as Redis's geoaddCommand calls zaddCommand.
 */
export function zaddScores(c: Ctx, key: string, o: ZaddOptions, scores: number[], argv: string[], first: number, stride: number): void {
  const { nx, xx, gt, lt, incr } = o;
  const elements = scores.length;
  let z = writableZset(c, key);
  const limits = zsetLimits(c);
  const isNew = z === undefined;
  if (z === undefined) {
    if (xx) {
      if (incr) c.reply.nullBulk();
      else c.reply.integer(0);
      return;
    }
    z = ZSetValue.create(elements, argv[first].length, limits);
  } else {
    z.maybeConvert(elements, limits);
  }

  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  const editor = z.packed && elements > 1 ? new PackedEditor(z) : null;
  const target: ZaddTarget = editor ?? z;
  for (let j = 0; j < elements; j++) {
    const member = argv[first + stride * j];
    let score = scores[j];
    const current = target.score(member);
    if (current === undefined) {
      if (xx) continue;
      target.add(member, score, limits);
      added++;
    } else {
      if (nx) continue;
      if (incr) {
        score += current;
        // Only INCR's one pair gets here, before anything changed.
        if (score !== score) throw new CommandError(NAN_SCORE);
      }
      if ((lt && score >= current) || (gt && score <= current)) continue;
      if (score !== current) {
        target.update(member, current, score);
        updated++;
      }
    }
    processed++;
    result = score;
  }
  editor?.close();

  if (added + updated > 0) {
    if (isNew) c.db.set(key, z);
    else c.db.modified(key);
    c.keyspace.dirty += added + updated - 1;
    c.keyspace.notify(c.db, 'z', incr ? 'zincr' : 'zadd', key);
  }
  if (incr) {
    if (processed > 0) c.reply.double(result);
    else c.reply.nullBulk();
  } else {
    c.reply.integer(o.ch ? added + updated : added);
  }
}

const ZSET = { acl: ['sortedset'], group: 'sorted-set' } as const;

export const zaddCommands: CommandSpec[] = [
  {
    ...ZSET, name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW update: index 1, range 0'],
    args: 'key:key [condition(NX | XX) @3.0.2] [comparison(GT | LT) @6.2.0] [change->CH @3.0.2] [increment->INCR @3.0.2] data{score:double member}...',
    since: '1.2.0',
    history: [
      ['2.4.0', 'Accepts multiple elements.'],
      ['3.0.2', 'Added the `XX`, `NX`, `CH` and `INCR` options.'],
      ['6.2.0', 'Added the `GT` and `LT` options.'],
    ],
    summary: "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.",
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', handler: zadd(false),
  },
  {
    ...ZSET, name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keySpecs: ['RW access update: index 1, range 0'],
    args: 'key:key increment:integer member', since: '1.2.0', summary: 'Increments the score of a member in a sorted set.',
    complexity: 'O(log(N)) where N is the number of elements in the sorted set.', handler: zadd(true),
  },
];
