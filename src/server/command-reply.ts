import type { Reply } from '../protocol/reply.js';
import type { CommandFlag } from '../core/command.js';
import type { Command } from './command-types.js';

/**
 * How COMMAND INFO and COMMAND DOCS describe a command, built from its
 * declaration in the command table. Sets are written in Redis's fixed order
 * so that RESP2 replies (plain arrays) compare equal to Redis's.
 */

/** The flags COMMAND shows, in Redis's order; may_replicate, sentinel and protected stay internal, as in Redis 7. */
const SHOWN_FLAGS: readonly CommandFlag[] = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading',
  'no_multi', 'movablekeys', 'allow_busy',
];

/** Redis's ACL category table, whose order COMMAND INFO follows. */
const CATEGORY_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

/** A command whose keys are found by its own function rather than by fixed positions. */
export function hasMovableKeys(cmd: Command): boolean {
  return cmd.spec.getKeys !== undefined || cmd.flagSet.has('movablekeys');
}

export function shownFlags(cmd: Command): string[] {
  const movable = hasMovableKeys(cmd);
  return SHOWN_FLAGS.filter((f) => cmd.flagSet.has(f) || (f === 'movablekeys' && movable));
}

export function categoryNames(cmd: Command): string[] {
  const rank = (c: string) => {
    const i = CATEGORY_ORDER.indexOf(c);
    return i === -1 ? CATEGORY_ORDER.length : i;
  };
  return [...cmd.aclCategories].sort((a, b) => rank(a) - rank(b)).map((c) => `@${c}`);
}

/**
 * The access flags reported for each of a command's keys. Sluice declares
 * no per-key flags, so they are derived from the command's: RW for a
 * command that may write, RO otherwise (Redis's finer access, update,
 * insert, delete, OW and RM flags are not reported).
 */
export function keyFlags(cmd: Command): string[] {
  // The pub/sub commands' only "keys" are shard channels, which take key positions for cluster routing.
  if (cmd.flagSet.has('pubsub')) return ['not_key'];
  return [cmd.isWrite ? 'RW' : 'RO'];
}

type BeginSearch = { type: 'index'; index: number } | { type: 'unknown' };
type FindKeys = { type: 'range'; lastkey: number; keystep: number; limit: number } | { type: 'unknown' };

interface KeySpec {
  flags: string[];
  begin: BeginSearch;
  find: FindKeys;
}

/**
 * Key specifications derived from the declared positions: one index/range
 * spec for [first, last, step] (lastkey relative to the first key, or
 * negative from the end, as Redis writes it), and for a movablekeys command
 * an "incomplete" spec of unknown shape saying the positions are not the
 * whole story. Redis's own specs can be finer (one per key role).
 */
export function keySpecs(cmd: Command): KeySpec[] {
  const out: KeySpec[] = [];
  const [first, last, step] = cmd.spec.keys;
  if (first > 0) {
    out.push({
      flags: keyFlags(cmd),
      begin: { type: 'index', index: first },
      find: { type: 'range', lastkey: last < 0 ? last : last - first, keystep: step, limit: 0 },
    });
  }
  if (hasMovableKeys(cmd)) out.push({ flags: [...keyFlags(cmd), 'incomplete'], begin: { type: 'unknown' }, find: { type: 'unknown' } });
  return out;
}

function writeKeySpec(r: Reply, spec: KeySpec): void {
  r.map(3);
  r.bulk('flags');
  r.set(spec.flags.length);
  for (const f of spec.flags) r.simple(f);
  r.bulk('begin_search');
  r.map(2);
  r.bulk('type');
  r.bulk(spec.begin.type);
  r.bulk('spec');
  if (spec.begin.type === 'index') {
    r.map(1);
    r.bulk('index');
    r.integer(spec.begin.index);
  } else {
    r.map(0);
  }
  r.bulk('find_keys');
  r.map(2);
  r.bulk('type');
  r.bulk(spec.find.type);
  r.bulk('spec');
  if (spec.find.type === 'range') {
    r.map(3);
    r.bulk('lastkey');
    r.integer(spec.find.lastkey);
    r.bulk('keystep');
    r.integer(spec.find.keystep);
    r.bulk('limit');
    r.integer(spec.find.limit);
  } else {
    r.map(0);
  }
}

/** COMMAND INFO's entry: name, arity, flags, first key, last key, step, categories, tips, key specs, subcommands. */
export function writeCommandInfo(r: Reply, cmd: Command | undefined): void {
  if (cmd === undefined) {
    r.nullBulk();
    return;
  }
  const [first, last, step] = cmd.spec.keys;
  r.array(10);
  r.bulk(cmd.fullName);
  r.integer(cmd.arity);
  const flags = shownFlags(cmd);
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  r.integer(first);
  r.integer(last);
  r.integer(step);
  const cats = categoryNames(cmd);
  r.set(cats.length);
  for (const cat of cats) r.simple(cat);
  const tips = cmd.spec.tips ?? [];
  r.set(tips.length);
  for (const t of tips) r.bulk(t);
  const specs = keySpecs(cmd);
  r.set(specs.length);
  for (const s of specs) writeKeySpec(r, s);
  if (cmd.subcommands === null) {
    // Redis answers an empty set here but an array when there are subcommands.
    r.set(0);
  } else {
    r.array(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) writeCommandInfo(r, sub);
  }
}

/**
 * COMMAND DOCS's entry: summary, since, group, complexity and subcommands.
 * Sluice's declarations carry no argument lists, history or doc flags, so
 * those fields are left out.
 */
export function writeCommandDocs(r: Reply, cmd: Command): void {
  const spec = cmd.spec;
  const fields = 3 + (spec.complexity !== undefined ? 1 : 0) + (cmd.subcommands !== null ? 1 : 0);
  r.map(fields);
  r.bulk('summary');
  r.bulk(spec.summary);
  r.bulk('since');
  r.bulk(spec.since);
  r.bulk('group');
  r.bulk(spec.group);
  if (spec.complexity !== undefined) {
    r.bulk('complexity');
    r.bulk(spec.complexity);
  }
  if (cmd.subcommands !== null) {
    r.bulk('subcommands');
    r.map(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) {
      r.bulk(sub.fullName);
      writeCommandDocs(r, sub);
    }
  }
}
