import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { fieldList } from './field-list.js';
import { readHash } from './hash-access.js';
import { NO_DEADLINE, NO_FIELD } from './hash-value.js';

const NUMFIELDS = 'ERR Number of fields must be a positive integer';

/**
 * HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME key FIELDS numfields field…: per
 * field -2 (none, or past its deadline), -1 (no deadline), or the time
 * left (relative) or the deadline itself, in ms or in seconds rounded up.
 * Nothing is expired here. As in Redis 7.4, a packed hash counts a field
 * due exactly now as gone and a hashtable does not.
 */
function httl(seconds: boolean, relative: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const hash = readHash(c, argv[1]);
    const fields = fieldList(argv, 2, NUMFIELDS);
    const now = c.keyspace.now;
    const base = relative ? now : 0;
    const packed = hash !== undefined && hash.encoding() !== 'hashtable';
    const r = c.reply;
    r.array(fields.length);
    for (const f of fields) {
      const d = hash === undefined ? NO_FIELD : hash.deadline(f);
      if (d === NO_FIELD || d === NO_DEADLINE) r.integer(d);
      else if (d < now || (packed && d === now)) r.integer(NO_FIELD);
      else r.integer(seconds ? Math.floor((d + 999 - base) / 1000) : d - base);
    }
  };
}

const TTL = {
  arity: -5, flags: ['readonly', 'fast'], keySpecs: ['RO access: index 1, range 0'], acl: ['hash'], group: 'hash',
  since: '7.4.0', complexity: 'O(N) where N is the number of specified fields', args: 'key:key FIELDS fields{numfields:integer field...}',
} as const;

export const hashTtlCommands: CommandSpec[] = [
  { ...TTL, name: 'httl', summary: 'Returns the TTL in seconds of a hash field.', handler: httl(true, true) },
  { ...TTL, name: 'hpttl', summary: 'Returns the TTL in milliseconds of a hash field.', handler: httl(false, true) },
  {
    ...TTL, name: 'hexpiretime', summary: 'Returns the expiration time of a hash field as a Unix timestamp, in seconds.',
    handler: httl(true, false),
  },
  {
    ...TTL, name: 'hpexpiretime', summary: 'Returns the expiration time of a hash field as a Unix timestamp, in msec.',
    handler: httl(false, false),
  },
];
