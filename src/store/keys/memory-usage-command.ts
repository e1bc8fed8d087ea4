import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { optionWord } from '../../core/options.js';
import { keyEntrySize, valueSize } from '../../keyspace/heap-size.js';

/** Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES. */
const DEFAULT_SAMPLES = 5;

/**
 * MEMORY USAGE key [SAMPLES count]: the bytes the key and its value take in
 * Sluice (not Redis's figure). Options are read as Redis reads them: a
 * count that is not an integer fails as such, a negative one or any other
 * word is a syntax error, 0 samples everything. Like Redis (dictFind) it
 * finds the key without counting a hit or miss and without expiring it.
 */
function usage(c: Ctx, argv: string[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (optionWord(argv[j]) !== 'samples' || j + 1 >= argv.length) throw new CommandError(SYNTAX);
    const n = intArg(argv[++j]);
    if (n < 0) throw new CommandError(SYNTAX);
    samples = n === 0 ? Infinity : n;
  }
  const v = c.db.dict.get(argv[2]);
  if (v === undefined) c.reply.nullBulk();
  else c.reply.integer(keyEntrySize(argv[2]) + valueSize(v, samples));
}

/** MEMORY USAGE, a subcommand of the server's MEMORY container (server/commands/memory.ts). */
export const memoryUsageCommand: CommandSpec = {
  name: 'usage', arity: -3, flags: ['readonly'], keySpecs: ['RO: index 2, range 0'], acl: [], group: 'server',
  since: '4.0.0', summary: 'Estimates the memory usage of a key.', complexity: 'O(N) where N is the number of samples.',
  args: 'key:key [SAMPLES count:integer]', handler: usage,
};
