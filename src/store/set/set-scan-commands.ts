import type { CommandSpec } from '../../core/command.js';
import type { Ctx } from '../../core/context.js';
import { globMatch } from '../../core/glob.js';
import { parseCursor, parseScanOptions, replyScanOfNothing } from '../keys/scan-commands.js';
import { readSet } from './set-access.js';

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count]. As in Redis, the cursor
 * is read first, then the key (a missing one answers an empty scan whatever
 * the options), then the options. An intset or listpack is returned whole
 * with cursor 0; a hashtable is walked COUNT positions a call with a
 * stateless cursor (HashSet.scan).
 */
function sscan(c: Ctx, argv: string[]): void {
  const cursor = parseCursor(argv[2]);
  const set = readSet(c, argv[1]);
  const r = c.reply;
  if (set === undefined) {
    replyScanOfNothing(c);
    return;
  }
  const { count, pattern } = parseScanOptions(argv, 3, false);
  // A cursor past 2^53 is past every position anyway.
  const { next, members } = set.scan(Number(cursor), count);
  let found = 0;
  for (const m of members) if (pattern === null || globMatch(pattern, m)) members[found++] = m;
  r.array(2);
  r.bulk(String(next));
  r.array(found);
  for (let i = 0; i < found; i++) r.bulk(members[i]);
}

export const setScanCommands: CommandSpec[] = [
  {
    name: 'sscan', arity: -3, flags: ['readonly'], acl: ['set'], group: 'set', keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]', since: '2.8.0',
    summary: 'Iterates over members of a set.', tips: ['nondeterministic_output'],
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    handler: sscan,
  },
];
