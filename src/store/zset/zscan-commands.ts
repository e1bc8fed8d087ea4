import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { globMatch } from '../../core/glob.js';
import { parseCursor, parseScanOptions, replyScanOfNothing } from '../keys/scan-commands.js';
import { PackedZset } from './packed-zset.js';
import { scanScoreText } from './score.js';
import { readZset } from './zset-access.js';

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is read first,
 * then the key (missing: an empty, finished scan), then the options. A
 * packed set is returned whole with cursor 0, scores as it keeps them; a
 * larger one is walked by its dictionary's positions (see
 * DenseTable.scanPositions for the cursor and its guarantee), scores
 * written as Redis writes them there ("%.17g").
 */
function zscan(c: Ctx, argv: string[]): void {
  // Positions stay below 2^53, so a larger cursor, rounded, still lies past them all.
  const cursor = Number(parseCursor(argv[2]));
  const z = readZset(c, argv[1]);
  const r = c.reply;
  if (z === undefined) {
    replyScanOfNothing(c);
    return;
  }
  const { count, pattern } = parseScanOptions(argv, 3, false);
  const out: string[] = [];
  let next = 0;
  const body = z.body;
  if (body instanceof PackedZset) {
    for (let i = 0; i < body.size; i++) {
      const m = body.memberAt(i);
      if (pattern === null || globMatch(pattern, m)) out.push(m, body.scoreTextAt(i));
    }
  } else {
    next = body.scan(cursor, count, (m, score) => {
      if (pattern === null || globMatch(pattern, m)) out.push(m, scanScoreText(score));
    });
  }
  r.array(2);
  r.bulk(String(next));
  r.array(out.length);
  for (const s of out) r.bulk(s);
}

export const zscanCommands: CommandSpec[] = [
  {
    name: 'zscan', arity: -3, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'], acl: ['sortedset'],
    group: 'sorted-set', args: 'key:key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]', since: '2.8.0',
    summary: 'Iterates over members and scores of a sorted set.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    tips: ['nondeterministic_output'], handler: zscan,
  },
];
