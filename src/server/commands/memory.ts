import { helpReply } from '../../core/help.js';
import { memoryUsageCommand } from '../../store/keys/memory-usage-command.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { memoryDoctor } from '../memory/memory-doctor.js';
import { mallocStats, memoryStats } from '../memory/memory-stats.js';

const HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

function stats(c: Client): void {
  const entries = memoryStats(c.server);
  const r = c.reply;
  r.map(entries.length);
  for (const [name, value] of entries) {
    r.bulk(name);
    if ('int' in value) r.integer(value.int);
    else if ('double' in value) r.double(value.double);
    else {
      r.map(value.db.length);
      for (const [field, n] of value.db) {
        r.bulk(field);
        r.integer(n);
      }
    }
  }
}

/**
 * MEMORY PURGE: the garbage collector is V8's to run; when Node was started
 * with --expose-gc a full collection is asked for, otherwise there is
 * nothing to purge, and, as Redis without jemalloc, the reply is OK.
 */
function purge(c: Client): void {
  (globalThis as { gc?: () => void }).gc?.();
  c.reply.ok();
}

const INSPECT = { arity: 2, flags: [], acl: [], group: 'server', since: '4.0.0' } as const;
const REPORT = ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'];

export const memoryCommands: CommandSpec[] = [
  {
    name: 'memory', arity: -2, flags: [], acl: [], group: 'server', since: '4.0.0',
    summary: 'A container for memory diagnostics commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        ...INSPECT, name: 'doctor', summary: 'Outputs a memory problems report.', complexity: 'O(1)', tips: REPORT,
        handler: (c) => c.reply.verbatim(memoryDoctor(c.server)),
      },
      {
        ...INSPECT, name: 'malloc-stats', summary: 'Returns the allocator statistics.',
        complexity: 'Depends on how much memory is allocated, could be slow', tips: REPORT,
        handler: (c) => c.reply.verbatim(mallocStats()),
      },
      {
        ...INSPECT, name: 'purge', summary: 'Asks the allocator to release memory.',
        complexity: 'Depends on how much memory is allocated, could be slow',
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: purge,
      },
      { ...INSPECT, name: 'stats', summary: 'Returns details about memory usage.', complexity: 'O(1)', tips: REPORT, handler: stats },
      memoryUsageCommand,
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: [], group: 'server', since: '4.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c, argv) => helpReply(c, argv, HELP),
      },
    ],
  },
];
